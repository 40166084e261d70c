"""Typed schemas of this domain's config groups: ``gan-run`` checks types and ranges before
anything is built (``data.batch_size=0`` is one line naming the key). Defaults live once:
in the YAML files, or, for a key users rarely set, as ``spec(default=...)`` here (a builder
then reads the group with ``ganforge.schema.build``); never again in code. ``open_schema``
lets a group hold keys the schema does not declare."""

from __future__ import annotations

from dataclasses import dataclass

from ganforge.schema import open_schema, spec


@open_schema
@dataclass
class PointsData:
    """``data`` of the points domain."""

    path: str | None = spec()
    batch_size: int = spec(ge=1)
    num_workers: int = spec(ge=0)


@open_schema
@dataclass
class MLPModel:
    """``model`` keys of the MLP GAN."""

    latent_dim: int = spec(ge=1)
    hidden: int = spec(ge=1)
    layers: int = spec(ge=1)


SCHEMAS = {"data": PointsData, "model": MLPModel}
