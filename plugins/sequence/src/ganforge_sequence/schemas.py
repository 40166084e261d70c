"""Typed schemas of the oracle and poetry domains' config groups and of the sequence
models' nested ``model`` groups (see :mod:`ganforge.schema`).

The ``*Options`` dataclasses are also the models' constructor arguments: a builder makes
them from the config once (:func:`ganforge.schema.build`), a notebook writes them out::

    GeneratorOptions(emb_dim=32, hidden_dim=32, num_layers=1, init_std=0.1)

Defaults live in the YAML files (``conf/model/seqgan.yaml``, ``mle.yaml``); the
``*Group`` subclasses add the keys only ``model.phases`` reads (phase lengths), so that
``gan-run`` checks the whole group while the models take just what they use.
"""

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


# ---------------------------------------------------------------- model groups
@dataclass(frozen=True)
class GeneratorOptions:
    """``model.generator``: the LSTM generator (paper: 32, 32, 1 layer, init std 0.1)."""

    emb_dim: int = spec(ge=1)
    hidden_dim: int = spec(ge=1)
    num_layers: int = spec(ge=1)
    init_std: float = spec(gt=0)


@dataclass(frozen=True)
class DiscriminatorOptions:
    """``model.discriminator``: the CNN discriminator and its mini-batch size."""

    emb_dim: int = spec(ge=1)
    filter_sizes: list = spec()
    num_filters: list = spec()
    highway_layers: int = spec(ge=0)
    dropout: float = spec(ge=0, le=1)
    l2_reg: float = spec(ge=0)
    batch_size: int = spec(ge=1)


@dataclass(frozen=True)
class DPretrainOptions:
    """``model.d_pretrain``: epochs per round and negatives (null: as many as positives)."""

    epochs: int = spec(ge=0)
    negatives: int | None = spec(ge=1)


@dataclass(frozen=True)
class DPretrainGroup(DPretrainOptions):
    """``model.d_pretrain`` as configured: plus ``rounds`` (the phase length)."""

    rounds: int = spec(ge=0)


@dataclass(frozen=True)
class AdversarialOptions:
    """``model.adversarial``: per iteration ``g_steps`` policy-gradient updates, then
    ``d_steps`` discriminator rounds of ``d_epochs`` epochs on ``negatives`` fresh fakes."""

    g_steps: int = spec(ge=0)
    d_steps: int = spec(ge=0)
    d_epochs: int = spec(ge=0)
    negatives: int | None = spec(ge=1)


@dataclass(frozen=True)
class AdversarialGroup(AdversarialOptions):
    """``model.adversarial`` as configured: plus ``iterations`` (the phase length)."""

    iterations: int = spec(ge=0)


@dataclass(frozen=True)
class PolicyGradientOptions:
    """``model.pg``: Monte-Carlo rollouts and the REINFORCE update.

    ``baseline``/``reward``/``reduction`` are checked by :mod:`ganforge.policy_gradient`
    (one place for their choices); ``rollout_rows``: ``auto``, null (= auto) or an integer >= 1.
    """

    rollouts: int = spec(ge=1)
    update_rate: float = spec(ge=0, le=1)
    baseline: str = spec()
    baseline_decay: float = spec(ge=0, le=1)
    reward: str = spec()
    reduction: str = spec()
    rollout_rows: int | str | None = spec()
    reward_batch: int = spec(ge=1)


@dataclass(frozen=True)
class EvalOptions:
    """``model.eval`` of the MLE baseline: ``samples`` generated for progress metrics,
    logged every ``mle_every`` MLE epochs (0: never)."""

    samples: int = spec(ge=1)
    mle_every: int = spec(ge=0)


@dataclass(frozen=True)
class SeqGANEvalOptions(EvalOptions):
    """``model.eval`` of SeqGAN: plus ``every`` (adversarial iterations) and
    ``d_pretrain_every`` (discriminator rounds) between logged metrics (0: never)."""

    every: int = spec(ge=0)
    d_pretrain_every: int = spec(ge=0)


@dataclass(frozen=True)
class MLEGroup:
    """``model.mle``: ``epochs`` (the phase length)."""

    epochs: int = spec(ge=0)


@open_schema
@dataclass
class MLEModel:
    """``model`` keys of the MLE baseline."""

    generator: GeneratorOptions = spec()
    mle: MLEGroup = spec()
    eval: EvalOptions = spec()


@open_schema
@dataclass
class SeqGANModel:
    """``model`` keys of SeqGAN."""

    separate_mle_optimizer: bool = spec()
    generator: GeneratorOptions = spec()
    discriminator: DiscriminatorOptions = spec()
    mle: MLEGroup = spec()
    d_pretrain: DPretrainGroup = spec()
    adversarial: AdversarialGroup = spec()
    pg: PolicyGradientOptions = spec()
    eval: SeqGANEvalOptions = spec()


#: ``model`` schema by model name (a model another plugin adds on SeqGAN uses SeqGAN's)
MODEL_SCHEMAS = {"mle": MLEModel, "seqgan": SeqGANModel}
DATA_SCHEMAS = {"oracle": OracleData, "poetry": PoetryData}
