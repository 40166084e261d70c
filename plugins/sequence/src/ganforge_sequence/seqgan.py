"""SeqGAN: :class:`~ganforge_sequence.sequence_model.SequenceModel` plus a discriminator.

Training is a schedule of core phases (``model.phases``), each handled by a
``<kind>_step`` method:

* ``mle`` (:meth:`SequenceModel.mle_step`, shared with the MLE baseline): one
  maximum-likelihood update per batch; a unit is an epoch (``N // batch_size`` updates).
* ``d_pretrain`` (:meth:`SeqGAN.d_pretrain_step`): one round = sample fresh negatives
  with the generator, then ``epochs`` epochs of the discriminator on positives +
  negatives.
* ``adversarial`` (:meth:`SeqGAN.adversarial_step`): one iteration = ``g_steps``
  generator updates through :meth:`SeqGAN.generator_update` -- the core's generator
  hook, replaced here by the policy-gradient update with Monte-Carlo rollouts from
  :mod:`ganforge.policy_gradient` -- then ``d_steps`` discriminator rounds.

Every MLE and policy-gradient update is one ganforge step (``g_step``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganforge import GANSettings
from ganforge.errors import GanforgeError
from ganforge.policy_gradient import (
    DelayedPolicy,
    RewardBaseline,
    discriminator_reward,
    policy_gradient_loss,
    rollout_rewards,
)
from ganforge.schema import build

from .discriminator import CNNDiscriminator
from .schemas import (
    AdversarialGroup,
    AdversarialOptions,
    DiscriminatorOptions,
    DPretrainGroup,
    DPretrainOptions,
    GeneratorOptions,
    PolicyGradientOptions,
    SeqGANEvalOptions,
)
from .sequence_model import SequenceModel


class SeqGAN(SequenceModel):
    """SeqGAN (Yu et al., AAAI 2017): LSTM generator trained by REINFORCE against a CNN discriminator.

    Args (besides :class:`SequenceModel`'s; values of the paper / official code in
    ``conf/model/seqgan.yaml``):
        discriminator: the CNN (12 widths 1..20, highway, dropout 0.25, L2 0.2, batch 64).
        d_pretrain: ``epochs`` per round and ``negatives`` (null = as many as positives).
        adversarial: ``g_steps``, ``d_steps``, ``d_epochs``, ``negatives`` per iteration.
        pg: ``rollouts`` 16, ``update_rate`` 0.8, ``baseline``, ``reward``, ``reduction``,
            ``rollout_rows`` (see :meth:`SeqGAN.rollout_rows`), ``reward_batch``.
        evaluation: :class:`SeqGANEvalOptions` (adds ``every`` and ``d_pretrain_every``).
        separate_mle_optimizer: distinct Adam states for MLE and adversarial updates of
            the generator, as in the official code.

    Phases (``settings.phases``): e.g. ``mle_pretrain`` (kind ``mle``, steps = epochs),
    ``d_pretrain`` (steps = rounds), ``adversarial`` (steps = iterations). The generator,
    the ``mle`` phase and sampling are :class:`SequenceModel`'s; samples are
    :class:`SequenceSamples`. :meth:`from_config` is the builder.
    """

    def __init__(self, *, vocab_size: int, seq_len: int, start_token: int, tokenizer: Any | None,
                 generator: GeneratorOptions, discriminator: DiscriminatorOptions, d_pretrain: DPretrainOptions,
                 adversarial: AdversarialOptions, pg: PolicyGradientOptions, evaluation: SeqGANEvalOptions,
                 separate_mle_optimizer: bool, seed: int, settings: GANSettings):
        super().__init__(vocab_size=vocab_size, seq_len=seq_len, start_token=start_token, tokenizer=tokenizer,
                         generator=generator, evaluation=evaluation, seed=seed, settings=settings)
        d = discriminator
        self.discriminator = CNNDiscriminator(
            self.vocab_size,
            self.seq_len,
            emb_dim=int(d.emb_dim),
            filter_sizes=list(d.filter_sizes),
            num_filters=list(d.num_filters),
            highway_layers=int(d.highway_layers),
            dropout=float(d.dropout),
            l2_reg=float(d.l2_reg),
        )
        self.d_batch_size = int(d.batch_size)
        self.d_pretrain_options, self.adversarial_options, self.pg = d_pretrain, adversarial, pg
        self.rollout = DelayedPolicy(self.generator, float(pg.update_rate))
        try:
            self.baseline = RewardBaseline(str(pg.baseline), float(pg.baseline_decay))
            self.reward_kind = str(pg.reward)
            discriminator_reward(self.discriminator, self.reward_kind)
        except ValueError as exc:
            raise GanforgeError(f"model.pg: {exc}") from None
        self.num_rollouts = int(pg.rollouts)
        if self.num_rollouts < 1:
            raise GanforgeError(f"model.pg.rollouts: expected an integer >= 1, got {self.num_rollouts}")
        self.rollout_rows_setting = self.parse_rollout_rows(pg.rollout_rows)
        self.separate_mle_optimizer = bool(separate_mle_optimizer)
        self._last_pg: dict[str, float] = {}
        self.d_rounds_done = 0
        self.adversarial_iterations = 0
        self.adversarial_started = False

    @classmethod
    def builder_arguments(cls, cfg: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
        """SeqGAN's constructor arguments from a run config and data spec, each group
        typed once (subclasses such as ORGAN add theirs to these)."""
        m = cfg.model
        return dict(
            **cls.data_arguments(spec),
            generator=build(GeneratorOptions, m.generator, "model.generator"),
            discriminator=build(DiscriminatorOptions, m.discriminator, "model.discriminator"),
            d_pretrain=build(DPretrainGroup, m.d_pretrain, "model.d_pretrain"),
            adversarial=build(AdversarialGroup, m.adversarial, "model.adversarial"),
            pg=build(PolicyGradientOptions, m.pg, "model.pg"),
            evaluation=build(SeqGANEvalOptions, m.eval, "model.eval"),
            separate_mle_optimizer=bool(m.separate_mle_optimizer),
            seed=int(cfg.seed),
            settings=GANSettings.from_config(cfg),
        )

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> SeqGAN:
        """The builder (see :meth:`builder_arguments`)."""
        return cls(**cls.builder_arguments(cfg, spec))

    # ------------------------------------------------------------------ optimizers
    def configure_optimizers(self):
        """``[G policy-gradient, D, G MLE]`` (or ``[G, D]`` with one G optimizer)."""
        opts = super().configure_optimizers()
        if self.separate_mle_optimizer:
            o = self.settings.optim
            opts.append(self.build_optimizer(self.generator.parameters(), o.lr_g))
        return opts

    # ------------------------------------------------------------------ phases
    def phase_handlers(self):
        """MLE pretraining, discriminator pretraining and the policy-gradient adversarial phase."""
        return {**super().phase_handlers(), "d_pretrain": self.d_pretrain_step, "adversarial": self.adversarial_step}

    def d_pretrain_step(self, batch: Any, batch_idx: int) -> int:
        """One discriminator pretraining round (fresh negatives + ``epochs`` epochs)."""
        c = self.d_pretrain_options
        logs = self.discriminator_round(int(c.epochs), c.negatives)
        self.d_rounds_done += 1
        self.record(logs)
        every = int(self.evaluation.d_pretrain_every)
        if every and self.d_rounds_done % every == 0:
            self.log_now({"d_pretrain/round": float(self.d_rounds_done), **logs}, describe=f"d_pretrain round {self.d_rounds_done}")
        return 1

    def adversarial_step(self, batch: Any, batch_idx: int) -> int:
        """One SeqGAN iteration: ``g_steps`` policy-gradient updates, then ``d_steps`` D rounds."""
        a = self.adversarial_options
        if not self.adversarial_started:
            # The rollout network starts as a copy of the pretrained generator.
            self.rollout.reset(self.generator)
            self.adversarial_started = True
        g_logs: list[dict[str, float]] = []
        for _ in range(int(a.g_steps)):
            self.generator_update(batch)
            g_logs.append(self._last_pg)
        d_logs: list[dict[str, float]] = []
        for _ in range(int(a.d_steps)):
            d_logs.append(self.discriminator_round(int(a.d_epochs), a.negatives))
        self.adversarial_iterations += 1
        values = {"adv/iteration": float(self.adversarial_iterations)}
        for logs in (g_logs, d_logs):
            for key in logs[0] if logs else ():
                values[key] = sum(entry[key] for entry in logs) / len(logs)
        self.record({k: v for k, v in values.items() if k.startswith(("d/", "loss/"))})
        every = int(self.evaluation.every)
        if every and self.adversarial_iterations % every == 0:
            values.update(self.progress_metrics())
        self.log_now(values, describe=f"adversarial iteration {self.adversarial_iterations}")
        return 1

    # ------------------------------------------------------------------ updates
    #: On a CPU, ``auto`` rollout blocks keep the ``rows x vocabulary`` logit table near
    #: this many floats (10 MB): 512 rows for the oracle's 5,000 tokens. With the two-level
    #: inverse CDF and the reused logit buffers of ``ganforge.policy_gradient``, CPU time per
    #: 9,728 completions went from 1.08 s (64-row blocks) to 0.82-0.90 s (256-1,024 rows,
    #: within noise of each other on the shared test machine) and up to 1.3 s at 2,048 rows
    #: (the table outgrows the cache).
    CPU_ROLLOUT_TABLE = 512 * 5000

    def rollout_rows(self) -> int | None:
        """How many rollout completions to generate at once (``None`` = all of them).

        ``auto``: all on a GPU, where big batches amortise kernel launches; on a CPU,
        blocks whose logit tables stay near cache size (512 rows for 5,000 tokens): all
        9,728 completions of a 64 x 8 x 19 rollout at once ran 2-3x slower.
        """
        rows = self.rollout_rows_setting
        if rows is None:
            return None if self.device.type == "cuda" else max(64, self.CPU_ROLLOUT_TABLE // self.vocab_size)
        return rows

    @staticmethod
    def parse_rollout_rows(value: int | str | None) -> int | None:
        """``model.pg.rollout_rows`` as a block size, ``None`` for ``auto``/null."""
        if value is None or value == "auto":
            return None
        try:
            rows = int(value)
        except (TypeError, ValueError):
            rows = 0
        if isinstance(value, bool) or rows < 1:
            raise GanforgeError(f"model.pg.rollout_rows: expected auto or an integer >= 1, got {value!r}")
        return rows

    def reward_function(self):
        """The reward of complete sequences: the discriminator (eval mode) per ``model.pg.reward``.

        Override to reward from another source (e.g. a task metric).
        """
        return discriminator_reward(self.discriminator, self.reward_kind)

    def generator_update(self, batch: Any) -> int:
        """Policy-gradient update (replaces the core's differentiable generator update).

        Samples ``len(batch)`` sequences from the generator, scores every prefix with
        ``pg.rollouts`` Monte-Carlo completions of the delayed rollout policy, and
        minimises ``-sum log p(y_t|y_<t) (Q_t - b_t)``; then moves the rollout policy
        toward the generator.
        """
        n = self.batch_size_of(batch)
        gen, disc = self.generator, self.discriminator
        disc_was_training = disc.training
        with torch.no_grad():
            tokens = gen.sample(n)
            disc.eval()
            try:
                q = rollout_rewards(
                    self.rollout,
                    tokens,
                    self.reward_function(),
                    self.num_rollouts,
                    max_rows=self.rollout_rows(),
                    reward_batch=int(self.pg.reward_batch),
                )
            finally:
                disc.train(disc_was_training)
        gen.train()
        advantages = self.baseline(q)
        loss = policy_gradient_loss(
            gen.token_log_probs(tokens), advantages, reduction=str(self.pg.reduction)
        )
        self.step_optimizer(self.g_optimizer, loss, self._clip_g())
        self.rollout.update(gen)
        self._last_pg = {
            "loss/g_pg": float(loss.detach()),
            "pg/mean_reward": float(q.mean()),
            "pg/final_reward": float(q[:, -1].mean()),
        }
        self.record(self._last_pg)
        self.after_generator_step()
        return 1

    def discriminator_round(self, epochs: int, negatives: int | None) -> dict[str, float]:
        """Fresh negatives from the generator, then ``epochs`` epochs on shuffled positives+negatives.

        Mini-batches of ``model.discriminator.batch_size`` (the remainder is dropped, as in
        the official loader); loss = BCE on the "real" logit (the 2-class cross-entropy)
        + the output-layer L2 term. Returns mean loss and the accuracy on real/fake
        (eval mode, after the round).
        """
        disc = self.discriminator
        pos = self.datamodule.positives(self.device)
        n_neg = pos.shape[0] if negatives is None else int(negatives)
        with torch.no_grad():
            was = self.generator.training
            self.generator.eval()
            neg = self.generator.sample(n_neg)
            self.generator.train(was)
        x = torch.cat([pos, neg])
        y = torch.cat([torch.ones(pos.shape[0], device=self.device), torch.zeros(n_neg, device=self.device)])
        bs = min(self.d_batch_size, x.shape[0])
        disc.train()
        # Summed on the device: a float() per batch would make the host wait for the GPU
        # on each of the thousands of D updates of a round.
        total, count = torch.zeros((), device=self.device), 0
        for _ in range(epochs):
            order = torch.randperm(x.shape[0], device=self.device)
            for start in range(0, x.shape[0] - bs + 1, bs):
                idx = order[start : start + bs]
                loss = F.binary_cross_entropy_with_logits(disc(x[idx]), y[idx]) + disc.l2_penalty()
                self.step_optimizer(self.d_optimizer, loss)
                total += loss.detach()
                count += 1
        acc_real, acc_fake = self.discriminator_accuracy(pos, neg)
        return {"loss/d": float(total) / max(count, 1), "d/acc_real": acc_real, "d/acc_fake": acc_fake}

    @torch.no_grad()
    def discriminator_accuracy(self, real: Tensor, fake: Tensor, limit: int = 2000) -> tuple[float, float]:
        """Fraction of (at most ``limit``) real sequences called real, and fake ones called fake."""
        disc = self.discriminator
        was = disc.training
        disc.eval()
        try:
            acc_real = float((torch.cat([disc(c) for c in torch.split(real[:limit], 1024)]) > 0).float().mean())
            acc_fake = float((torch.cat([disc(c) for c in torch.split(fake[:limit], 1024)]) <= 0).float().mean())
        finally:
            disc.train(was)
        return acc_real, acc_fake

    # ------------------------------------------------------------------ checkpoints
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        """The shared state plus the SeqGAN counters and the reward baseline."""
        super().on_save_checkpoint(checkpoint)
        average = self.baseline.average
        checkpoint["ganforge_sequence"].update(
            d_rounds_done=self.d_rounds_done,
            adversarial_iterations=self.adversarial_iterations,
            adversarial_started=self.adversarial_started,
            baseline_average=None if average is None else average.cpu(),
        )

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        """Restore :meth:`on_save_checkpoint`."""
        super().on_load_checkpoint(checkpoint)
        state = checkpoint.get("ganforge_sequence") or {}
        for key in ("d_rounds_done", "adversarial_iterations"):
            setattr(self, key, int(state.get(key, 0)))
        self.adversarial_started = bool(state.get("adversarial_started", False))
        if state.get("baseline_average") is not None:
            self.baseline.average = state["baseline_average"].to(self.device)
