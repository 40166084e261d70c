"""Experiment trackers beside the CSV/TensorBoard logs: MLflow and Weights & Biases.

``logger=mlflow`` / ``logger=wandb`` (conf/logger/*.yaml) configure them; both are
optional extras (``pip install 'ganforge[mlflow]'`` / ``'ganforge[wandb]'``). Metrics go
through Lightning's own ``MLFlowLogger``/``WandbLogger`` at the same generator-step x
axis as metrics.csv; the composed config is logged as parameters; each sample step's
media (the plugin's ``media_for_logging``) go up as artifacts (MLflow) or
``wandb.Image``/``wandb.Audio`` (W&B).

The loggers are attached in the callback's ``setup`` -- before anything is logged --
so the trainer factory stays unaware of optional trackers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
from lightning.pytorch.callbacks import Callback

from ganforge.errors import GanforgeError
from ganforge.plugin import DomainPlugin
from ganforge.utils import on_period

log = logging.getLogger("ganforge")

#: MLflow refuses parameter values longer than this
MAX_PARAM_CHARS = 500


def flatten(cfg: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"optim.lr_g": "0.0002", ...}`` from a nested config (lists as text)."""
    out: dict[str, str] = {}
    for key, value in cfg.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        else:
            out[name] = str(value)[:MAX_PARAM_CHARS]
    return out


def _run_name(cfg: Any, run_dir: Path, given: Any) -> str:
    return str(given) if given else f"{cfg.domain.name}/{cfg.model.name}/{Path(run_dir).name}"


def mlflow_logger(node: Any, cfg: Any, run_dir: Path):
    """Lightning's ``MLFlowLogger``; ``tracking_uri: null`` is a local store under
    ``./mlruns`` (SQLite, MLflow's recommended local backend; artifacts beside it)."""
    try:
        from lightning.pytorch.loggers import MLFlowLogger
    except ImportError:  # pragma: no cover - lightning always has it
        raise GanforgeError("logger.mlflow: this Lightning has no MLFlowLogger") from None
    try:
        import mlflow  # noqa: F401  (only to test availability)
    except ImportError:
        raise GanforgeError("logger=mlflow needs MLflow: pip install 'ganforge[mlflow]'") from None
    uri, artifacts = node.get("tracking_uri"), None
    if not uri:
        store = Path("mlruns").resolve()
        store.mkdir(parents=True, exist_ok=True)
        uri, artifacts = f"sqlite:///{store / 'mlflow.db'}", str(store / "artifacts")
    return MLFlowLogger(experiment_name=str(node.get("experiment") or "ganforge"),
                        run_name=_run_name(cfg, run_dir, node.get("run_name")), tracking_uri=str(uri),
                        artifact_location=artifacts)


def wandb_logger(node: Any, cfg: Any, run_dir: Path):
    """Lightning's ``WandbLogger`` (``mode: offline`` keeps the run in ``<run dir>/wandb``
    until ``wandb sync``; ``online`` needs ``wandb login``)."""
    try:
        import wandb  # noqa: F401  (only to test availability)
        from lightning.pytorch.loggers import WandbLogger
    except ImportError:
        raise GanforgeError("logger=wandb needs Weights & Biases: pip install 'ganforge[wandb]'") from None
    mode = str(node.get("mode") or "offline")
    if mode not in ("offline", "online", "disabled"):
        raise GanforgeError(f"logger.wandb.mode={mode}: expected one of ['offline', 'online', 'disabled']")
    return WandbLogger(project=str(node.get("project") or "ganforge"), name=_run_name(cfg, run_dir, node.get("run_name")),
                       save_dir=str(run_dir), mode=mode)


def log_media(logger: Any, media: list, step: int) -> None:
    """Send one step's media to an MLflow or W&B logger."""
    kind = type(logger).__name__
    for item in media:
        if kind == "MLFlowLogger":
            logger.experiment.log_artifact(logger.run_id, str(item.path), f"samples/step_{step:07d}")
        elif kind == "WandbLogger":
            import wandb

            value = wandb.Image(str(item.path)) if item.kind == "image" else wandb.Audio(str(item.path))
            logger.experiment.log({item.tag: value, "trainer/g_step": step})


class TrackerLoggers(Callback):
    """Attach the configured MLflow/W&B loggers and send them each sample step's media."""

    def __init__(self, plugin: DomainPlugin, run_dir: Path, cfg: Any, sample_every: int):
        self.plugin, self.run_dir, self.cfg = plugin, Path(run_dir), cfg
        self.sample_every = int(sample_every or 0)
        self.loggers: list = []
        self._last = -1

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        """Create the loggers (rank 0 only) and log the composed config as parameters."""
        if self.loggers or not trainer.is_global_zero:
            return
        from omegaconf import OmegaConf

        node = self.cfg.get("logger") or {}
        makers = {"mlflow": mlflow_logger, "wandb": wandb_logger}
        self.loggers = [makers[k](node[k], self.cfg, self.run_dir) for k in makers if node.get(k)]
        if not self.loggers:
            return
        params = flatten(OmegaConf.to_container(self.cfg, resolve=True))
        for logger in self.loggers:
            logger.log_hyperparams(params)
        trainer.loggers = [*trainer.loggers, *self.loggers]

    def _media(self, stem: str, step: int) -> None:
        from ganforge.report.callback import step_files

        if not self.loggers or not any(self.cfg.logger[k].log_samples for k in ("mlflow", "wandb") if self.cfg.logger.get(k)):
            return
        try:
            media = self.plugin.media_for_logging(step_files(self.run_dir, stem), self.run_dir / "report_assets")
            for logger in self.loggers:
                log_media(logger, media, step)
        except Exception as exc:  # noqa: BLE001 - a tracker must not stop training
            log.warning("tracker media not logged (%s: %s)", type(exc).__name__, exc)

    def on_train_batch_end(self, trainer: pl.Trainer, module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        """Upload the sheet written at this sample step."""
        g = module.g_step
        if g != self._last:
            self._last = g
            if on_period(g, self.sample_every):
                self._media(f"step_{g:07d}", g)

    def on_train_end(self, trainer: pl.Trainer, module: Any) -> None:
        """Upload the final sheet."""
        self._media("final", module.g_step)
