"""Multirun support: a Hydra callback that writes a sweep summary at the sweep root.

After ``gan-run -m ...`` finishes, ``summary.csv`` and ``summary.md`` list one row per
job: its number, overrides, status (``ok``/``failed``/``missing``), error, and final
metrics from the job's ``metrics.json``. A job that fails is recorded, and the others
still run (``gan-run``'s task catches the failure in multirun mode).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig


def _job_rows(sweep_dir: Path) -> list[dict[str, Any]]:
    rows = []
    job_dirs = sorted((p for p in sweep_dir.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    for job in job_dirs:
        row: dict[str, Any] = {"job": int(job.name)}
        overrides = job / ".hydra" / "overrides.yaml"
        row["overrides"] = " ".join(yaml.safe_load(overrides.read_text()) or []) if overrides.is_file() else ""
        status = job / "status.json"
        info = json.loads(status.read_text()) if status.is_file() else {"status": "missing"}
        row["status"] = info.get("status", "missing")
        row["error"] = info.get("error", "")
        metrics = job / "metrics.json"
        if metrics.is_file():
            for key, value in json.loads(metrics.read_text()).items():
                row[key] = value
        rows.append(row)
    return rows


def write_sweep_summary(sweep_dir: str | Path) -> tuple[Path, Path] | None:
    """Write ``summary.csv`` and ``summary.md`` for the jobs under ``sweep_dir``."""
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        return None
    rows = _job_rows(sweep_dir)
    keys = ["job", "status", "overrides", "error"]
    for row in rows:
        keys += [k for k in row if k not in keys]
    csv_path = sweep_dir / "summary.csv"
    with csv_path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
    shown = [k for k in keys if k in ("job", "status", "overrides", "error", "g_step") or "/" in k and not k.startswith("train/d/")]

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v if v is not None else "").replace("|", "\\|")

    lines = ["| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
    lines += ["| " + " | ".join(cell(r.get(k, "")) for k in shown) + " |" for r in rows]
    md_path = sweep_dir / "summary.md"
    ok = sum(r["status"] == "ok" for r in rows)
    md_path.write_text(f"# Sweep summary\n\n{ok} of {len(rows)} jobs ok.\n\n" + "\n".join(lines) + "\n")
    return csv_path, md_path


class SweepSummary(Callback):
    """Hydra callback: writes the sweep summary when a multirun ends."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Summarise the jobs of the finished sweep."""
        paths = write_sweep_summary(Path(config.hydra.sweep.dir))
        if paths:
            print(f"sweep summary: {paths[1]}")
