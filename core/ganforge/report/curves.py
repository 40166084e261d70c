"""Loss and metric curves from ``logs/metrics.csv`` as inline SVG.

Hand-written SVG instead of a plotting library: the core does not depend on
matplotlib, and a few polylines with axes are all a report needs (they scale with the
page, stay sharp, and keep the HTML self-contained).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from html import escape
from pathlib import Path

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")
#: columns of metrics.csv that are bookkeeping, not curves
HIDDEN = ("phase_index", "epoch")


def read_metrics_csv(path: Path) -> dict[str, list[tuple[float, float]]]:
    """``metric -> [(step, value), ...]`` from a CSV with a ``step`` column (empty cells skipped)."""
    series: dict[str, list[tuple[float, float]]] = {}
    path = Path(path)
    if not path.is_file():
        return series
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                step = float(row.get("step") or "nan")
            except ValueError:
                continue
            for key, cell in row.items():
                if key in (None, "step") or cell in (None, ""):
                    continue
                try:
                    value = float(cell)
                except ValueError:
                    continue
                if math.isfinite(value) and math.isfinite(step):
                    series.setdefault(key, []).append((step, value))
    return series


def group_series(series: dict[str, list[tuple[float, float]]]) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """One chart per metric family: the key up to its first ``/`` (``loss/d`` and
    ``loss/g`` share the ``loss`` chart)."""
    groups: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for key in sorted(series):
        if key in HIDDEN:
            continue
        family = key.split("/", 1)[0] if "/" in key else key
        groups.setdefault(family, {})[key] = series[key]
    return groups


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering ``[lo, hi]`` (1/2/2.5/5 x 10^k spacing)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    ticks, t = [], start
    while t <= hi + 1e-9 * step:
        ticks.append(round(t, 12))
        t += step
    return ticks


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1e4 else f"{v:.2e}"


def line_chart(title: str, lines: dict[str, list[tuple[float, float]]],
               phase_starts: Sequence[float] = (), width: int = 460, height: int = 260) -> str:
    """An SVG line chart (x = generator step); a series of one point is drawn as a dot."""
    left, right, top, bottom = 56, 12, 26, 34
    pw, ph = width - left - right, height - top - bottom
    xs = [x for pts in lines.values() for x, _ in pts]
    ys = [y for pts in lines.values() for _, y in pts]
    if not xs:
        return ""
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    if y1 == y0:
        pad = abs(y0) * 0.1 or 1.0
        y0, y1 = y0 - pad, y1 + pad

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return top + (1 - (y - y0) / (y1 - y0)) * ph

    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}">',
           f'<text x="{width / 2}" y="16" text-anchor="middle" class="ct">{escape(title)}</text>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" class="frame"/>']
    for t in nice_ticks(y0, y1):
        y = sy(t)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" class="tick">{_fmt(t)}</text>')
    for t in nice_ticks(x0, x1):
        x = sx(t)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + ph}" y2="{top + ph + 4}" class="axis"/>'
                   f'<text x="{x:.1f}" y="{top + ph + 15}" text-anchor="middle" class="tick">{_fmt(t)}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 3}" text-anchor="middle" class="tick">generator step</text>')
    for x in phase_starts:
        if x0 < x <= x1:
            out.append(f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{top}" y2="{top + ph}" class="phase"/>')
    for i, (name, pts) in enumerate(lines.items()):
        colour = PALETTE[i % len(PALETTE)]
        pts = sorted(pts)
        if len(pts) == 1:
            (x, y), = pts
            out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3.5" fill="{colour}"><title>{escape(name)}: {_fmt(y)}</title></circle>')
        else:
            coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="1.5">'
                       f'<title>{escape(name)}</title></polyline>')
        ly = top + 12 + 13 * i
        out.append(f'<rect x="{left + 8}" y="{ly - 8}" width="10" height="3" fill="{colour}"/>'
                   f'<text x="{left + 22}" y="{ly - 4}" class="legend">{escape(name)} ({_fmt(pts[-1][1])})</text>')
    out.append("</svg>")
    return "".join(out)


def phase_boundaries(series: dict[str, list[tuple[float, float]]]) -> list[float]:
    """Steps where ``phase_index`` changes (drawn as dashed lines in every chart)."""
    pts = sorted(series.get("phase_index", []))
    return [x for (_, a), (x, b) in zip(pts, pts[1:]) if b != a]


def metric_charts(csv_path: Path, max_charts: int = 24) -> list[str]:
    """SVG charts for every metric family in ``csv_path`` (losses first)."""
    series = read_metrics_csv(csv_path)
    groups = group_series(series)
    # a family logged once (final FID ...) is a number, not a curve: the metrics table has it
    order = [k for k in sorted(groups, key=lambda k: (k != "loss", k)) if any(len(p) > 1 for p in groups[k].values())]
    order = order[:max_charts]
    starts = phase_boundaries(series)
    return [chart for k in order if (chart := line_chart(k, groups[k], starts))]
