"""The optimizers a model's ``optim.name`` selects, and :class:`OptimizerSteps`: the
optimizer half of :class:`~ganforge.module.AdversarialModule` (G and D optimizers from
``settings.optim``, clipping, the linear learning-rate decay)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from ganforge.errors import GanforgeError, choices_error

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "sgd": torch.optim.SGD,
}


def make_optimizer(name: str, params: Iterable[torch.nn.Parameter], lr: float, weight_decay: float,
                   betas: tuple[float, float] = (0.5, 0.999), fused: Any = "auto",
                   **extra: Any) -> torch.optim.Optimizer:
    """``OPTIMIZERS[name]`` over ``params``; Adam/AdamW get ``betas`` and, with ``fused``
    ``true`` (or ``auto`` when every parameter is a floating-point tensor on the CPU or a
    CUDA device), the fused kernel; ``extra`` (e.g. ``eps``) goes to the optimizer as is."""
    params = list(params)
    kwargs = {"lr": float(lr), "weight_decay": float(weight_decay), **extra}
    if name in ("adam", "adamw"):
        kwargs["betas"] = betas
        if fused is True or (fused == "auto" and fused_kernel_supported(params)):
            kwargs["fused"] = True
    return OPTIMIZERS[name](params, **kwargs)


def fused_kernel_supported(params: list[torch.nn.Parameter]) -> bool:
    """Whether torch's fused Adam/AdamW kernel takes ``params``: floating-point tensors on
    the CPU or on CUDA, all on one device type.

    Why it is the default there: one kernel per step instead of a loop over the tensors.
    On a GPU the loop's launches dominate small networks (SeqGAN's D, NetGAN); on the CPU
    the fused kernel made DCGAN's two Adam steps 5.1 -> 0.9 ms (1 thread, 1.7M parameters),
    about 3% of a 32x32 training step (``bench/overhead.py``). The update is Adam's; only
    the rounding order differs from the per-tensor loop.
    """
    if not params:
        return False
    kinds = {p.device.type for p in params}
    return len(kinds) == 1 and kinds <= {"cpu", "cuda"} and all(p.is_floating_point() for p in params)


class OptimizerSteps:
    """Mixin of :class:`~ganforge.module.AdversarialModule`: one optimizer for G and one for
    D (``settings.optim``), stepping with optional norm clipping, and the linear lr decay."""

    def configure_optimizers(self):
        """Adam (or ``optim.name``) for G and, if there is one, for D, with their own lr."""
        o = self.settings.optim
        opts = [self.build_optimizer(self.generator_parameters(), o.lr_g, weight_decay=o.weight_decay_g)]
        if self.discriminator is not None:
            opts.append(self.build_optimizer(self.discriminator_parameters(), o.lr_d, weight_decay=o.weight_decay_d))
        return opts

    def build_optimizer(self, params: Iterable[torch.nn.Parameter], lr: float, *, weight_decay: float = 0.0,
                        betas: tuple[float, float] | None = None, **extra: Any) -> torch.optim.Optimizer:
        """An optimizer of this run's ``optim.name`` over ``params`` with ``optim.fused``
        applied: what a model that overrides :meth:`configure_optimizers` (a third
        optimizer, lazy-regularisation lr scaling) builds its optimizers with, so each gets
        the same choice of kernel. ``betas`` default to ``optim.betas``; ``extra`` (e.g.
        ``eps``) goes to the optimizer."""
        o = self.settings.optim
        name = str(o.name).lower()
        if name not in OPTIMIZERS:
            raise choices_error("optimizer", name, OPTIMIZERS, where="optim.name")
        betas = tuple(o.betas) if betas is None else tuple(betas)
        return make_optimizer(name, params, lr=lr, weight_decay=weight_decay, betas=betas, fused=o.fused, **extra)

    @property
    def g_optimizer(self):
        """The generator's (Lightning-wrapped) optimizer."""
        opts = self.optimizers()
        return opts[0] if isinstance(opts, (list, tuple)) else opts

    @property
    def d_optimizer(self):
        """The discriminator's (Lightning-wrapped) optimizer."""
        opts = self.optimizers()
        if not isinstance(opts, (list, tuple)) or len(opts) < 2:
            raise GanforgeError(f"{type(self).__name__} has no discriminator optimizer")
        return opts[1]

    def step_optimizer(self, optimizer, loss: torch.Tensor, clip: float | None = None) -> None:
        """Zero grads, backward ``loss`` (precision/strategy aware), clip by norm, step."""
        optimizer.zero_grad(set_to_none=True)
        self.manual_backward(loss)
        if clip:
            self.clip_gradients(optimizer, gradient_clip_val=float(clip), gradient_clip_algorithm="norm")
        optimizer.step()

    def _apply_lr_decay(self) -> None:
        # Linear decay to zero between optim.decay_start and max_steps (pix2pix/CycleGAN
        # schedule); set per step from g_step so resume needs no scheduler state.
        o = self.settings.optim
        start = o.decay_start
        if start is None or self.max_steps is None or self.max_steps <= int(start):
            return
        factor = 1.0 - max(0, self.g_step - int(start)) / float(self.max_steps - int(start))
        opts = self.optimizers()
        opts = opts if isinstance(opts, (list, tuple)) else [opts]
        base = [o.lr_g, o.lr_d]
        for opt, lr in zip(opts, base):
            for group in opt.param_groups:
                group["lr"] = float(lr) * max(factor, 0.0)

