"""The report of a sweep directory (``gan-run -m``): one row per job, linking each
job's own report, plus the main curves of every job in one chart."""

from __future__ import annotations

from html import escape
from pathlib import Path

from ganforge.report.curves import line_chart, read_metrics_csv
from ganforge.report.html import href, page, table_html, write_atomic
from ganforge.report.run import REPORT_NAME, _badge, render_run_report

#: at most this many metric columns in the jobs table (the job reports have them all)
MAX_METRIC_COLUMNS = 10


def job_dirs(sweep_dir: Path) -> list[Path]:
    """The numbered job directories Hydra created under ``sweep_dir``, in job order."""
    return sorted((p for p in Path(sweep_dir).iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))


def is_sweep_dir(path: Path) -> bool:
    """A sweep root: Hydra's ``multirun.yaml`` or numbered job directories with a ``.hydra``."""
    path = Path(path)
    return (path / "multirun.yaml").is_file() or any((j / ".hydra").is_dir() for j in job_dirs(path))


def _metric_columns(infos) -> list[str]:
    keys: list[str] = []
    for info in infos:
        for key in sorted(info.metrics):
            shown = "/" in key and not key.startswith(("train/d/", "stats/training/"))
            if shown and key not in keys and isinstance(info.metrics[key], (int, float)):
                keys.append(key)
    keys.sort(key=lambda k: (k.startswith("train/"), k.startswith("stats/"), k))
    return keys[:MAX_METRIC_COLUMNS]


def _overlay_charts(jobs: list[Path], families: tuple[str, ...] = ("loss/",)) -> list[str]:
    per_job = {job.name: read_metrics_csv(job / "logs" / "metrics.csv") for job in jobs}
    keys = sorted({k for series in per_job.values() for k in series if k.startswith(families)})
    charts = []
    for key in keys[:6]:
        lines = {f"job {name}": series[key] for name, series in per_job.items() if series.get(key)}
        if lines:
            charts.append(line_chart(f"{key} (all jobs)", lines))
    return charts


def write_sweep_report(sweep_dir: str | Path) -> Path:
    """Write ``<sweep dir>/report.html`` and each job's ``report.html``; return the sweep's."""
    sweep_dir = Path(sweep_dir)
    jobs = job_dirs(sweep_dir)
    out = sweep_dir / REPORT_NAME
    rendered = [render_run_report(job) for job in jobs]
    infos = [r[1] for r in rendered]
    metric_keys = _metric_columns(infos)
    # the overrides every job shares go above the table; each row shows what it varies
    common = set.intersection(*(set(i.overrides) for i in infos)) if len(infos) > 1 else set()
    rows = []
    for job, (path, info, section) in zip(jobs, rendered):
        thumb = (f'<a href="{href(path, out.parent)}"><img class="thumb" src="{href(section.thumbnail, out.parent)}" '
                 f'alt="job {job.name}"></a>' if section.thumbnail else "")
        status = _badge(info.status) + (f"<br>{escape(info.error)}" if info.error else "")
        rows.append([f'<a href="{href(path, out.parent)}">{escape(job.name)}</a>', escape(" ".join(o for o in info.overrides if o not in common)), status,
                     *[info.metrics.get(k, "") for k in metric_keys], thumb])
    ok = sum(i.status in ("ok", "finished") for i in infos)
    columns = ["job", "overrides", "status", *metric_keys, "samples"]
    raw = (0, 1, 2, len(columns) - 1)
    body = [f'<section><h2>Jobs</h2><p class="note">{ok} of {len(jobs)} jobs finished. '
            "Click a job for its full report.</p>"
            + (f'<p class="note">Every job: <code>{escape(" ".join(o for o in infos[0].overrides if o in common))}</code></p>'
               if common else "")
            + table_html(columns, rows, raw_columns=raw) + "</section>"]
    charts = _overlay_charts(jobs)
    if charts:
        body.append('<section class="curves"><h2>Losses of every job</h2><div class="charts">' + "".join(charts) + "</div></section>")
    subtitle = f"{len(jobs)} jobs &middot; {escape(str(sweep_dir.resolve()))}"
    write_atomic(out, page(f"{sweep_dir.name} - ganforge sweep", subtitle, body))
    return out


def report_after_sweep(sweep_dir: str | Path) -> Path | None:
    """What ``gan-run -m`` calls when the sweep ends: the sweep report, or a warning
    instead of an error (a report must not turn a finished sweep into a failed command)."""
    import logging

    try:
        path = write_sweep_report(sweep_dir)
    except Exception as exc:  # noqa: BLE001
        logging.getLogger("ganforge").warning("sweep report not written (%s: %s)", type(exc).__name__, exc)
        return None
    print(f"sweep report: {path}")
    return path
