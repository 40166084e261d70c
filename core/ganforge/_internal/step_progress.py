"""The Rich progress bar over ganforge steps and phases (:class:`RichStepProgress`).

Lightning's own bars count batches, which is not a ganforge step; this one counts
generator steps, or the units of bounded phases, and names the current phase.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import lightning.pytorch as pl
from lightning.pytorch.callbacks import ProgressBar


class RichStepProgress(ProgressBar):
    """Rich progress bar: a total and an ETA for every run, the current phase named.

    * One unbounded phase (or a last one) with ``trainer.max_steps``: generator steps of
      ``max_steps``.
    * Only bounded phases (SeqGAN's ``mle_pretrain -> d_pretrain -> adversarial``): the
      sum of the phases' lengths in their own units, plus a second bar for the current
      phase. Units of different phases take different times (an MLE epoch is not a D
      round), so the ETA charges the rest of the current phase at that phase's measured
      speed and later phases at the average seconds per unit so far: an estimate, marked ``~``.
    * Nothing bounds the run (no ``max_steps``, an unbounded phase): steps, rate and elapsed
      time only.
    """

    def __init__(self, console: Any = None) -> None:
        super().__init__()
        self._enabled = True
        self._console = console
        self._progress = None
        self._task = None
        self._phase_task = None
        self._mode = "open"
        self._total: int | None = None
        self._t0 = 0.0
        self._g0 = 0
        self._u0 = 0
        self._phase_index = -1
        self._phase_t0 = 0.0
        self._phase_u0 = 0

    def disable(self) -> None:
        """Turn the bar off (Lightning calls this on non-zero ranks)."""
        self._enabled = False

    def enable(self) -> None:
        """Turn the bar on."""
        self._enabled = True

    @staticmethod
    def plan(module: Any) -> tuple[str, int | None]:
        """``("phases", sum of phase lengths)``, ``("steps", max_steps)`` or ``("open", None)``."""
        phases = module.phases.phases
        if all(p.steps is not None for p in phases):
            return "phases", sum(int(p.steps) for p in phases)
        if module.max_steps is not None:
            return "steps", int(module.max_steps)
        return "open", None

    @staticmethod
    def units_done(module: Any) -> int:
        """Phase units completed so far (finished phases' lengths + position in the current one)."""
        schedule = module.phases
        finished = schedule.phases[: min(schedule.index, len(schedule.phases))]
        return sum(int(p.steps or 0) for p in finished) + (0 if schedule.finished else schedule.done_in_phase)

    def _completed(self, module: Any) -> int:
        return self.units_done(module) if self._mode == "phases" else module.g_step

    def on_train_start(self, trainer: pl.Trainer, module: Any) -> None:
        """Start the bars at the current position (non-zero after resume)."""
        if not (self._enabled and trainer.is_global_zero):
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._mode, self._total = self.plan(module)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[eta]}"),
            TextColumn("{task.fields[losses]}"),
            refresh_per_second=4,
            console=self._console,
        )
        self._progress.start()
        self._t0, self._g0, self._u0 = time.perf_counter(), module.g_step, self._completed(module)
        self._task = self._progress.add_task(
            self._describe(module), total=self._total, completed=self._completed(module), rate="", eta="", losses=""
        )
        if self._mode == "phases" and len(module.phases.phases) > 1:
            self._phase_task = self._progress.add_task("", total=1, completed=0, rate="", eta="", losses="")
        self._start_phase(module)
        self._refresh(module)

    def _start_phase(self, module: Any) -> None:
        self._phase_index = module.phases.index
        self._phase_t0 = time.perf_counter()
        self._phase_u0 = module.phases.done_in_phase

    def _describe(self, module: Any) -> str:
        schedule = module.phases
        phase = schedule.current
        where = f" {schedule.done_in_phase}/{phase.steps}" if phase.steps and self._phase_task is None else ""
        count = f" ({min(schedule.index + 1, len(schedule.phases))}/{len(schedule.phases)})" if len(schedule.phases) > 1 else ""
        return f"{phase.name}{count}{where}"

    def eta_seconds(self, module: Any, now: float | None = None) -> float | None:
        """Estimated seconds left, or None before any progress (or for an open run)."""
        if self._total is None:
            return None
        now = time.perf_counter() if now is None else now
        done = self._completed(module) - self._u0
        if done <= 0:
            return None
        per_unit = (now - self._t0) / done
        if self._mode == "steps":
            return max(self._total - module.g_step, 0) * per_unit
        schedule = module.phases
        if schedule.finished:
            return 0.0
        in_phase = schedule.done_in_phase - self._phase_u0
        phase_per_unit = (now - self._phase_t0) / in_phase if in_phase > 0 else per_unit
        left_here = int(schedule.current.steps) - schedule.done_in_phase
        later = sum(int(p.steps) for p in schedule.phases[schedule.index + 1:])
        return left_here * phase_per_unit + later * per_unit

    def _refresh(self, module: Any) -> None:
        if module.phases.index != self._phase_index:
            self._start_phase(module)
        now = time.perf_counter()
        elapsed = max(now - self._t0, 1e-9)
        rate = (module.g_step - self._g0) / elapsed
        eta = self.eta_seconds(module, now)
        approx = "~" if self._mode == "phases" and len(module.phases.phases) > 1 else ""
        eta_text = f"ETA {approx}{datetime.timedelta(seconds=round(eta))}" if eta is not None else ""
        losses = " ".join(f"{k}={v:.3f}" for k, v in sorted(module.last_logs.items()) if k.startswith("loss/"))
        self._progress.update(self._task, completed=self._completed(module), description=self._describe(module),
                              rate=f"{rate:.2f} step/s", eta=eta_text, losses=losses)
        if self._phase_task is not None:
            schedule = module.phases
            phase = schedule.current
            done = int(phase.steps) if schedule.finished else schedule.done_in_phase
            self._progress.update(self._phase_task, total=int(phase.steps), completed=done,
                                  description=f"  {phase.name} ({phase.kind} units)")

    def on_train_batch_end(self, trainer: pl.Trainer, module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        """Refresh the bars."""
        if self._progress is not None:
            self._refresh(module)

    def on_train_end(self, trainer: pl.Trainer, module: Any) -> None:
        """Show the final position and close the bars."""
        if self._progress is not None:
            self._refresh(module)
            self._progress.stop()
            self._progress = None

    def on_exception(self, trainer: pl.Trainer, module: Any, exception: BaseException) -> None:
        """Close the bar so the error prints cleanly."""
        self.on_train_end(trainer, module)
