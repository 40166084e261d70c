"""The images domain's part of the run report: each sample step's sheet, captioned with
what its rows and columns are for the run's model."""

from __future__ import annotations

from pathlib import Path

import yaml

from ganforge.report import Figure, Link, ReportSection, SampleStep, default_report_section

CAPTIONS = {
    "pix2pix": "each cell: input | output | target (held-out pairs; columns named on the sheet)",
    "cyclegan": "each cell: A | A->B | A->B->A | B | B->A | B->A->B (held-out images; columns named on the sheet)",
    "cgan": "classes in turn, the same noise at every step",
    "cgan-concat": "classes in turn, the same noise at every step",
}


def _model(run_dir: Path) -> str:
    """The run's ``model.name`` from its saved config ("" when the run dir has none: the
    generic caption)."""
    for name in ("resolved.yaml", "config.yaml"):
        path = run_dir / ".hydra" / name
        if path.is_file():
            saved = yaml.safe_load(path.read_text()) or {}
            return str((saved.get("model") or {}).get("name") or "")
    return ""


def images_report_section(run_dir: Path) -> ReportSection:
    """Sample sheets by step; translation sheets say which image is which."""
    model = _model(Path(run_dir))
    what = CAPTIONS.get(model, "the same noise at every step, so steps compare")

    def blocks(step: SampleStep) -> list:
        return [Figure(p, f"{step.label}: {what}") if p.suffix.lower() == ".png" else Link(p, p.name) for p in step.files]

    return default_report_section("images", Path(run_dir), blocks)
