"""Callbacks that turn generator steps into run-dir artefacts and a progress display.

* :class:`StepSchedule` -- every N generator steps: log losses, export samples, compute
  metrics, save ``checkpoints/last.ckpt`` (and ``best.ckpt`` by the monitored metric);
  at the end: final samples, final metrics, ``metrics.json``. Stops the Trainer once
  the module reports ``training_done``. All file output happens on global rank 0.
* :class:`RichStepProgress` -- a Rich progress bar over generator steps (Lightning's
  own bars count batches, which is not a ganforge step).
"""

from __future__ import annotations

import datetime
import fnmatch
import logging
import math
import os
import shutil
import time
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
from lightning.pytorch.callbacks import Callback, ProgressBar
from lightning.pytorch.utilities.exceptions import SIGTERMException

from ganforge import interrupts
from ganforge.distributed import local_only
from ganforge.guard import DivergenceGuard
from ganforge.plugin import DomainPlugin
from ganforge.utils import atomic_path, on_period, seeded, storage_error, temporary_path, write_json_atomic

log = logging.getLogger("ganforge")


def resolve_monitor(monitor: str | None, metrics: dict[str, float]) -> str | None:
    """The metric key ``run.monitor`` selects: the exact key, or for a pattern with
    ``*`` (e.g. ``fid/classifier/*``, whose sample count and split vary with the data)
    the first matching key in sorted order."""
    if not monitor:
        return None
    if monitor in metrics:
        return monitor
    if "*" in monitor:
        matches = sorted(k for k in metrics if fnmatch.fnmatchcase(k, monitor))
        return matches[0] if matches else None
    return None


