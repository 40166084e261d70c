"""Typed schemas of the oracle and poetry domains' config groups (see :mod:`ganforge.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from ganforge.schema import open_schema, spec


@open_schema
@dataclass
class OracleData:
    """``data`` of the synthetic oracle."""

    vocab_size: int = spec(ge=2)
    seq_len: int = spec(ge=2)
    emb_dim: int = spec(ge=1)
    hidden_dim: int = spec(ge=1)
    oracle_seed: int = spec(ge=0)
    sample_seed: int = spec(ge=0)
    num_train: int = spec(ge=1)
    num_test: int = spec(ge=1)


@open_schema
@dataclass
class PoetryData:
    """``data`` of the poetry domain."""

    test_fraction: float = spec(ge=0, le=0.9)
    split_seed: int = spec(ge=0)
    max_len: int = spec(ge=2)
    too_long: str = spec(choices=("skip", "truncate"))
    seq_len: int | None = spec(ge=2)
    min_count: int = spec(ge=1)
    lines: int = spec(ge=1)


@open_schema
@dataclass
class SequenceModel:
    """``model`` keys of SeqGAN/MLE (nested groups are checked by the models)."""

    separate_mle_optimizer: bool = spec()


DATA_SCHEMAS = {"oracle": OracleData, "poetry": PoetryData}
