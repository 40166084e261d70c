"""Divergence guard: stop (or skip the update) when losses or gradients stop being finite.

Every optimizer step of every model goes through Lightning's ``on_before_optimizer_step``
hook, so the guard sees the gradients of all networks, whatever phase or custom update
produced them. Per step it only queues device work: the total gradient norm (one fused
kernel) and an ``isfinite`` flag folded into a device tensor together with the step and
phase of the first failure. The host reads that flag at the boundaries where it already
waits for the device (logging, samples, metrics, checkpoints), so a GPU run gains no
per-step synchronisation. Before every checkpoint the guard also checks every parameter
(the EMA copy included): a non-finite checkpoint is never written, so
``checkpoints/last.ckpt`` keeps the last finite state.

``run.on_nonfinite=skip`` drops an update whose gradients are not finite instead; that
decision needs the flag before ``optimizer.step()``, i.e. one host synchronisation per
update (documented cost of ``skip``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import lightning.pytorch as pl
import torch
from lightning.pytorch.callbacks import Callback

from ganforge.errors import GanforgeError

MODES = ("stop", "skip")


class Diverged(Exception):
    """Training produced non-finite values; the message is the one line users see."""

    def __init__(self, step: int, phase: str, what: str, kept_step: int | None):
        self.step, self.phase, self.what, self.kept_step = step, phase, what, kept_step
        kept = (
            f"checkpoints/last.ckpt keeps step {kept_step}" if kept_step is not None else "no finite checkpoint was saved"
        )
        super().__init__(f"diverged at step {step} (phase {phase}): {what}; {kept}")


def _nonfinite_items(values: Mapping[str, float]) -> list[str]:
    return [f"{k}={v}" for k, v in sorted(values.items()) if isinstance(v, float) and not math.isfinite(v)]


def first_nonfinite(named: Iterable[tuple[str, torch.Tensor]]) -> str | None:
    """Name of the first tensor holding a NaN/inf, or ``None`` (one host synchronisation)."""
    items = [(name, t) for name, t in named if t.is_floating_point() and t.numel()]
    if not items:
        return None
    flags = torch.stack([torch.isfinite(t).all().to(items[0][1].device) for _, t in items])
    if bool(flags.all()):
        return None
    return items[int((~flags).nonzero()[0])][0]


def module_tensors(module: torch.nn.Module) -> Iterable[tuple[str, torch.Tensor]]:
    """Parameters and buffers (BatchNorm statistics can overflow while losses still look fine)."""
    yield from module.named_parameters()
    yield from module.named_buffers()


class DivergenceGuard(Callback):
    """Watches gradients per optimizer step and parameters before saves (module docstring)."""

    def __init__(self, mode: str = "stop"):
        if mode not in MODES:
            raise GanforgeError(f"run.on_nonfinite={mode}: expected one of {', '.join(MODES)}")
        self.mode = mode
        self.skipped = 0
        self._bad: torch.Tensor | None = None  # [flag, step, phase index] of the first failure
        self.saved_step: int | None = None

    # ------------------------------------------------------------------ per step
    def on_before_optimizer_step(self, trainer: pl.Trainer, module: Any, optimizer: Any) -> None:
        """Fold the finiteness of this update's gradients into the device flag (or skip it)."""
        if getattr(trainer.precision_plugin, "scaler", None) is not None:
            return  # fp16 AMP: overflowing gradients are expected; the GradScaler skips those steps
        grads = [p.grad for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
        if not grads:
            return
        norm = torch.nn.utils.get_total_norm(grads, norm_type=2.0)
        finite = torch.isfinite(norm)
        if self.mode == "skip":
            if not bool(finite):  # the one synchronisation skip mode needs
                for group in optimizer.param_groups:
                    for p in group["params"]:
                        p.grad = None  # optimizers leave parameters without grad untouched
                self.skipped += 1
                module.record({"guard/skipped": 1.0})
            return
        step = module.g_step + 1  # the update belongs to the step in progress
        # torch.full launches a fill kernel; torch.tensor(value, device=cuda) would be a
        # blocking host-to-device copy, i.e. the per-step synchronisation avoided here
        here = torch.stack([
            (~finite).to(torch.float64),
            torch.full((), float(step), dtype=torch.float64, device=norm.device),
            torch.full((), float(module.phases.index), dtype=torch.float64, device=norm.device),
        ])
        if self._bad is None:
            self._bad = torch.zeros(3, dtype=torch.float64, device=norm.device)
        # keep the first failure: replace only while no failure is recorded yet
        self._bad = torch.where(self._bad[0] > 0, self._bad, here)

    # ------------------------------------------------------------------ boundaries
    def check(self, module: Any, logged: Mapping[str, float] | None = None, params: bool = False) -> None:
        """Raise :class:`Diverged` if a gradient, a logged loss or (``params``) a weight or
        buffer is not finite. The message names the step, phase and the latest losses."""
        values = dict(logged) if logged else dict(module.last_logs)
        bad_logs = _nonfinite_items(values)
        losses = ", ".join(f"{k}={v:.4g}" for k, v in sorted(values.items()) if k.startswith("loss/"))
        suffix = f"; losses: {losses}" if losses else ""
        phase_names = [p.name for p in module.phases.phases]
        if self._bad is not None:
            flag, step, phase = (float(x) for x in self._bad.tolist())
            if flag > 0:
                name = phase_names[min(int(phase), len(phase_names) - 1)]
                raise Diverged(int(step), name, "non-finite gradient" + suffix, self.saved_step)
        if logged and bad_logs and self.mode == "stop":
            raise Diverged(module.g_step, module.phases.current.name, "non-finite " + ", ".join(bad_logs), self.saved_step)
        bad = first_nonfinite(module_tensors(module)) if params else None
        if bad is not None:
            raise Diverged(module.g_step, module.phases.current.name, f"non-finite weights ({bad}){suffix}", self.saved_step)

    def state_dict(self) -> dict:
        """Skipped-update count (checkpointed so a resumed run keeps counting)."""
        return {"skipped": self.skipped}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore :meth:`state_dict`."""
        self.skipped = int(state_dict.get("skipped", 0))
