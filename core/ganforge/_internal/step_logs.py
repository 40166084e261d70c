"""How a model reports scalar values: averaged per logging interval, or right away.

:class:`StepLogs` is a base of :class:`~ganforge.module.AdversarialModule`; its values
reach the loggers at the generator step (``g_step``), the x-axis of every ganforge run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import lightning.pytorch as pl
import torch

log = logging.getLogger("ganforge")


class StepLogs:
    """``record`` (averaged over the logging interval), ``log_now`` (sent right away) and
    ``pop_logs`` (what :class:`~ganforge._internal.callbacks.StepSchedule` sends every
    ``run.log_every`` steps). ``last_logs`` holds the latest value of every key."""

    g_step: int

    def init_step_logs(self) -> None:
        """Start with nothing recorded (called by the module's ``__init__``)."""
        self._pending_logs: dict[str, list[torch.Tensor]] = defaultdict(list)
        self.last_logs: dict[str, float] = {}

    def record(self, logs: Mapping[str, Any]) -> None:
        """Accumulate scalar values to log (averaged over the logging interval)."""
        for key, value in logs.items():
            t = value.detach() if isinstance(value, torch.Tensor) else torch.tensor(float(value))
            self._pending_logs[key].append(t.float().reshape(()))

    def log_now(self, values: Mapping[str, float], describe: str | None = None) -> None:
        """Send values to every logger right away at the current generator step (not
        averaged like :meth:`record`); for periodic checks such as a validation score.

        ``describe`` (e.g. ``"mle epoch 3"``) also prints ``describe: key=value ...`` to
        the console log, for checks a user follows while the run goes on."""
        values = {k: float(v) for k, v in values.items()}
        self.last_logs.update(values)
        if _attached(self):
            for logger in self.trainer.loggers:
                logger.log_metrics(values, step=self.g_step)
        if describe is not None:
            log.info("%s: %s", describe, " ".join(f"{k}={v:.4f}" for k, v in sorted(values.items())))

    def pop_logs(self) -> dict[str, float]:
        """Mean of the values recorded since the last call, as floats."""
        out = {k: torch.stack(v).mean().item() for k, v in self._pending_logs.items() if v}
        self._pending_logs.clear()
        if out:
            self.last_logs.update(out)
        return out


def _attached(module: pl.LightningModule) -> bool:
    try:
        return module.trainer is not None
    except RuntimeError:  # Lightning raises when no Trainer is attached (e.g. gan-sample)
        return False
