"""Render report sections to one self-contained HTML page (inline CSS, no script, no CDN).

Media stay files next to the run (sample PNGs, WAVs, MIDI); the page links them by
relative URL, so the report opens from the file system, offline, and keeps working
when the run directory (or a whole sweep directory) is moved or copied as a whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from urllib.parse import quote

from ganforge.report.sections import Audio, Block, Figure, Link, ReportSection, Table, Text

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:20px} header .sub{opacity:.8}
main{padding:8px 24px 40px;max-width:1500px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:16px 0;padding:10px 16px}
h2{font-size:17px;margin:6px 0 10px} h3{font-size:15px;margin:14px 0 6px;color:#3b4457}
table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #dde1e7;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5} td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;background:#999;color:#fff}
.badge.ok{background:#2e8540}.badge.failed{background:#c0392b}.badge.running{background:#d68910}
.charts{display:flex;flex-wrap:wrap;gap:10px} svg.chart{width:460px;max-width:100%;background:#fff}
svg .ct{font-size:13px;font-weight:600} svg .tick,svg .legend{font-size:10px;fill:#333}
svg .frame{fill:none;stroke:#999} svg .grid{stroke:#e6e6e6} svg .axis{stroke:#999}
svg .phase{stroke:#888;stroke-dasharray:4 3}
.group{border-top:1px solid #eef1f5;padding-top:4px}
.blocks{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
figure{margin:0;max-width:100%} figure img{min-width:240px;max-width:520px;max-height:520px;image-rendering:pixelated;border:1px solid #ddd;background:#fff}
figcaption{font-size:12px;color:#555}
.audio{border:1px solid #e3e6eb;border-radius:4px;padding:6px;max-width:560px}
.audio img{max-width:540px;display:block;margin-top:4px;border:1px solid #ddd}
.text pre{white-space:pre-wrap;font:15px/1.6 "Noto Serif CJK SC","Songti SC",serif;background:#fbfaf6;border:1px solid #e8e3d6;padding:8px 12px;margin:0;max-height:420px;overflow:auto;min-width:200px}
pre.config{font:12px/1.4 ui-monospace,Menlo,monospace;background:#f3f4f6;padding:8px;max-height:480px;overflow:auto}
.note{color:#555;font-size:13px} a{color:#1f5fbf}
img.thumb{max-width:160px;max-height:120px;border:1px solid #ddd;image-rendering:pixelated}
"""


def href(path: Path | str, report_dir: Path) -> str:
    """A relative, URL-quoted link from ``report_dir`` to ``path``."""
    rel = os.path.relpath(Path(path).resolve(), Path(report_dir).resolve())
    return quote(Path(rel).as_posix())


def fmt_value(value) -> str:
    """Numbers at 4 significant digits, everything else as text."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def table_html(columns: Sequence[str], rows: Iterable[Sequence], caption: str = "", raw_columns: Sequence[int] = ()) -> str:
    """An HTML table; cells in ``raw_columns`` are trusted HTML (links, thumbnails)."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns) if any(columns) else ""
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if i in raw_columns:
                cells.append(f"<td>{value}</td>")
            else:
                num = ' class="num"' if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
                cells.append(f"<td{num}>{escape(fmt_value(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    return f"<table>{cap}{thead}<tbody>{''.join(body)}</tbody></table>"


def block_html(block: Block, report_dir: Path, run_dir: Path) -> str:
    """One block (figure, audio player, text, link, table) as HTML."""

    def url(p: Path) -> str:
        p = Path(p)
        return href(p if p.is_absolute() else run_dir / p, report_dir)

    if isinstance(block, Figure):
        cap = f"<figcaption>{escape(block.caption)}</figcaption>" if block.caption else ""
        return f'<figure><img src="{url(block.path)}" alt="{escape(block.caption or Path(block.path).name)}">{cap}</figure>'
    if isinstance(block, Audio):
        figs = "".join(f'<img src="{url(f)}" alt="{escape(Path(f).stem)}">' for f in block.figures)
        link = (f' &middot; <a href="{url(block.link)}">{escape(block.link_label or Path(block.link).name)}</a>'
                if block.link else "")
        return (f'<div class="audio"><div>{escape(block.caption)}{link}</div>'
                f'<audio controls preload="metadata" src="{url(block.path)}"></audio>{figs}</div>')
    if isinstance(block, Text):
        link = f' &middot; <a href="{url(block.path)}">file</a>' if block.path else ""
        return f'<div class="text"><figcaption>{escape(block.caption)}{link}</figcaption><pre>{escape(block.text)}</pre></div>'
    if isinstance(block, Link):
        return f'<div class="link"><a href="{url(block.path)}">{escape(block.label or Path(block.path).name)}</a></div>'
    if isinstance(block, Table):
        return table_html(block.columns, block.rows, block.caption)
    raise TypeError(f"report: unknown block type {type(block).__name__}")


def section_html(section: ReportSection, report_dir: Path, run_dir: Path) -> str:
    """A domain's section: note, intro blocks, then one row of blocks per sample step."""
    parts = [f"<section class=\"samples\"><h2>{escape(section.title)}</h2>"]
    if section.note:
        parts.append(f'<p class="note">{escape(section.note)}</p>')
    if section.intro:
        parts.append('<div class="blocks">' + "".join(block_html(b, report_dir, run_dir) for b in section.intro) + "</div>")
    if not section.groups:
        parts.append('<p class="note">No samples yet.</p>')
    for group in section.groups:
        inner = "".join(block_html(b, report_dir, run_dir) for b in group.blocks)
        parts.append(f'<div class="group"><h3>{escape(group.label)}</h3><div class="blocks">{inner}</div></div>')
    parts.append("</section>")
    return "".join(parts)


def page(title: str, subtitle: str, body: Iterable[str]) -> str:
    """The whole document: inline CSS, no scripts, nothing fetched from the network."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><div class=\"sub\">{subtitle}</div></header><main>"
        + "".join(body) + "</main></body></html>\n"
    )


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` through a temporary file (a browser never sees half a report)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
