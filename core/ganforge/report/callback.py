"""Lightning callbacks that show a run while it trains.

* :class:`ReportRefresh` -- rewrites ``<run dir>/report.html`` after every sample sheet
  and at the end (``run.report: true``, the default).
* :class:`SampleMediaLogger` -- sends each sample sheet's images and audio to
  TensorBoard (``add_image``/``add_audio``) when a TensorBoard logger is active.

Both run after :class:`~ganforge._internal.callbacks.StepSchedule` in the callback list, so the
files of the current step exist when they look for them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
from lightning.pytorch.callbacks import Callback

from ganforge.plugin import DomainPlugin
from ganforge.schema import LoggerSchema, build
from ganforge.utils import on_period

log = logging.getLogger("ganforge")


def step_files(run_dir: Path, stem: str) -> list[Path]:
    """The files ``export_samples`` wrote for ``stem`` (``step_0000500`` or ``final``)."""
    folder = Path(run_dir) / "samples"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and (p.stem == stem or p.name.startswith(stem + "_")))


class ReportRefresh(Callback):
    """Write the run's HTML report at every sample step and when training ends or fails."""

    def __init__(self, run_dir: Path, sample_every: int):
        self.run_dir = Path(run_dir)
        self.sample_every = int(sample_every or 0)
        self._last = -1

    def _write(self, trainer: pl.Trainer, status: str) -> None:
        if not trainer.is_global_zero:
            return
        from ganforge.report.run import write_run_report

        try:
            write_run_report(self.run_dir, status=status)
        except Exception as exc:  # noqa: BLE001 - the report must never stop training
            log.warning("report: not written (%s: %s)", type(exc).__name__, exc)

    def on_train_batch_end(self, trainer: pl.Trainer, module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        """Refresh after a sample step."""
        g = module.g_step
        if g != self._last:
            self._last = g
            if on_period(g, self.sample_every):
                self._write(trainer, "running")

    def on_train_end(self, trainer: pl.Trainer, module: Any) -> None:
        """The final report (final samples and metrics.json exist now)."""
        self._write(trainer, "finished")

    def on_exception(self, trainer: pl.Trainer, module: Any, exception: BaseException) -> None:
        """Show what was reached before the failure."""
        self._write(trainer, "interrupted" if isinstance(exception, KeyboardInterrupt) else "failed")


class SampleMediaLogger(Callback):
    """Log each sample step's media (the plugin's ``media_for_logging``) to TensorBoard."""

    def __init__(self, plugin: DomainPlugin, run_dir: Path, sample_every: int):
        self.plugin = plugin
        self.run_dir = Path(run_dir)
        self.sample_every = int(sample_every or 0)
        self._last = -1

    @staticmethod
    def _writers(trainer: pl.Trainer) -> list:
        from lightning.pytorch.loggers import TensorBoardLogger

        return [lg.experiment for lg in trainer.loggers if isinstance(lg, TensorBoardLogger)]

    def _log(self, trainer: pl.Trainer, stem: str, step: int) -> None:
        if not trainer.is_global_zero:
            return
        writers = self._writers(trainer)
        if not writers:
            return
        from ganforge.report.media import log_to_tensorboard

        try:
            media = self.plugin.media_for_logging(step_files(self.run_dir, stem), self.run_dir / "report_assets")
        except Exception as exc:  # noqa: BLE001 - a tracker must not stop training
            log.warning("tensorboard media: %s.media_for_logging failed (%s: %s)", self.plugin.name, type(exc).__name__, exc)
            return
        for writer in writers:
            log_to_tensorboard(writer, media, step)
            writer.flush()

    def on_train_batch_end(self, trainer: pl.Trainer, module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        """Log the sheet written at this sample step."""
        g = module.g_step
        if g != self._last:
            self._last = g
            if on_period(g, self.sample_every):
                self._log(trainer, f"step_{g:07d}", g)

    def on_train_end(self, trainer: pl.Trainer, module: Any) -> None:
        """Log the final sheet (at the last step, tagged ``final/...``)."""
        self._log(trainer, "final", module.g_step)


def report_callbacks(plugin: DomainPlugin, run_dir: Path, cfg: Any) -> list[Callback]:
    """The callbacks ``train`` adds after its step schedule: TensorBoard sample media (when
    TensorBoard logs), MLflow/W&B (``logger=mlflow|wandb``) and the HTML report refresher
    (``run.report``, default true)."""
    run_cfg = cfg.run
    every = int(run_cfg.sample_every)
    from ganforge.report.trackers import TrackerLoggers

    callbacks: list[Callback] = [SampleMediaLogger(plugin, run_dir, every)]
    loggers = build(LoggerSchema, cfg.logger, "logger")
    if loggers.mlflow or loggers.wandb:  # logger=mlflow / logger=wandb
        callbacks.append(TrackerLoggers(plugin, run_dir, cfg, every))
    if run_cfg.report:
        callbacks.append(ReportRefresh(run_dir, every))
    return callbacks
