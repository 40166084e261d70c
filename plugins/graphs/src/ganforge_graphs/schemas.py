"""Typed schemas of the graphs domain's config groups (see :mod:`ganforge.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from ganforge.schema import open_schema, spec
from ganforge_graphs.graph_module import Stopping
from ganforge_graphs.models import Temperature


@open_schema
@dataclass
class GraphsData:
    """``data`` of the graphs domain."""

    allow_pickle: bool = spec()
    largest_component: bool = spec()
    val_fraction: float = spec(ge=0, le=0.9)
    test_fraction: float = spec(ge=0, le=0.9)
    split_seed: int = spec(ge=0)
    max_nodes: int | None = spec(ge=3)
    p: float = spec(gt=0)
    q: float = spec(gt=0)


@open_schema
@dataclass
class GraphsModel:
    """``model`` keys of NetGAN and CELL."""

    walk_length: int = spec(ge=2)
    noise_dim: int = spec(ge=1)
    g_hidden: int = spec(ge=1)
    d_hidden: int = spec(ge=1)
    rank: int = spec(ge=1)
    sample_batch: int = spec(ge=1)
    stopping: Stopping = spec()
    temperature: Temperature = spec()  # NetGAN only
    l2_w_down: bool = spec()  # NetGAN only


SCHEMAS = {"data": GraphsData, "model": GraphsModel}
