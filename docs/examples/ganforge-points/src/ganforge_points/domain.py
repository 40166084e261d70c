"""The ``points`` domain plugin: what ganforge needs to train, sample and evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ganforge import DomainPlugin
from ganforge.report import Figure, Link, ReportSection, SampleStep, default_report_section
from ganforge_points.data import RowsDataModule
from ganforge_points.export import export_rows
from ganforge_points.model import MLPGAN
from ganforge_points.schemas import SCHEMAS

MODELS = {"mlp": MLPGAN}


class PointsDomain(DomainPlugin):
    """Rows of numbers (e.g. 2-D point clouds) from CSV files."""

    name = "points"
    models = tuple(MODELS)
    model_classes = MODELS  # the default build_module calls MODELS[model.name].from_config(cfg, spec)
    default_model = "mlp"
    config_package = "ganforge_points.conf"
    description = "rows of numbers from CSV (2-D: point clouds); embedded 8-Gaussians ring"

    def build_datamodule(self, cfg: Any) -> RowsDataModule:
        """The data builder: rows from ``data.path`` (``null``: the embedded default) in
        batches of ``data.batch_size``; the defaults live in ``conf/domain/points.yaml``."""
        return RowsDataModule(path=cfg.data.path, batch_size=int(cfg.data.batch_size))

    def config_schemas(self, model: str | None) -> dict:
        """Types and ranges of this domain's ``data`` and ``model`` keys (checked by ``gan-run``)."""
        return SCHEMAS

    def export_samples(self, samples: Any, out_dir: Path, stem: str, individual: bool = False) -> list[Path]:
        """One CSV of all rows (a row is one sample, so ``individual`` writes the same file)."""
        return export_rows(samples, Path(out_dir), stem)

    def evaluate(self, module: Any, datamodule: Any) -> dict[str, float]:
        """Energy distance between 1,000 generated and real rows, in standardised units."""
        if datamodule is None:
            return {}
        real = datamodule.rows[:1000].to(module.device)
        fake = ((module.sample(len(real)) - module.mean) / module.std).to(real.dtype)
        cross = torch.cdist(fake, real).mean()
        energy = 2 * cross - torch.cdist(fake, fake).mean() - torch.cdist(real, real).mean()
        return {f"energy_distance/n{len(real)}": float(energy)}

    def report_section(self, run_dir: Path, assets_dir: Path) -> ReportSection:
        """This domain's samples in the HTML run report (``gan-report``): each sample
        step's scatter plot, its CSV linked. Without this method the default shows the
        same files with their file names as captions."""

        def blocks(step: SampleStep) -> list:
            return [
                Figure(path, f"{step.label}: generated points") if path.suffix == ".png" else Link(path, f"{path.name} (rows as CSV)")
                for path in step.files
            ]

        return default_report_section(self.name, Path(run_dir), blocks)
