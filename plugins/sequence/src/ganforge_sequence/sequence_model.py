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

from ganforge import AdversarialModule
from ganforge.errors import GanforgeError
from ganforge.utils import seeded

from .generator import LSTMGenerator
from .sample_stats import generator_statistics
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


def _get(node: Any, key: str, default: Any) -> Any:
    value = node.get(key, default) if node is not None else default
    return default if value is None else value


class SequenceModel(AdversarialModule):
    """An LSTM token generator trained by maximum likelihood, sampled as :class:`SequenceSamples`.

    Config (``model``): ``generator`` (``emb_dim`` 32, ``hidden_dim`` 32, ``num_layers`` 1,
    ``init_std`` 0.1), ``eval`` (``samples``: generated sequences for progress metrics;
    ``mle_every``: MLE epochs between them) and ``phases`` (kind ``mle``, steps = epochs).
    The tokenizer is rebuilt from ``spec["tokenizer"]``. Subclasses add phases through
    :meth:`phase_handlers` and networks after ``super().__init__``.
    """

    def __init__(self, cfg: Any, spec: Mapping[str, Any]):
        super().__init__(cfg, spec)
        for key in ("vocab_size", "seq_len"):
            if key not in spec:
                raise GanforgeError(f"data spec has no '{key}'; expected a sequence data module's spec")
        m = self.cfg.model
        self.vocab_size, self.seq_len = int(spec["vocab_size"]), int(spec["seq_len"])
        self.tokenizer = tokenizer_from_spec(spec["tokenizer"]) if spec.get("tokenizer") else None
        g = m.get("generator") or {}
        self.generator = LSTMGenerator(
            self.vocab_size,
            self.seq_len,
            emb_dim=int(_get(g, "emb_dim", 32)),
            hidden_dim=int(_get(g, "hidden_dim", 32)),
            num_layers=int(_get(g, "num_layers", 1)),
            start_token=int(spec.get("start_token", 0)),
            init_std=float(_get(g, "init_std", 0.1)),
        )
        self.eval_cfg = m.get("eval") or {}
        # Progress counters that are not part of the core's phase position.
        self.mle_batches_in_epoch = 0
        self.mle_epochs_done = 0
        self.phase_seconds: dict[str, float] = {}

    # ------------------------------------------------------------------ optimizers
    @property
    def mle_optimizer(self):
        """The optimizer of MLE updates of the generator: a third one when a model adds it
        after ``[G, D]`` (SeqGAN's ``separate_mle_optimizer``), else the generator's."""
        opts = self.optimizers()
        opts = opts if isinstance(opts, (list, tuple)) else [opts]
        return opts[2] if len(opts) > 2 else opts[0]

    def _clip_g(self) -> float | None:
        clip = (self.cfg.get("optim", {}) or {}).get("clip_g")
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
        n = int(_get(self.eval_cfg, "samples", 10000))
        gen = self.sampling_generator() if final else self.generator
        was_training = gen.training
        gen.eval()
        try:
            with seeded(int(self.cfg.get("seed", 0)) + 7919, self.device):
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
        every = int(_get(self.eval_cfg, "mle_every", 0))
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
                f"model.phases: model '{self.cfg.model.get('name')}' has no discriminator and only runs 'mle' phases; got {needs_d}"
            )
        super().check_phases()
