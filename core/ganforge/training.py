"""Build the data, model and Lightning Trainer for a composed config, and train.

:func:`train` is what ``gan-run`` calls inside Hydra; tests and notebooks may call it
directly with a config from :func:`ganforge.config.compose_config`.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import torch
from lightning.pytorch.callbacks import ProgressBar
from lightning.pytorch.loggers import Logger
from omegaconf import DictConfig, OmegaConf

from ganforge.callbacks import RichStepProgress, StepSchedule
from ganforge.errors import GanforgeError
from ganforge.loggers import StepCSVLogger
from ganforge.registry import get_registry
from ganforge.report.callback import report_callbacks

log = logging.getLogger("ganforge")

# Noise that is expected here: the EMA copy is in eval mode on purpose, and Lightning's
# own deprecation/advertising messages say nothing about the user's run.
warnings.filterwarnings("ignore", message=r".*module\(s\) in eval mode.*")
warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*")
warnings.filterwarnings("ignore", message=r".*weights_only.*")
warnings.filterwarnings("ignore", message=r".*does not have many workers.*")


class _NoTips(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "Tip:" not in message and "weights_only" not in message


for _name in ("lightning.pytorch", "lightning.pytorch.utilities.rank_zero", "lightning.fabric",
              "lightning.pytorch.trainer.connectors.checkpoint_connector"):
    logging.getLogger(_name).addFilter(_NoTips())

# Lightning's strategy needed for manual optimization with several backward passes
# per training_step under DDP (networks unused in one of them).
DDP_MANUAL_STRATEGY = "ddp_find_unused_parameters_true"


def build_loggers(run_dir: Path, kinds: Any) -> list[Logger]:
    """CSV logs always; TensorBoard as well when it is installed (``logger.tensorboard``)."""
    loggers: list[Logger] = [StepCSVLogger(run_dir / "logs")]
    tb = kinds.get("tensorboard", "auto") if kinds is not None else "auto"
    if tb:
        try:
            import tensorboard  # noqa: F401  (only to test availability)
            from lightning.pytorch.loggers import TensorBoardLogger

            loggers.append(TensorBoardLogger(save_dir=str(run_dir), name="logs", version="tensorboard"))
        except ImportError:
            if tb is True:
                raise GanforgeError("logger.tensorboard=true but the 'tensorboard' package is not installed") from None
    return loggers


def build_trainer(cfg: DictConfig, run_dir: Path, callbacks: list) -> pl.Trainer:
    """A Lightning Trainer configured from ``cfg.trainer`` (max_steps handled by ganforge)."""
    t = cfg.trainer
    strategy = t.get("strategy", "auto")
    if strategy == "ddp":
        strategy = DDP_MANUAL_STRATEGY
    return pl.Trainer(
        accelerator=t.get("accelerator", "auto"),
        devices=t.get("devices", "auto"),
        num_nodes=int(t.get("num_nodes", 1)),
        strategy=strategy,
        precision=t.get("precision", "32-true"),
        max_epochs=-1,
        max_steps=-1,  # ganforge stops on generator steps (StepSchedule)
        max_time=t.get("max_time"),
        deterministic=t.get("deterministic", False),
        logger=build_loggers(run_dir, cfg.get("logger")),
        callbacks=callbacks,
        enable_checkpointing=False,
        # our RichStepProgress replaces Lightning's bar; without it, no bar at all
        enable_progress_bar=any(isinstance(c, ProgressBar) for c in callbacks),
        enable_model_summary=bool(t.get("model_summary", False)),
        num_sanity_val_steps=0,
        limit_val_batches=0,
        log_every_n_steps=1,
        default_root_dir=str(run_dir),
        use_distributed_sampler=True,
    )


def train(cfg: DictConfig, run_dir: str | Path) -> dict[str, float]:
    """Train the configured domain/model, writing the run-dir layout under ``run_dir``.

    Returns the final metrics (also written to ``run_dir/metrics.json``).
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
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
    module = plugin.build_module(cfg, datamodule.spec())

    schedule = StepSchedule(plugin, run_dir, cfg.run, seed=int(cfg.seed))
    callbacks: list = [schedule]
    if cfg.run.get("progress_bar", True):
        callbacks.append(RichStepProgress())
    callbacks += report_callbacks(plugin, run_dir, cfg)  # report.html refresh, TensorBoard sample media
    trainer = build_trainer(cfg, run_dir, callbacks)

    ckpt_path = None
    if cfg.get("resume"):
        ckpt_path = Path(str(cfg.resume)) / "checkpoints" / "last.ckpt"
        if not ckpt_path.is_file():
            raise GanforgeError(f"resume={cfg.resume}: {ckpt_path} not found")
        log.info("resuming from %s", ckpt_path)
    if trainer.is_global_zero:
        (run_dir / ".hydra").mkdir(exist_ok=True)
        resolved = run_dir / ".hydra" / "resolved.yaml"
        resolved.write_text(OmegaConf.to_yaml(cfg, resolve=True))
    trainer.fit(module, datamodule=datamodule, ckpt_path=str(ckpt_path) if ckpt_path else None)
    return schedule.final_metrics
