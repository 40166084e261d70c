"""Callbacks that turn generator steps into run-dir artefacts and a progress display.

* :class:`StepSchedule` -- every N generator steps: log losses, export samples, compute
  metrics, save ``checkpoints/last.ckpt`` (and ``best.ckpt`` by the monitored metric);
  at the end: final samples, final metrics, ``metrics.json``. Stops the Trainer once
  the module reports ``training_done``. All file output happens on global rank 0.
* :class:`RichStepProgress` -- a Rich progress bar over generator steps (Lightning's
  own bars count batches, which is not a ganforge step).
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import math
import os
import time
from pathlib import Path
from typing import Any, Iterator

import lightning.pytorch as pl
import torch
from lightning.pytorch.callbacks import Callback, ProgressBar

from ganforge.plugin import DomainPlugin
from ganforge.utils import seeded, write_json_atomic

log = logging.getLogger("ganforge")


def _every(step: int, period: int | None) -> bool:
    return bool(period) and period > 0 and step > 0 and step % period == 0


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


@contextlib.contextmanager
def _single_process_view(trainer: pl.Trainer) -> Iterator[None]:
    """Make rank 0's evaluation look like a single process to libraries that would
    otherwise synchronise with the other ranks (torchmetrics syncs on ``compute`` when
    torch.distributed is initialised), which are not evaluating and would never answer."""
    if trainer.world_size <= 1 or not torch.distributed.is_initialized():
        yield
        return
    original = torch.distributed.is_initialized
    torch.distributed.is_initialized = lambda: False
    try:
        yield
    finally:
        torch.distributed.is_initialized = original


class StepSchedule(Callback):
    """Periodic and final logging, sample export, evaluation and checkpointing.

    Args:
        plugin: the domain plugin (exports samples, evaluates).
        run_dir: the run directory.
        run_cfg: the ``run`` config node (``log_every``, ``sample_every``, ``eval_every``,
            ``checkpoint_every``, ``sample_count``, ``monitor``, ``monitor_mode``).
        seed: seed for sample sheets and metrics (same noise at every step).
    """

    def __init__(self, plugin: DomainPlugin, run_dir: Path, run_cfg: Any, seed: int):
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
        self.ckpt_dir.mkdir(parents=True, exist_ok=True)
        if trainer.world_size > 1 and module.g_step == 0:
            # ranks start from one seed (same initial weights); from here each rank draws
            # its own noise and streamed data (not on resume: the checkpoint's RNG rules)
            pl.seed_everything(self.seed + trainer.global_rank, workers=True, verbose=False)
        for logger in trainer.loggers:
            if hasattr(logger, "truncate_after"):
                logger.truncate_after(module.g_step)

    def on_train_batch_end(self, trainer: pl.Trainer, module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        """Act on every new generator step; request a stop when training is done."""
        g = module.g_step
        if g != self._last_g:
            self._last_g = g
            if _every(g, self.log_every):
                self.log_metrics(trainer, module)
            if _every(g, self.sample_every):
                self.export(trainer, module, f"step_{g:07d}")
            if _every(g, self.eval_every):
                self.evaluate(trainer, module)
            if _every(g, self.checkpoint_every):
                self.save(trainer, "last")
        if module.training_done:
            trainer.should_stop = True

    def on_train_end(self, trainer: pl.Trainer, module: Any) -> None:
        """Final samples, metrics, checkpoints and ``metrics.json``."""
        self.log_metrics(trainer, module)
        self.export(trainer, module, "final")
        metrics = self.evaluate(trainer, module)
        self.save(trainer, "last")
        final = {"g_step": float(module.g_step), "phase": module.phases.current.name}
        final.update({f"train/{k}": v for k, v in module.last_logs.items()})
        final.update(metrics)
        self.final_metrics = final
        if trainer.is_global_zero:
            write_json_atomic(self.run_dir / "metrics.json", final)
            log.info("metrics: %s", ", ".join(f"{k}={v}" for k, v in sorted(final.items())))

    def on_exception(self, trainer: pl.Trainer, module: Any, exception: BaseException) -> None:
        """On Ctrl-C in a single process, save ``last.ckpt`` so no finished step is lost."""
        if isinstance(exception, KeyboardInterrupt) and trainer.world_size == 1 and module.g_step > 0:
            self.save(trainer, "last")

    # ------------------------------------------------------------------ actions
    def log_metrics(self, trainer: pl.Trainer, module: Any) -> None:
        """Send the mean of recorded values to every logger, x-axis = generator step."""
        values = module.pop_logs()
        if not values:
            return
        values["phase_index"] = float(module.phases.index)
        for logger in trainer.loggers:
            logger.log_metrics(values, step=module.g_step)
            logger.save()  # metrics.csv is readable while the run goes on
        log.info(
            "step %d [%s] %s", module.g_step, module.phases.current.name,
            " ".join(f"{k}={v:.4g}" for k, v in sorted(values.items()) if k != "phase_index"),
        )

    def export(self, trainer: pl.Trainer, module: Any, stem: str) -> list[Path]:
        """Write a sample sheet to ``samples/`` (rank 0; fixed noise so steps compare)."""
        if not trainer.is_global_zero or not self.sample_count:
            return []
        with seeded(self.seed, module.device):
            samples = module.sample(self.sample_count)
        return self.plugin.export_samples(samples, self.run_dir / "samples", stem, individual=False)

    def evaluate(self, trainer: pl.Trainer, module: Any) -> dict[str, float]:
        """Compute metrics on rank 0, share them with every rank, log, update best.ckpt."""
        metrics: dict[str, float] = {}
        if trainer.is_global_zero:
            with seeded(self.seed + 1, module.device), _single_process_view(trainer):
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
                self.save(trainer, "best")
        return metrics

    def save(self, trainer: pl.Trainer, name: str) -> None:
        """Save ``checkpoints/<name>.ckpt`` atomically (every rank must call this)."""
        final = self.ckpt_dir / f"{name}.ckpt"
        tmp = self.ckpt_dir / f".{name}.ckpt.tmp"
        trainer.save_checkpoint(tmp)
        if trainer.is_global_zero:
            os.replace(tmp, final)
            for logger in trainer.loggers:
                logger.save()


class RichStepProgress(ProgressBar):
    """Rich progress bar over generator steps: phase, step/total, steps/s, latest losses."""

    def __init__(self) -> None:
        super().__init__()
        self._enabled = True
        self._progress = None
        self._task = None
        self._t0 = 0.0
        self._g0 = 0

    def disable(self) -> None:
        """Turn the bar off (Lightning calls this on non-zero ranks)."""
        self._enabled = False

    def enable(self) -> None:
        """Turn the bar on."""
        self._enabled = True

    def on_train_start(self, trainer: pl.Trainer, module: Any) -> None:
        """Start the bar at the current step (non-zero after resume)."""
        if not (self._enabled and trainer.is_global_zero):
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[losses]}"),
            refresh_per_second=4,
        )
        self._progress.start()
        self._t0, self._g0 = time.perf_counter(), module.g_step
        self._task = self._progress.add_task(
            self._describe(module), total=module.max_steps, completed=module.g_step, rate="", losses=""
        )

    @staticmethod
    def _describe(module: Any) -> str:
        phase = module.phases.current
        where = f" {module.phases.done_in_phase}/{phase.steps}" if phase.steps else ""
        return f"{phase.name}{where}"

    def on_train_batch_end(self, trainer: pl.Trainer, module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        """Refresh the bar."""
        if self._progress is None:
            return
        elapsed = max(time.perf_counter() - self._t0, 1e-9)
        rate = (module.g_step - self._g0) / elapsed
        losses = " ".join(f"{k}={v:.3f}" for k, v in sorted(module.last_logs.items()) if k.startswith("loss/"))
        self._progress.update(
            self._task, completed=module.g_step, description=self._describe(module),
            rate=f"{rate:.2f} step/s", losses=losses,
        )

    def on_train_end(self, trainer: pl.Trainer, module: Any) -> None:
        """Close the bar."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def on_exception(self, trainer: pl.Trainer, module: Any, exception: BaseException) -> None:
        """Close the bar so the error prints cleanly."""
        self.on_train_end(trainer, module)
