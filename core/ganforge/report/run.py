"""The report of one run directory: ``<run dir>/report.html``.

Reads only what a run writes (``.hydra/``, ``status.json``, ``metrics.json``,
``logs/metrics.csv``, ``samples/``), so it works on a finished run, a failed one, or
one still training (``gan-run`` refreshes it at every sample step).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import yaml

from ganforge.report.curves import metric_charts, read_metrics_csv
from ganforge.report.html import href, page, section_html, table_html, write_atomic
from ganforge.report.sections import ReportSection, default_report_section

log = logging.getLogger("ganforge")

REPORT_NAME = "report.html"
ASSETS_DIR = "report_assets"


@dataclass
class RunInfo:
    """What the report says about a run besides its samples."""

    run_dir: Path
    config: dict = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)
    status: str = "running"
    error: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    final: bool = False

    @property
    def domain(self) -> str:
        """The run's domain name (``?`` when the config is missing)."""
        return str((self.config.get("domain") or {}).get("name", "?"))

    @property
    def model(self) -> str:
        """The run's model name."""
        return str((self.config.get("model") or {}).get("name", "?"))


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text()) if path.is_file() else None
    except yaml.YAMLError:
        return None


def read_run(run_dir: Path, status: str | None = None) -> RunInfo:
    """Collect config, overrides, status and metrics of ``run_dir``.

    ``status`` overrides what ``status.json`` says (the training callback passes
    ``running`` because a resumed run still has its previous ``status.json``).
    """
    run_dir = Path(run_dir)
    hydra = run_dir / ".hydra"
    config = _load_yaml(hydra / "resolved.yaml") or _load_yaml(hydra / "config.yaml") or {}
    overrides = _load_yaml(hydra / "overrides.yaml") or []
    info = RunInfo(run_dir, config if isinstance(config, dict) else {}, [str(o) for o in overrides])
    state_file = run_dir / "status.json"
    state = json.loads(state_file.read_text()) if state_file.is_file() else {}
    metrics_file = run_dir / "metrics.json"
    if metrics_file.is_file():
        info.metrics = json.loads(metrics_file.read_text())
        info.final = True
    info.status = status or state.get("status") or ("finished" if info.final else "running")
    info.error = state.get("error", "") if not status else ""
    if not info.final:
        # latest logged value of every metric while the run goes on
        series = read_metrics_csv(run_dir / "logs" / "metrics.csv")
        info.metrics = {k: v[-1][1] for k, v in series.items() if v and k != "phase_index"}
        steps = [pts[-1][0] for pts in series.values() if pts]
        if steps:
            info.metrics["g_step"] = max(steps)
    return info


def domain_section(info: RunInfo, assets: Path) -> ReportSection:
    """The domain plugin's section (its ``report_section``), or the default one when the
    plugin is not installed here or fails (a report must never break a run)."""
    from ganforge._internal.registry import get_registry
    from ganforge.errors import GanforgeError

    try:
        plugin = get_registry().get(info.domain)
    except (GanforgeError, KeyError):
        section = default_report_section(info.domain, info.run_dir)
        section.note = f"domain '{info.domain}' is not installed here: showing the raw sample files"
        return section
    try:
        return plugin.report_section(info.run_dir, assets)
    except Exception as exc:  # noqa: BLE001 - show the files and say what went wrong
        log.warning("report: %s.report_section failed (%s: %s)", info.domain, type(exc).__name__, exc)
        section = default_report_section(info.domain, info.run_dir)
        section.note = f"the {info.domain} plugin's report section failed ({type(exc).__name__}: {exc}); raw files shown"
        return section


def _badge(status: str) -> str:
    kind = {"ok": "ok", "finished": "ok", "failed": "failed", "running": "running"}.get(status, "")
    return f'<span class="badge {kind}">{escape(status)}</span>'


def _metrics_rows(metrics: dict[str, Any]) -> list[list]:
    def order(key: str) -> tuple:
        return (key.startswith("train/"), key.startswith("stats/"), key)

    return [[k, metrics[k]] for k in sorted(metrics, key=order)]


