"""The part SeqGAN and its MLE baseline share: :class:`SequenceModel`.

A :class:`SequenceModel` holds the LSTM generator, the ``mle`` phase (teacher-forced
maximum-likelihood updates), sampling (:class:`SequenceSamples`), the progress metrics of
the data module and the checkpointed counters. :class:`MLEGenerator` is that model as
is; :class:`~ganforge_sequence.seqgan.SeqGAN` adds the discriminator, its pretraining
and the policy-gradient adversarial phase.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from torch import Tensor

from ganforge import AdversarialModule, GANSettings
from ganforge.errors import GanforgeError
from ganforge.schema import build
from ganforge.utils import seeded

from .generator import LSTMGenerator
from .sample_stats import generator_statistics
from .schemas import EvalOptions, GeneratorOptions
from .tokenizer import tokenizer_from_spec


@dataclass
class SequenceSamples:
    """Generated token sequences with what is needed to turn them into files.

    ``tokens``: ``LongTensor[n, T]``; ``tokenizer``: decodes a row; ``spec``: the data
    spec (layout hints such as ``lines`` for poems).
    """

    tokens: Tensor
    tokenizer: Any
    spec: Mapping[str, Any] = field(default_factory=dict)

    def texts(self) -> list[str]:
        """Each sequence decoded by the tokenizer."""
        return [self.tokenizer.decode(row) for row in self.tokens.tolist()]

    def __len__(self) -> int:
        return int(self.tokens.shape[0])


class SequenceModel(AdversarialModule):
    """An LSTM token generator trained by maximum likelihood, sampled as :class:`SequenceSamples`.

    Args:
        vocab_size, seq_len, start_token: the token space (the data spec's keys).
        tokenizer: decodes samples (``None``: samples are token ids without text).
        generator: the LSTM's sizes (``model.generator``).
        evaluation: ``model.eval`` -- ``samples`` generated for progress metrics, every
            ``mle_every`` MLE epochs.
        seed: the run's seed; progress metrics sample with a seed derived from it.
        settings: the loop's settings (``model.phases``: kind ``mle``, steps = epochs).

    :meth:`from_config` is the builder. Subclasses add phases through
    :meth:`phase_handlers` and networks after ``super().__init__``.
    """

    def __init__(self, *, vocab_size: int, seq_len: int, start_token: int, tokenizer: Any | None,
                 generator: GeneratorOptions, evaluation: EvalOptions, seed: int, settings: GANSettings):
        super().__init__(settings)
        self.vocab_size, self.seq_len = int(vocab_size), int(seq_len)
        self.tokenizer = tokenizer
        self.generator = LSTMGenerator(
            self.vocab_size,
            self.seq_len,
            emb_dim=int(generator.emb_dim),
            hidden_dim=int(generator.hidden_dim),
            num_layers=int(generator.num_layers),
            start_token=int(start_token),
            init_std=float(generator.init_std),
        )
        self.evaluation = evaluation
        self.seed = int(seed)
        # Progress counters that are not part of the core's phase position.
        self.mle_batches_in_epoch = 0
        self.mle_epochs_done = 0
        self.phase_seconds: dict[str, float] = {}

    @staticmethod
    def data_arguments(spec: Mapping[str, Any]) -> dict[str, Any]:
        """``vocab_size``, ``seq_len``, ``start_token`` and the rebuilt ``tokenizer`` of a data
        spec (a spec without a ``tokenizer`` gives ``None``: samples stay token ids)."""
        for key in ("vocab_size", "seq_len", "start_token"):
            if key not in spec:
                raise GanforgeError(f"data spec has no '{key}'; expected a sequence data module's spec")
        tokenizer = spec.get("tokenizer")
        return {"vocab_size": int(spec["vocab_size"]), "seq_len": int(spec["seq_len"]),
                "start_token": int(spec["start_token"]), "tokenizer": tokenizer_from_spec(tokenizer) if tokenizer else None}

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> SequenceModel:
        """The builder: the data spec's token space plus ``model.generator``/``model.eval``."""
        m = cfg.model
        return cls(**cls.data_arguments(spec), generator=build(GeneratorOptions, m.generator, "model.generator"),
                   evaluation=build(EvalOptions, m.eval, "model.eval"), seed=int(cfg.seed),
                   settings=GANSettings.from_config(cfg))

    # ------------------------------------------------------------------ optimizers
    @property
    def mle_optimizer(self):
        """The optimizer of MLE updates of the generator: a third one when a model adds it
        after ``[G, D]`` (SeqGAN's ``separate_mle_optimizer``), else the generator's."""
        opts = self.optimizers()
        opts = opts if isinstance(opts, (list, tuple)) else [opts]
        return opts[2] if len(opts) > 2 else opts[0]

    def _clip_g(self) -> float | None:
        clip = self.settings.optim.clip_g  # None: no clipping
        return None if clip is None else float(clip)

    # ------------------------------------------------------------------ data helpers
    @property
    def datamodule(self):
        """The attached sequence data module (positives, metrics)."""
        dm = getattr(self.trainer, "datamodule", None)
        if dm is None:
            raise GanforgeError(f"{type(self).__name__} needs a sequence data module attached to the trainer")
        return dm

    def generate(self, generator: LSTMGenerator, n: int, **options: Any) -> SequenceSamples:
        """``n`` sequences as :class:`SequenceSamples`; option ``temperature`` (> 0, default 1)."""
        unknown = sorted(set(options) - {"temperature"})
        if unknown:
            raise GanforgeError(f"{type(self).__name__}: unknown sampling option(s) {unknown}; valid: temperature")
        try:
            temperature = float(options.get("temperature", 1.0))
        except (TypeError, ValueError):
            raise GanforgeError(f"temperature={options.get('temperature')}: expected a number > 0") from None
        if not temperature > 0:
            raise GanforgeError(f"temperature={temperature}: expected a number > 0")
        return SequenceSamples(generator.sample(n, temperature=temperature), self.tokenizer, self.spec)

    def generator_forward(self, generator: LSTMGenerator, batch: Any) -> Tensor:
        """Token ids of ``len(batch)`` fresh samples (no gradient: sampling is discrete)."""
        return generator.sample(self.batch_size_of(batch))

    # ------------------------------------------------------------------ metrics
    def progress_metrics(self, final: bool = False, datamodule: Any = None) -> dict[str, float]:
        """Domain metrics of the generator (fixed seed, training RNG untouched).

        ``final``: the data module's ``final_metrics`` of the sampling generator (EMA copy
        when enabled); otherwise its cheaper ``progress_metrics`` of the trained generator.
        """
        dm = datamodule if datamodule is not None else self.datamodule
        n = int(self.evaluation.samples)
        gen = self.sampling_generator() if final else self.generator
        was_training = gen.training
        gen.eval()
        try:
            with seeded(self.seed + 7919, self.device):
                out = dm.final_metrics(gen, n) if final else dm.progress_metrics(gen, n)
                return {**out, **generator_statistics(gen)}  # mode collapse shows in every phase's curves
        finally:
            gen.train(was_training)

    # ------------------------------------------------------------------ phases
    def training_step(self, batch: Any, batch_idx: int) -> None:
        """Run the phase handler and account its wall time to the phase (``time/<phase>_s``)."""
        name = self.phases.current.name
        start = time.perf_counter()
        super().training_step(batch, batch_idx)
        self.phase_seconds[name] = self.phase_seconds.get(name, 0.0) + time.perf_counter() - start
        self.last_logs[f"time/{name}_s"] = self.phase_seconds[name]

    def phase_handlers(self):
        """The ``mle`` phase only (a model built on this adds its own kinds)."""
        return {"mle": self.mle_step}

    def mle_step(self, batch: Any, batch_idx: int) -> int:
        """One MLE (teacher-forcing) update; returns 1 when it completes an epoch."""
        tokens = self.real_samples(batch)
        self.generator.train()
        loss = self.generator.nll(tokens)
        self.step_optimizer(self.mle_optimizer, loss, self._clip_g())
        self.record({"loss/mle": loss.detach()})
        self.after_generator_step()
        self.mle_batches_in_epoch += 1
        if self.mle_batches_in_epoch < self.trainer.num_training_batches:
            return 0
        self.mle_batches_in_epoch = 0
        self.mle_epochs_done += 1
        every = int(self.evaluation.mle_every)
        if every and self.mle_epochs_done % every == 0:
            values = {"mle/epoch": float(self.mle_epochs_done), **self.progress_metrics()}
            self.log_now(values, describe=f"mle epoch {self.mle_epochs_done}")
        return 1

    # ------------------------------------------------------------------ checkpoints
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        """Core state plus the MLE counters and the time spent per phase."""
        super().on_save_checkpoint(checkpoint)
        checkpoint["ganforge_sequence"] = {
            "mle_batches_in_epoch": self.mle_batches_in_epoch,
            "mle_epochs_done": self.mle_epochs_done,
            "phase_seconds": dict(self.phase_seconds),
        }

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        """Restore :meth:`on_save_checkpoint`."""
        super().on_load_checkpoint(checkpoint)
        state = checkpoint.get("ganforge_sequence") or {}
        for key in ("mle_batches_in_epoch", "mle_epochs_done"):
            setattr(self, key, int(state.get(key, 0)))
        self.phase_seconds = dict(state.get("phase_seconds", {}))


class MLEGenerator(SequenceModel):
    """The MLE baseline: the SeqGAN generator trained by maximum likelihood only (no discriminator)."""

    def check_phases(self) -> None:
        """Name the missing discriminator when ``model.phases`` asks for SeqGAN's other kinds."""
        needs_d = sorted({p.kind for p in self.phases.phases} & {"adversarial", "d_pretrain"})
        if needs_d:
            raise GanforgeError(
                f"model.phases: model '{self.settings.model.name}' has no discriminator and only runs 'mle' phases; got {needs_d}"
            )
        super().check_phases()
