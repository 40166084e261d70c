"""Typed schemas of the molecules domain's config groups (see :mod:`ganforge.schema`).

Defaults live in the YAML files; these declare types and ranges, checked by ``gan-run``
before anything is built (``model.organ.lambda=2`` is one line naming the key).
"""

from __future__ import annotations

from dataclasses import dataclass

from ganforge.schema import open_schema, spec
from ganforge_sequence.schemas import SeqGANModel

#: RDKit objectives of ORGAN's reward (``model.organ.objective``).
OBJECTIVES = ("qed", "logp", "sa", "validity")


@open_schema
@dataclass
class MoleculesData:
    """``data`` of the molecules domain."""

    path: str | None = spec()
    test_path: str | None = spec()
    test_fraction: float = spec(gt=0, le=0.9)
    split_seed: int = spec(ge=0)
    limit: int | None = spec(ge=1)
    test_limit: int | None = spec(ge=1)
    max_tokens: int | None = spec(ge=2)
    d_positives: int | None = spec(ge=1)
    batch_size: int = spec(ge=1)
    num_workers: int = spec(ge=0)


@open_schema
@dataclass
class MoleculesMetrics:
    """``metrics``: MOSES metrics settings."""

    progress_samples: int = spec(ge=1)
    fcd: bool = spec()
    n_jobs: int | str = spec()
    cache_dir: str | None = spec()


@dataclass(frozen=True)
class OrganOptions:
    """``model.organ``: the objective-reinforced reward (also :class:`~ganforge_molecules.organ.ORGAN`'s
    ``organ`` argument; ``lambda_`` is the config key ``lambda``)."""

    objective: str = spec(choices=OBJECTIVES)
    lambda_: float = spec(ge=0, le=1, key="lambda")  # the config key is ``lambda``, a Python keyword
    repeat_penalty: bool = spec()
    invalid: str = spec(choices=("total", "objective"))
    pg_lr: float | None = spec(gt=0)


@open_schema
@dataclass
class OrganModel(SeqGANModel):
    """``model`` of ORGAN: SeqGAN's keys plus ``model.organ``."""

    organ: OrganOptions = spec()


SCHEMAS = {"data": MoleculesData, "metrics": MoleculesMetrics}
