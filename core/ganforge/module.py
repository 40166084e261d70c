"""``AdversarialModule``: the adversarial training loop every ganforge model builds on.

Manual optimization, so that a model controls exactly which network steps when:

* ``training_step`` dispatches the current phase (see :mod:`ganforge.phases`) to the
  handler ``<kind>_step(batch, batch_idx) -> units``. The core provides
  ``adversarial_step``: one discriminator update per batch and, every ``n_critic``
  batches, one generator update through :meth:`generator_update` -- the hook a model
  replaces (e.g. with a policy-gradient update for discrete sequences).
* One ganforge **step** is one generator update (``self.g_step``), whatever phase
  performed it; ``trainer.max_steps`` in the config counts those. Lightning's own
  ``trainer.global_step`` counts every optimizer step (D and G) and is not used.
* An EMA copy of the generator (``ema.decay > 0``) is used by :meth:`sample`, hence by
  sample export and metrics, when ``ema.use_for_sampling`` is true.

Subclasses set ``self.generator`` and ``self.discriminator`` in ``__init__`` (after
``super().__init__``) and implement :meth:`generate`; everything else has defaults
suited to unconditional GANs over continuous tensors.

Around it: :mod:`ganforge._internal.step_logs` (``record``/``log_now``/``pop_logs``, a base of the
module), :mod:`ganforge._internal.optimizers` (``OptimizerSteps``, a base: optimizers, clipping, lr decay) and :mod:`ganforge._internal.rng`
(RNG states in checkpoints).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import lightning.pytorch as pl
import torch
from omegaconf import DictConfig, OmegaConf
from torch import nn

import ganforge
from ganforge._internal.optimizers import OptimizerSteps
from ganforge._internal.rng import capture_rng, restore_rng
from ganforge._internal.step_logs import StepLogs, _attached
from ganforge.ema import EMA
from ganforge.errors import GanforgeError, choices_error
from ganforge.losses import get_loss
from ganforge.penalties import gradient_penalty, r1_penalty
from ganforge.phases import PhaseSchedule
from ganforge.settings import GANSettings

__all__ = ["AdversarialModule", "GANSettings"]


class AdversarialModule(StepLogs, OptimizerSteps, pl.LightningModule):
    """Base LightningModule for ganforge models (see the module docstring).

    Args:
        settings: the loop's typed settings (loss, n_critic, penalties, phases, optim,
            ema, max_steps); :meth:`GANSettings.from_config` builds them from a run config.

    A subclass takes its own flat, typed keyword arguments plus ``settings`` and provides
    the builder ``from_config(cfg, spec)`` that reads them from a run config once. The core
    attaches the run config and data spec it built the module from
    (:meth:`attach_run_config`) only to store them in checkpoints; modules never read them.
    """

    #: extra ``gan-sample`` options this model understands (``gan-plugins`` lists them);
    #: empty means the domain's :meth:`~ganforge.plugin.DomainPlugin.sample_options`
    SAMPLE_OPTIONS: tuple[str, ...] = ()

    def __init__(self, settings: GANSettings):
        super().__init__()
        if not isinstance(settings, GANSettings):  # e.g. a model still written for (cfg, spec)
            raise TypeError(f"{type(self).__name__}: AdversarialModule takes GANSettings (GANSettings.from_config(cfg) "
                            f"in the model's from_config builder, or GANSettings.defaults()), got {type(settings).__name__}")
        self.run_config: DictConfig | None = None
        self.spec: dict[str, Any] = {}
        self.automatic_optimization = False
        self.settings = settings
        self.generator: nn.Module | None = None
        self.discriminator: nn.Module | None = None
        self.ema: EMA | None = None
        model = settings.model
        self.loss_fn = get_loss(model.loss)
        self.n_critic = int(model.n_critic)
        if self.n_critic < 1:
            raise GanforgeError(f"model.n_critic: expected an integer >= 1, got {self.n_critic}")
        self.gp_weight = float(model.gp_weight)
        self.r1_gamma = float(model.r1_gamma)
        self.latent_dim = int(model.latent_dim)
        self.phases = PhaseSchedule(settings.phases) if settings.phases else PhaseSchedule.from_config(None)
        self.check_phases()  # a phase kind the model lacks is a one-line error now, not mid-run
        self.max_steps = settings.max_steps
        self.g_step = 0
        self._d_since_g = 0
        self._keep_fake = False
        self._kept_fake: torch.Tensor | None = None
        self._reuse_fake: bool | None = None
        self.init_step_logs()
        self._stop_requested = False
        self.stop_reason = ""

    @classmethod
    def from_config(cls, cfg: DictConfig, spec: Mapping[str, Any]) -> AdversarialModule:
        """The builder: this model from a composed run config and the data module's
        ``spec()``. Subclasses with their own arguments override it and read each key
        once (``cfg.model.<key>``, defaults in the YAML or schema)."""
        return cls(settings=GANSettings.from_config(cfg))

    def attach_run_config(self, cfg: DictConfig, spec: Mapping[str, Any]) -> None:
        """Remember the run config and data spec this module was built from (the core
        calls this after the plugin's builder), to store them in checkpoints so that
        ``gan-sample`` can rebuild the model from the checkpoint alone."""
        self.run_config = cfg
        self.spec = dict(spec)

    # ------------------------------------------------------------------ networks
    def generator_parameters(self) -> Iterator[nn.Parameter]:
        """Parameters the generator optimizer updates."""
        return self.generator.parameters()

    def discriminator_parameters(self) -> Iterator[nn.Parameter]:
        """Parameters the discriminator optimizer updates."""
        return self.discriminator.parameters()

    def build_ema(self) -> None:
        """Create the EMA copy of the generator if configured (idempotent).

        Called from :meth:`setup` and by checkpoint loading, i.e. after the subclass
        has built its networks and before weights are restored.
        """
        ema = self.settings.ema
        if self.ema is None and ema.decay > 0 and self.generator is not None:
            self.ema = EMA(self.generator, float(ema.decay), int(ema.start_step))

    def setup(self, stage: str) -> None:
        """Lightning hook: finish building (EMA) before weights are restored or wrapped."""
        if self.generator is None:
            raise GanforgeError(f"{type(self).__name__} did not set self.generator in __init__")
        self.build_ema()

    def sampling_generator(self) -> nn.Module:
        """The generator used for samples and metrics: the EMA copy when enabled."""
        if self.ema is not None and self.settings.ema.use_for_sampling:
            return self.ema.shadow
        return self.generator

    # ------------------------------------------------------------------ hooks with defaults
    def real_samples(self, batch: Any) -> torch.Tensor:
        """The real data the discriminator sees (default: first element of the batch)."""
        return batch[0] if isinstance(batch, (list, tuple)) else batch

    def batch_size_of(self, batch: Any) -> int:
        """Number of examples in ``batch``."""
        return int(self.real_samples(batch).shape[0])

    def sample_noise(self, n: int) -> torch.Tensor:
        """Latent noise for ``n`` samples (default N(0, I) of ``model.latent_dim``)."""
        return torch.randn(n, self.latent_dim, device=self.device)

    def generate(self, generator: nn.Module, n: int, **options: Any) -> Any:
        """Draw ``n`` samples from ``generator`` (default: ``generator(noise)``)."""
        if options:
            raise GanforgeError(
                f"{type(self).__name__} takes no sampling options, got {sorted(options)}"
            )
        return generator(self.sample_noise(n))

    def generator_forward(self, generator: nn.Module, batch: Any) -> torch.Tensor:
        """Fake data for one training batch (conditional models use the batch's labels/inputs)."""
        return self.generate(generator, self.batch_size_of(batch))

    def discriminate(self, x: torch.Tensor, batch: Any) -> torch.Tensor:
        """Discriminator outputs for data ``x`` (conditional models read conditions from ``batch``)."""
        return self.discriminator(x)

    def discriminator_loss(self, batch: Any) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Adversarial loss of the discriminator plus the configured penalties."""
        real = self.real_samples(batch)
        if self._keep_fake:
            # Computed with grad once and kept for this batch's generator update (see
            # reuse_fake_batch); D trains on a detached view.
            self._kept_fake = self.generator_forward(self.generator, batch)
            fake = self._kept_fake.detach()
        else:
            with torch.no_grad():
                fake = self.generator_forward(self.generator, batch)
        d_real = self.discriminate(real, batch)
        d_fake = self.discriminate(fake, batch)
        loss = self.loss_fn.d_loss(d_real, d_fake)
        logs = {"loss/d": loss.detach(), "d/real": d_real.detach().mean(), "d/fake": d_fake.detach().mean()}
        if self.gp_weight > 0:
            with self.double_backward_context():
                gp = gradient_penalty(lambda x: self.discriminate(x, batch), real, fake)
            loss = loss + self.gp_weight * gp
            logs["loss/gp"] = gp.detach()
        if self.r1_gamma > 0:
            with self.double_backward_context():
                r1 = r1_penalty(lambda x: self.discriminate(x, batch), real)
            loss = loss + 0.5 * self.r1_gamma * r1
            logs["loss/r1"] = r1.detach()
        return loss, logs

    def double_backward_context(self):
        """Context for a penalty's critic forward: gradient penalties differentiate twice
        and cuDNN's RNN kernels cannot, so cuDNN is off there when D holds an RNN on a GPU.
        Models with their own penalty code wrap it in this too."""
        has_rnn = self.discriminator is not None and any(isinstance(m, nn.RNNBase) for m in self.discriminator.modules())
        return torch.backends.cudnn.flags(enabled=False) if has_rnn and self.device.type == "cuda" else contextlib.nullcontext()

    def generator_loss(self, batch: Any) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Adversarial loss of the generator (on the D step's fake batch when it was kept)."""
        fake, self._kept_fake = self._kept_fake, None
        if fake is None:
            fake = self.generator_forward(self.generator, batch)
        loss = self.loss_fn.g_loss(self.discriminate(fake, batch))
        return loss, {"loss/g": loss.detach()}

    def discriminator_update(self, batch: Any) -> None:
        """One discriminator update on ``batch``."""
        loss, logs = self.discriminator_loss(batch)
        clip = self.settings.optim.clip_d
        self.step_optimizer(self.d_optimizer, loss, clip)
        self.record(logs)

    def generator_update(self, batch: Any) -> int:
        """One generator update; returns the number of generator updates done (1).

        This is the hook models replace (e.g. policy gradient for discrete tokens).
        Replacements must call :meth:`after_generator_step` once per update.
        """
        opt = self.g_optimizer
        self.toggle_optimizer(opt)  # D weights get no gradients during the G step
        try:
            loss, logs = self.generator_loss(batch)
            self.step_optimizer(opt, loss, self.settings.optim.clip_g)
        finally:
            self.untoggle_optimizer(opt)
        self.record(logs)
        self.after_generator_step()
        return 1

    def after_generator_step(self) -> None:
        """Bookkeeping after every generator update: step count, EMA, learning-rate decay."""
        self.g_step += 1
        if self.ema is not None:
            self.ema.update(self.generator, self.g_step)
        self._apply_lr_decay()

    # ------------------------------------------------------------------ phases
    def adversarial_step(self, batch: Any, batch_idx: int) -> int:
        """Core phase handler: D update every batch, G update every ``n_critic`` batches."""
        if self.discriminator is not None:
            # The G update follows on this batch: keep the D step's fake (with grad).
            self._keep_fake = self._d_since_g + 1 >= self.n_critic and self.reuse_fake_batch
            try:
                self.discriminator_update(batch)
            finally:
                self._keep_fake = False
            self._d_since_g += 1
            if self._d_since_g < self.n_critic:
                self._kept_fake = None
                return 0
        self._d_since_g = 0
        try:
            return self.generator_update(batch)
        finally:
            self._kept_fake = None

    @property
    def reuse_fake_batch(self) -> bool:
        """Whether the generator update reuses the fake batch of the D step before it.

        As in the PyTorch DCGAN example: ``G(z)`` is computed once, with grad; D trains on
        it detached, then the G loss back-propagates through the same batch -- one
        generator forward per step instead of two. ``model.reuse_fake``: ``auto`` (the
        default) reuses when ``n_critic == 1`` and the model keeps the core's
        ``generator_loss``/``generator_update``; ``false`` draws fresh noise for the G
        update (models that need independent noise); ``true`` forces it (a model whose
        own ``generator_loss`` calls the core's) and, with ``n_critic > 1``, reuses the
        batch of the last D step before each G update: one no-grad generator forward
        fewer per G update. ``auto`` keeps fresh noise there, so WGAN-GP runs measured
        before this option existed reproduce; WaveGAN's config opts in.
        """
        if self._reuse_fake is None:
            value = str(self.settings.model.reuse_fake).lower()  # checked by the schema: true, false or auto
            own = type(self).generator_loss is AdversarialModule.generator_loss and (
                type(self).generator_update is AdversarialModule.generator_update
            )
            self._reuse_fake = value == "true" or (value == "auto" and own and self.n_critic == 1)
        return self._reuse_fake

    def phase_handlers(self) -> Mapping[str, Callable[[Any, int], int]]:
        """The phase kinds this model implements: ``kind -> handler(batch, batch_idx) ->
        units done``. The core provides ``adversarial``; a model with other phases (MLE
        pretraining, discriminator pretraining ...) returns its own mapping, usually
        ``{**super().phase_handlers(), "mle": self.mle_step}``. Configured phases
        (``model.phases``) are checked against it when the model is built."""
        return {"adversarial": self.adversarial_step}

    def check_phases(self) -> None:
        """One line naming the model's real phase kinds when ``model.phases`` asks for another."""
        handlers = self.phase_handlers()
        for phase in self.phases.phases:
            if phase.kind not in handlers:
                raise choices_error("phase kind", phase.kind, sorted(handlers), where=f"model.phases ({type(self).__name__})")

    def phase_handler(self, kind: str) -> Callable[[Any, int], int]:
        """The handler of phase ``kind`` (see :meth:`phase_handlers`)."""
        handlers = self.phase_handlers()
        if kind not in handlers:
            raise choices_error("phase kind", kind, sorted(handlers), where=f"model.phases ({type(self).__name__})")
        return handlers[kind]

    @property
    def training_done(self) -> bool:
        """True when every phase finished, ``trainer.max_steps`` generator updates were
        done, or the model called :meth:`request_stop` (early stopping)."""
        return (
            self._stop_requested
            or self.phases.finished
            or (self.max_steps is not None and self.g_step >= self.max_steps)
        )

    def request_stop(self, reason: str = "") -> None:
        """End training after the current batch (e.g. a quality threshold or patience ran out)."""
        self._stop_requested = True
        self.stop_reason = reason

    def on_train_batch_start(self, batch: Any, batch_idx: int):
        """Skip batches once training is done (the schedule callback then stops the trainer)."""
        if self.training_done:
            return -1
        return None

    def on_train_batch_end(self, outputs: Any, batch: Any, batch_idx: int) -> None:
        """Ask the Trainer to stop once the phases or ``max_steps`` are done."""
        if self.training_done:
            self.trainer.should_stop = True

    def training_step(self, batch: Any, batch_idx: int) -> None:
        """Run the current phase's handler and advance the phase schedule."""
        phase = self.phases.current
        units = self.phase_handler(phase.kind)(batch, batch_idx)
        self.phases.advance(int(units or 0))

    # ------------------------------------------------------------------ sampling
    @torch.no_grad()
    def sample(self, n: int, **options: Any) -> Any:
        """Draw ``n`` samples with the sampling generator in eval mode."""
        gen = self.sampling_generator()
        was_training = gen.training
        gen.eval()
        try:
            return self.generate(gen, n, **options)
        finally:
            gen.train(was_training)

    # ------------------------------------------------------------------ checkpoints
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        """Store config, data spec, step counters, phase position and RNG states."""
        if self.run_config is None:
            raise GanforgeError(f"{type(self).__name__}: no run config attached; checkpoints are written by "
                                "ganforge.train (or call attach_run_config(cfg, spec) first)")
        checkpoint["ganforge"] = {
            "version": ganforge.__version__,
            "cfg": OmegaConf.to_container(self.run_config, resolve=True),
            "spec": self.spec,
            "g_step": self.g_step,
            "d_since_g": self._d_since_g,
            "phases": self.phases.state_dict(),
            "rng": capture_rng(),
        }

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        """Restore what :meth:`on_save_checkpoint` stored (RNG only when training resumes)."""
        state = checkpoint.get("ganforge")
        if state is None:
            raise GanforgeError("checkpoint has no 'ganforge' section; expected a checkpoint written by gan-run")
        self.g_step = int(state["g_step"])
        self._d_since_g = int(state.get("d_since_g", 0))
        self.phases.load_state_dict(state["phases"])
        if _attached(self) and state.get("rng"):
            restore_rng(state["rng"])
