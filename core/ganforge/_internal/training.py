"""Build the data, model and Lightning Trainer for a composed config, and train.

:func:`train` is what ``gan-run`` calls inside Hydra; tests and notebooks may call it
directly with a config from :func:`ganforge._internal.config.compose_config`.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import torch
from lightning.pytorch.callbacks import ProgressBar
from lightning.pytorch.loggers import Logger
from omegaconf import DictConfig, OmegaConf

from ganforge._internal.callbacks import RichStepProgress, StepSchedule
from ganforge._internal.checkpoint_io import RunDirCheckpointIO
from ganforge._internal.guard import DivergenceGuard
from ganforge._internal.loggers import StepCSVLogger
from ganforge._internal.precision import resolve_precision
from ganforge._internal.registry import get_registry
from ganforge._internal.resumable import ResumeState
from ganforge._internal.resume import already_final as _already_final
from ganforge._internal.resume import check_resume, record_resume
from ganforge._internal.resume import log_to_run_log as _log_to_run_log
from ganforge._internal.runlock import RunLock
from ganforge._internal.runstatus import begin_run, classify_failure, record_failure, write_status
from ganforge._internal.speed import SpeedOptions
from ganforge.errors import GanforgeError
from ganforge.report.callback import report_callbacks
from ganforge.schema import LoggerSchema, TrainerSchema, build
from ganforge.utils import storage_error

log = logging.getLogger("ganforge")

# Lightning's strategy needed for manual optimization with several backward passes
# per training_step under DDP (networks unused in one of them).
DDP_MANUAL_STRATEGY = "ddp_find_unused_parameters_true"


def build_loggers(run_dir: Path, kinds: Any) -> list[Logger]:
    """CSV logs always; TensorBoard as well when it is installed (``logger.tensorboard``)."""
    loggers: list[Logger] = [StepCSVLogger(run_dir / "logs")]
    tb = build(LoggerSchema, kinds, "logger").tensorboard
    if tb:
        try:
            import tensorboard  # noqa: F401  (only to test availability)
            from lightning.pytorch.loggers import TensorBoardLogger

            loggers.append(TensorBoardLogger(save_dir=str(run_dir), name="logs", version="tensorboard"))
        except ImportError:
            if tb is True:
                raise GanforgeError("logger.tensorboard=true but the 'tensorboard' package is not installed") from None
    return loggers


def make_trainer(cfg: DictConfig, run_dir: str | Path, callbacks: list | tuple = (), schedule: bool = True,
                 seed: int | None = None) -> pl.Trainer:
    """A Lightning Trainer set up as ``gan-run`` sets it up (``trainer.*``, loggers, run-dir
    checkpoint IO), for scripts that call ``trainer.fit`` themselves (benchmarks, notebooks).

    ``schedule=True`` adds the step schedule of ``cfg.run`` (stop at ``trainer.max_steps``,
    samples, evaluations, checkpoints) with the plugin of ``cfg.domain``; without it the
    fit runs until a callback stops it. ``callbacks`` come after the schedule.
    """
    run_dir = Path(run_dir)
    extra = list(callbacks)
    if schedule:
        from ganforge._internal.callbacks import StepSchedule
        from ganforge._internal.registry import get_registry

        plugin = get_registry().get(cfg.domain.name)
        extra.insert(0, StepSchedule(plugin, run_dir, cfg.run, seed=int(cfg.seed if seed is None else seed)))
    return build_trainer(cfg, run_dir, extra)


def build_trainer(cfg: DictConfig, run_dir: Path, callbacks: list) -> pl.Trainer:
    """A Lightning Trainer configured from ``cfg.trainer`` (max_steps handled by ganforge)."""
    t = build(TrainerSchema, cfg.trainer, "trainer")  # typed, every key from conf/trainer/*.yaml
    strategy = DDP_MANUAL_STRATEGY if t.strategy == "ddp" else t.strategy
    return pl.Trainer(
        accelerator=t.accelerator,
        devices=t.devices,
        num_nodes=int(t.num_nodes),
        strategy=strategy,
        precision=resolve_precision(t.precision, t.accelerator),
        max_epochs=-1,
        max_steps=-1,  # ganforge stops on generator steps (StepSchedule)
        max_time=t.max_time,
        deterministic=t.deterministic,
        logger=build_loggers(run_dir, cfg.logger),
        callbacks=[*callbacks, SpeedOptions(compile=t.compile, channels_last=t.channels_last)],
        enable_checkpointing=False,
        # our RichStepProgress replaces Lightning's bar; without it, no bar at all
        enable_progress_bar=any(isinstance(c, ProgressBar) for c in callbacks),
        enable_model_summary=bool(t.model_summary),
        num_sanity_val_steps=0,
        limit_val_batches=0,
        log_every_n_steps=1,
        default_root_dir=str(run_dir),
        plugins=[RunDirCheckpointIO()],  # direct writes into the run dir (see checkpoint_io)
        use_distributed_sampler=True,
    )


def train(cfg: DictConfig, run_dir: str | Path, resume_overrides: Sequence[str] | None = None,
          callbacks: Sequence[pl.Callback] = ()) -> dict[str, float]:
    """Train the configured domain/model, writing the run-dir layout under ``run_dir``.

    Returns the final metrics (also written to ``run_dir/metrics.json``). The run
    directory is locked for the duration (:class:`~ganforge._internal.runlock.RunLock`), and
    ``status.json`` follows the run: ``running``, then ``ok``, ``failed``, ``diverged``
    or ``interrupted`` (see docs/fault-tolerance.md). With ``cfg.resume`` the checkpoint
    is validated against this configuration before anything in ``run_dir`` changes;
    ``resume_overrides`` (the overrides new to this resume) are recorded under
    ``.hydra/resume-<n>/``. ``callbacks`` are added to the Trainer's own (e.g. a
    benchmark's timer).
    """
    run_dir = Path(run_dir)
    lock = RunLock(run_dir).acquire()
    try:
        return _train_locked(cfg, run_dir, resume_overrides, list(callbacks))
    finally:
        lock.release()


def _train_locked(cfg: DictConfig, run_dir: Path, resume_overrides: Sequence[str] | None,
                  extra_callbacks: list) -> dict[str, float]:
    threads = cfg.trainer.get("num_threads")
    if threads:
        # tiny models on few cores run faster on one thread than fighting over several
        torch.set_num_threads(int(threads))
    pl.seed_everything(int(cfg.seed), workers=True, verbose=False)
    registry = get_registry()
    domain, model_name = cfg.domain.name, cfg.model.name
    registry.check_model(domain, model_name)
    plugin = registry.get(domain)

    datamodule = plugin.build_datamodule(cfg)
    datamodule.prepare_data()
    datamodule.setup("fit")
    module = plugin.make_module(cfg, datamodule.spec())

    ckpt_path, saved = None, None
    if cfg.get("resume"):
        ckpt_path = Path(str(cfg.resume)).expanduser() / "checkpoints" / "last.ckpt"
        saved = check_resume(cfg, module, ckpt_path)  # raises before anything is written
        if saved.finished and _already_final(run_dir, saved.g_step):
            log.warning("resume: %s is already finished at step %d (%s); nothing to do",
                        run_dir, saved.g_step, saved.reason)
            return json.loads((run_dir / "metrics.json").read_text())

    guard = DivergenceGuard(str(cfg.run.on_nonfinite))
    resume_state = ResumeState(seed=int(cfg.seed))
    schedule = StepSchedule(plugin, run_dir, cfg.run, seed=int(cfg.seed), guard=guard)
    # ResumeState first: it counts the batch before StepSchedule may checkpoint it
    callbacks: list = [resume_state, guard, schedule]
    if cfg.run.progress_bar:
        callbacks.append(RichStepProgress())
    callbacks += report_callbacks(plugin, run_dir, cfg)  # report.html refresh, TensorBoard sample media
    trainer = build_trainer(cfg, run_dir, [*callbacks, *extra_callbacks])
    resume_state.wrap_datamodule(datamodule, lambda: trainer)

    file_log = None
    if trainer.is_global_zero:
        try:
            begin_run(run_dir)
            if saved is not None:
                file_log = _log_to_run_log(run_dir)
                entry = record_resume(run_dir, cfg, resume_overrides or [])
                log.info("resuming from %s at step %d (recorded in %s)", ckpt_path, saved.g_step, entry)
                if saved.finished:
                    log.warning("resume: the checkpoint at step %d already %s; finishing without training",
                                saved.g_step, saved.reason)
            else:
                (run_dir / ".hydra").mkdir(exist_ok=True)
                (run_dir / ".hydra" / "resolved.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
        except OSError as exc:
            raise storage_error(exc, getattr(exc, "filename", None) or run_dir) from exc
        write_status(run_dir, "running", step=saved.g_step if saved else 0)
    try:
        trainer.fit(module, datamodule=datamodule, ckpt_path=str(ckpt_path) if ckpt_path else None)
    except BaseException as exc:
        final = classify_failure(exc, guard)
        if trainer.is_global_zero:
            record_failure(run_dir, final, module.g_step)
        with contextlib.suppress(AttributeError):  # tells gan-run the status is recorded
            final.ganforge_status_written = True
        if final is exc:
            raise
        raise final from exc
    finally:
        if file_log is not None:
            logging.getLogger().removeHandler(file_log)
            file_log.close()
    if trainer.is_global_zero:
        write_status(run_dir, "ok", step=module.g_step)
    return schedule.final_metrics
