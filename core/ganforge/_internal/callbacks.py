"""Callbacks that turn generator steps into run-dir artefacts and a progress display.

* :class:`StepSchedule` -- every N generator steps: log losses, export samples, compute
  metrics, save ``checkpoints/last.ckpt`` (and ``best.ckpt`` by the monitored metric);
  at the end: final samples, final metrics, ``metrics.json``. Stops the Trainer once
  the module reports ``training_done``. All file output happens on global rank 0.
* :class:`RichStepProgress` -- a Rich progress bar over generator steps; it lives in
  :mod:`ganforge._internal.step_progress` and is importable from here as before.
"""

from __future__ import annotations

import fnmatch
import logging
import math
import os
import shutil
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
from lightning.pytorch.callbacks import Callback
from lightning.pytorch.utilities.exceptions import SIGTERMException

from ganforge._internal import interrupts
from ganforge._internal.guard import DivergenceGuard
from ganforge._internal.step_progress import RichStepProgress
from ganforge.distributed import local_only
from ganforge.plugin import DomainPlugin
from ganforge.schema import RunSchema, build
from ganforge.utils import atomic_path, on_period, seeded, storage_error, temporary_path, write_json_atomic

log = logging.getLogger("ganforge")

__all__ = ["RichStepProgress", "StepSchedule", "resolve_monitor"]


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
        guard: the :class:`~ganforge._internal.guard.DivergenceGuard` consulted before samples,
            metrics and every checkpoint (a non-finite state is never saved).

    A SIGTERM/SIGINT (see :mod:`ganforge._internal.interrupts`) is acted on after the current
    batch: ``last.ckpt`` is saved and :class:`~ganforge._internal.interrupts.RunInterrupted` raised.
    """

    def __init__(self, plugin: DomainPlugin, run_dir: Path, run_cfg: Any, seed: int,
                 guard: DivergenceGuard | None = None):
        self.plugin = plugin
        self.run_dir = Path(run_dir)
        run = build(RunSchema, run_cfg, "run")  # typed, every key from conf/config.yaml
        self.log_every = int(run.log_every)
        self.sample_every = int(run.sample_every)
        self.eval_every = int(run.eval_every)
        self.checkpoint_every = int(run.checkpoint_every)
        self.sample_count = int(run.sample_count)
        self.monitor = run.monitor
        self.monitor_mode = str(run.monitor_mode)
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
                from ganforge._internal.runstatus import write_status

                write_status(self.run_dir, "running", step=module.g_step, checkpoint_step=module.g_step)