def summary_html(info: RunInfo, report_dir: Path) -> str:
    """Run facts, overrides, final (or latest) metrics and the composed config."""
    cfg = info.config
    trainer = cfg.get("trainer") or {}
    phases = (cfg.get("model") or {}).get("phases") or []
    step = info.metrics.get("g_step")
    rows = [
        ["status", _badge(info.status) + (f" {escape(info.error)}" if info.error else "")],
        ["domain / model", escape(f"{info.domain} / {info.model}")],
        ["generator step", escape(f"{int(step) if isinstance(step, (int, float)) else '-'}"
                                  f" of {trainer.get('max_steps') if trainer.get('max_steps') not in (None, -1) else 'phases'}")],
        ["phases", escape(", ".join(f"{p.get('name')} ({p.get('steps') or 'until max_steps'})" for p in phases) or "adversarial")],
        ["seed", escape(str(cfg.get("seed", "-")))],
        ["run directory", escape(str(info.run_dir.resolve()))],
    ]
    ckpts = sorted((info.run_dir / "checkpoints").glob("*.ckpt")) if (info.run_dir / "checkpoints").is_dir() else []
    if ckpts:
        rows.append(["checkpoints", " ".join(f'<a href="{href(p, report_dir)}">{escape(p.name)}</a>' for p in ckpts)])
    out = ['<section class="summary"><h2>Run</h2>', table_html(["", ""], rows, raw_columns=(1,))]
    overrides = " ".join(info.overrides)
    out.append(f"<h3>Overrides</h3><pre class=\"config\">{escape(overrides or '(none recorded)')}</pre>")
    if cfg:
        out.append("<details><summary>Composed config</summary><pre class=\"config\">"
                   f"{escape(yaml.safe_dump(cfg, sort_keys=False))}</pre></details>")
    out.append("</section>")
    title = "Final metrics" if info.final else "Latest logged values"
    if info.metrics:
        out.append(f'<section class="metrics"><h2>{title}</h2>'
                   + table_html(["metric", "value"], _metrics_rows(info.metrics)) + "</section>")
    return "".join(out)


def curves_html(run_dir: Path) -> str:
    """The loss/metric charts (dashed lines mark phase changes)."""
    charts = metric_charts(run_dir / "logs" / "metrics.csv")
    body = "".join(charts) if charts else '<p class="note">No logged values yet (logs/metrics.csv).</p>'
    return f'<section class="curves"><h2>Curves</h2><div class="charts">{body}</div></section>'


def render_run_report(run_dir: str | Path, status: str | None = None,
                      out: str | Path | None = None) -> tuple[Path, RunInfo, ReportSection]:
    """Write the run's report and return ``(path, run info, domain section)``
    (the sweep report reuses the info and the section's thumbnail)."""
    run_dir = Path(run_dir).resolve()  # plugins get absolute paths; relative ones mean run-dir relative
    out = Path(out) if out else run_dir / REPORT_NAME
    info = read_run(run_dir, status)
    section = domain_section(info, run_dir / ASSETS_DIR)
    when = time.strftime("%Y-%m-%d %H:%M:%S")
    subtitle = f"{_badge(info.status)} &middot; {escape(info.domain)} / {escape(info.model)} &middot; updated {when}"
    body = [summary_html(info, out.parent), curves_html(run_dir), section_html(section, out.parent, run_dir)]
    write_atomic(out, page(f"{run_dir.name} - ganforge run", subtitle, body))
    return out, info, section


def write_run_report(run_dir: str | Path, status: str | None = None, out: str | Path | None = None) -> Path:
    """Write ``<run dir>/report.html`` (or ``out``) and return its path.

    Domain assets the page needs (labelled spectrograms, MIDI previews ...) go to
    ``<run dir>/report_assets/`` and are only regenerated when their source changed.
    """
    return render_run_report(run_dir, status, out)[0]