class StepSchedule(Callback):
    """Periodic and final logging, sample export, evaluation and checkpointing.

    Args:
        plugin: the domain plugin (exports samples, evaluates).
        run_dir: the run directory.
        run_cfg: the ``run`` config node (``log_every``, ``sample_every``, ``eval_every``,
            ``checkpoint_every``, ``sample_count``, ``monitor``, ``monitor_mode``).
        seed: seed for sample sheets and metrics (same noise at every step).
        guard: the :class:`~ganforge.guard.DivergenceGuard` consulted before samples,
            metrics and every checkpoint (a non-finite state is never saved).

    A SIGTERM/SIGINT (see :mod:`ganforge.interrupts`) is acted on after the current
    batch: ``last.ckpt`` is saved and :class:`~ganforge.interrupts.RunInterrupted` raised.
    """

    def __init__(self, plugin: DomainPlugin, run_dir: Path, run_cfg: Any, seed: int,
                 guard: DivergenceGuard | None = None):
        self.plugin = plugin
        self.run_dir = Path(run_dir)
        self.log_every = int(run_cfg.get("log_every") or 0)
        self.sample_every = int(run_cfg.get("sample_every") or 0)
        self.eval_every = int(run_cfg.get("eval_every") or 0)
        self.checkpoint_every = int(run_cfg.get("checkpoint_every") or 0)
        self.sample_count = int(run_cfg.get("sample_count", 64) or 0)
        self.monitor = run_cfg.get("monitor")
        self.monitor_mode = str(run_cfg.get("monitor_mode") or "min")
        self.seed = int(seed)
        self.best: float | None = None
        self.final_metrics: dict[str, float] = {}
        self._last_g = -1
        self.guard = guard or DivergenceGuard("stop")
        self.signals: interrupts.StopSignals | None = None

    # checkpointed so a resumed run keeps comparing against the right best value
    def state_dict(self) -> dict:
        """State saved in checkpoints (the best monitored value so far)."""
        return {"best": self.best}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore :meth:`state_dict`."""
        self.best = state_dict.get("best")

    @property
    def ckpt_dir(self) -> Path:
        """``<run dir>/checkpoints``."""
        return self.run_dir / "checkpoints"

    def on_train_start(self, trainer: pl.Trainer, module: Any) -> None:
        """Remember where the step counter starts (non-zero after resume)."""
        self._last_g = module.g_step
        try:
            self.ckpt_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, self.ckpt_dir, "cannot create") from exc
        if module.g_step > 0:  # resumed: last.ckpt holds this step
            self.guard.saved_step = module.g_step
        self.signals = interrupts.ACTIVE
        if self.signals is not None:
            self.signals.defer()  # from here a signal stops after the current batch
        if module.training_done:
            # resumed at/after max_steps or the last phase: no batch would ever train
            trainer.should_stop = True
        if trainer.world_size > 1 and module.g_step == 0:
            # ranks start from one seed (same initial weights); from here each rank draws
            # its own noise and streamed data (not on resume: the checkpoint's RNG rules)
            pl.seed_everything(self.seed + trainer.global_rank, workers=True, verbose=False)
        # metrics.csv rows past the resumed checkpoint: dropped by ResumeState.on_train_start

    def on_train_batch_end(self, trainer: pl.Trainer, module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        """Act on every new generator step; request a stop when training is done."""
        g = module.g_step
        if g != self._last_g:
            self._last_g = g
            logged = self.log_metrics(trainer, module) if on_period(g, self.log_every) else None
            sample, evaluate, save = (on_period(g, p) for p in (self.sample_every, self.eval_every, self.checkpoint_every))
            if logged is not None or sample or evaluate or save:
                # the host waits for the device here anyway; weights only before a save
                self.guard.check(module, logged, params=save or evaluate)
            if sample:
                self.export(trainer, module, f"step_{g:07d}")
            if evaluate:
                self.evaluate(trainer, module)
            if save:
                self.save(trainer, "last", module)
        self.stop_if_signalled(trainer, module)
        if module.training_done:
            trainer.should_stop = True

    def stop_if_signalled(self, trainer: pl.Trainer, module: Any) -> None:
        """After SIGTERM/SIGINT: save ``last.ckpt`` (if finite) and raise ``RunInterrupted``."""
        signum = self.signals.requested if self.signals is not None else None
        if signum is None:
            return
        if self.guard.saved_step != module.g_step or not (self.ckpt_dir / "last.ckpt").is_file():
            self.guard.check(module, params=True)
            self.save(trainer, "last", module)
        raise interrupts.RunInterrupted(signum, self.guard.saved_step, saved=True)

    def on_train_end(self, trainer: pl.Trainer, module: Any) -> None:
        """Final samples, metrics, checkpoints and ``metrics.json`` (never of non-finite weights)."""
        logged = self.log_metrics(trainer, module)
        self.stop_if_signalled(trainer, module)
        self.guard.check(module, logged, params=True)
        self.export(trainer, module, "final")
        metrics = self.evaluate(trainer, module)
        self.save(trainer, "last", module)
        final = {"g_step": float(module.g_step), "phase": module.phases.current.name}
        final.update({f"train/{k}": v for k, v in module.last_logs.items()})
        final.update(metrics)
        self.final_metrics = final
        if trainer.is_global_zero:
            write_json_atomic(self.run_dir / "metrics.json", final)
            log.info("metrics: %s", ", ".join(f"{k}={v}" for k, v in sorted(final.items())))

    def on_exception(self, trainer: pl.Trainer, module: Any, exception: BaseException) -> None:
        """Save ``last.ckpt`` when Lightning stops on SIGTERM (its epoch-end/DDP path), or on
        Ctrl-C when training from Python without ``gan-run``'s signal handling; never a
        non-finite state, never when the step is already saved."""
        interrupted = isinstance(exception, SIGTERMException) or (
            isinstance(exception, KeyboardInterrupt) and self.signals is None and trainer.world_size == 1
        )
        if not interrupted or module.g_step == 0 or self.guard.saved_step == module.g_step:
            return
        try:
            self.guard.check(module, params=True)
            self.save(trainer, "last", module)
        except Exception as exc:  # noqa: BLE001 - the original exception is what gets reported
            log.error("no checkpoint saved on %s: %s", type(exception).__name__, exc)

    # ------------------------------------------------------------------ actions
    def log_metrics(self, trainer: pl.Trainer, module: Any) -> dict[str, float]:
        """Send the mean of recorded values to every logger, x-axis = generator step."""
        values = module.pop_logs()
        if not values:
            return values
        values["phase_index"] = float(module.phases.index)
        for logger in trainer.loggers:
            logger.log_metrics(values, step=module.g_step)
            logger.save()  # metrics.csv is readable while the run goes on
        log.info(
            "step %d [%s] %s", module.g_step, module.phases.current.name,
            " ".join(f"{k}={v:.4g}" for k, v in sorted(values.items()) if k != "phase_index"),
        )
        return values

    def export(self, trainer: pl.Trainer, module: Any, stem: str) -> list[Path]:
        """Write a sample sheet to ``samples/`` (rank 0; fixed noise so steps compare).

        The plugin writes into a per-process temporary folder whose files are then moved
        into ``samples/``: a full disk leaves no half-written sample behind."""
        if not trainer.is_global_zero or not self.sample_count:
            return []
        with seeded(self.seed, module.device):
            samples = module.sample(self.sample_count)
        out = self.run_dir / "samples"
        tmp = temporary_path(out / stem)
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            written = self.plugin.export_samples(samples, tmp, stem, individual=False)
            for f in sorted(p for p in tmp.rglob("*") if p.is_file()):
                dest = out / f.relative_to(tmp)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, dest)
        except OSError as exc:
            raise storage_error(exc, getattr(exc, "filename", None) or out, "cannot write samples to") from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return [out / Path(p).relative_to(tmp) if Path(p).is_relative_to(tmp) else Path(p) for p in written]

    def evaluate(self, trainer: pl.Trainer, module: Any) -> dict[str, float]:
        """Compute metrics on rank 0, share them with every rank, log, update best.ckpt."""
        metrics: dict[str, float] = {}
        if trainer.is_global_zero:
            # the other ranks wait in the broadcast below: metrics must not sync with them
            with seeded(self.seed + 1, module.device), local_only():
                metrics = {k: float(v) for k, v in self.plugin.evaluate(module, trainer.datamodule).items()}
        metrics = trainer.strategy.broadcast(metrics, src=0)
        if not metrics:
            return metrics
        for logger in trainer.loggers:
            logger.log_metrics(metrics, step=module.g_step)
        key = resolve_monitor(self.monitor, metrics)
        if key is not None and math.isfinite(metrics[key]):
            value = metrics[key]
            better = self.best is None or (value < self.best if self.monitor_mode == "min" else value > self.best)
            if better:
                self.best = value
                self.guard.check(module, params=True)  # a finite metric does not prove finite weights
                self.save(trainer, "best")
        return metrics

    def save(self, trainer: pl.Trainer, name: str, module: Any = None) -> None:
        """Save ``checkpoints/<name>.ckpt`` atomically (every rank must call this).

        The file is written under a per-process temporary name and renamed: a kill or a
        full disk mid-write leaves the previous checkpoint in place."""
        final = self.ckpt_dir / f"{name}.ckpt"
        if not trainer.is_global_zero:
            trainer.save_checkpoint(temporary_path(final))  # collective; only rank 0 writes
        else:
            with atomic_path(final, "cannot write checkpoint") as tmp:
                trainer.save_checkpoint(tmp)
            for logger in trainer.loggers:
                logger.save()
        if name == "last" and module is not None:
            self.guard.saved_step = module.g_step
            if trainer.is_global_zero:  # status.json follows the checkpoint, never behind it
                from ganforge.runstatus import write_status

                write_status(self.run_dir, "running", step=module.g_step, checkpoint_step=module.g_step)


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
