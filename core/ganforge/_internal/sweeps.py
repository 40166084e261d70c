"""Multirun support: a Hydra callback that writes a sweep summary at the sweep root.

After ``gan-run -m ...`` finishes, ``summary.csv`` and ``summary.md`` list one row per
job: its number, domain, model, overrides, status (``ok``/``failed``/``diverged``/
``interrupted``/``missing``), error, and final metrics from the job's ``metrics.json``.
A job that fails is recorded, and the others still run (``gan-run``'s task catches the
failure in multirun mode); the sweep then ends with one line such as
``3 of 4 jobs ok; failed: 2 (see multirun/.../2/run.log)`` and ``gan-run`` exits 1.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
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
        choices = _job_choices(job)
        row["domain"], row["model"] = choices.get("domain", ""), choices.get("model", "")
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


def _job_choices(job: Path) -> dict[str, str]:
    """The domain and model a job ran (``model=default`` in a domain sweep resolved)."""
    config = job / ".hydra" / "config.yaml"
    if not config.is_file():
        return {}
    try:
        cfg = yaml.safe_load(config.read_text()) or {}
    except yaml.YAMLError:
        return {}
    return {k: str((cfg.get(k) or {}).get("name", "")) for k in ("domain", "model")}


@dataclass
class SweepResult:
    """Outcome of a finished sweep: how many jobs, which failed, where the summary is."""

    sweep_dir: Path
    total: int = 0
    failed: list[int] = field(default_factory=list)
    summary_md: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every job finished with status ``ok``."""
        return not self.failed

    def line(self) -> str:
        """One line for the console: ``3 of 4 jobs ok; failed: 2 (see .../2/run.log)``."""
        text = f"{self.total - len(self.failed)} of {self.total} jobs ok"
        if self.failed:
            first = self.sweep_dir / str(self.failed[0]) / "run.log"
            text += f"; failed: {', '.join(map(str, self.failed))} (see {first})"
        return text


#: the result of the last sweep summarised in this process (read by ``gan-run`` for its exit status)
LAST_RESULT: SweepResult | None = None


def write_sweep_summary(sweep_dir: str | Path) -> tuple[Path, Path] | None:
    """Write ``summary.csv`` and ``summary.md`` for the jobs under ``sweep_dir``."""
    global LAST_RESULT
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        return None
    rows = _job_rows(sweep_dir)
    LAST_RESULT = SweepResult(sweep_dir, len(rows), [r["job"] for r in rows if r["status"] != "ok"])
    keys = ["job", "domain", "model", "status", "overrides", "error"]
    for row in rows:
        keys += [k for k in row if k not in keys]
    csv_path = sweep_dir / "summary.csv"
    with csv_path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
    shown = [k for k in keys if k in ("job", "domain", "model", "status", "overrides", "error", "g_step") or "/" in k and not k.startswith("train/d/")]

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v if v is not None else "").replace("|", "\\|")

    lines = ["| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
    lines += ["| " + " | ".join(cell(r.get(k, "")) for k in shown) + " |" for r in rows]
    md_path = sweep_dir / "summary.md"
    ok = sum(r["status"] == "ok" for r in rows)
    md_path.write_text(f"# Sweep summary\n\n{ok} of {len(rows)} jobs ok.\n\n" + "\n".join(lines) + "\n")
    LAST_RESULT.summary_md = md_path
    return csv_path, md_path


class SweepSummary(Callback):
    """Hydra callback: writes the sweep summary when a multirun ends."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Summarise the jobs of the finished sweep."""
        paths = write_sweep_summary(Path(config.hydra.sweep.dir))
        if paths and LAST_RESULT is not None:
            print(f"sweep summary: {paths[1]}")
            print(f"gan-run: {LAST_RESULT.line()}")
        if (config.get("run") or {}).get("report", True):
            from ganforge.report.sweep import report_after_sweep

            report_after_sweep(Path(config.hydra.sweep.dir))  # <sweep dir>/report.html (gan-report)
