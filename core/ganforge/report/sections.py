"""What a domain contributes to a run report: a :class:`ReportSection` of blocks.

A plugin's :meth:`~ganforge.plugin.DomainPlugin.report_section` returns one section
built from these plain data classes; the core renders them to HTML (so a plugin never
writes markup, and every domain's section looks the same). Paths are absolute or
relative to the run directory; the renderer links them relative to the report file.

:func:`default_report_section` is what a plugin gets without overriding anything:
every file under ``samples/`` grouped by training step, images shown, WAVs playable,
text shown as text, anything else linked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".flac")
TEXT_SUFFIXES = (".txt",)
#: the longest text shown inline for one file (the rest is behind its link)
TEXT_LIMIT = 4000


@dataclass
class Figure:
    """An image file (PNG/JPEG/SVG) with a caption."""

    path: Path
    caption: str = ""


@dataclass
class Audio:
    """A playable audio file, with optional figures shown beside the player
    (labelled spectrogram, waveform) and an optional download link (e.g. the .mid it came from)."""

    path: Path
    caption: str = ""
    figures: list[Path] = field(default_factory=list)
    link: Path | None = None
    link_label: str = ""


@dataclass
class Text:
    """Text shown as written (poems, token sequences); ``path`` links the full file."""

    text: str
    caption: str = ""
    path: Path | None = None


@dataclass
class Link:
    """A link to a file the browser cannot show inline (edge lists, checkpoints, .mid)."""

    path: Path
    label: str = ""


@dataclass
class Table:
    """A small table of values (e.g. generated vs training graph statistics)."""

    columns: list[str]
    rows: list[list]
    caption: str = ""


Block = Figure | Audio | Text | Link | Table


@dataclass
class ReportGroup:
    """The blocks of one training step (``label`` e.g. ``step 500`` or ``final``)."""

    label: str
    blocks: list[Block] = field(default_factory=list)
    step: int | None = None


@dataclass
class ReportSection:
    """A domain's part of the run report.

    Args:
        title: the section heading (e.g. ``Samples (images)``).
        groups: one group per sample step, in training order.
        intro: blocks shown before the groups (summaries, statistics tables).
        thumbnail: the image that represents the run in a sweep report (or ``None``).
        note: one line of explanation under the heading.
    """

    title: str
    groups: list[ReportGroup] = field(default_factory=list)
    intro: list[Block] = field(default_factory=list)
    thumbnail: Path | None = None
    note: str = ""


@dataclass
class SampleStep:
    """The files ``export_samples`` wrote for one sample step of a run."""

    label: str
    stem: str
    step: int | None
    files: list[Path]


_STEM = re.compile(r"^(step_(\d+)|final)(.*)$")


def sample_steps(run_dir: Path, samples_dir: str = "samples") -> list[SampleStep]:
    """Files under ``run_dir/samples`` grouped by the stem the core exports with
    (``step_0000500*``, ``final*``), in training order (``final`` last)."""
    folder = Path(run_dir) / samples_dir
    if not folder.is_dir():
        return []
    groups: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        match = _STEM.match(path.name)
        if path.is_file() and match and not path.name.startswith("."):
            groups.setdefault(match.group(1), []).append(path)
    steps = []
    for stem, files in groups.items():
        number = int(stem[5:]) if stem.startswith("step_") else None
        steps.append(SampleStep("final" if number is None else f"step {number}", stem, number, files))
    steps.sort(key=lambda s: (s.step is None, s.step or 0))
    return steps


def thin_steps(steps: Sequence[SampleStep], keep: int = 12) -> list[SampleStep]:
    """At most ``keep`` steps spread evenly over training, always with the first,
    the last numbered step and ``final`` (a long run has hundreds of sample sheets;
    the report stays light and samples/ keeps them all)."""
    steps = list(steps)
    if len(steps) <= keep:
        return steps
    final = [s for s in steps if s.step is None]
    numbered = [s for s in steps if s.step is not None]
    room = max(keep - len(final), 2)
    idx = {round(i * (len(numbered) - 1) / (room - 1)) for i in range(room)}
    return [s for i, s in enumerate(numbered) if i in idx] + final


def read_text(path: Path, limit: int = TEXT_LIMIT) -> str:
    """The start of a UTF-8 text file (with a marker when cut)."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + "\n..."


def default_blocks(files: Iterable[Path]) -> list[Block]:
    """Blocks for plain files: images shown, audio playable, text inline, the rest linked."""
    blocks: list[Block] = []
    for path in files:
        suffix = path.suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            blocks.append(Figure(path, path.name))
        elif suffix in AUDIO_SUFFIXES:
            blocks.append(Audio(path, path.name))
        elif suffix in TEXT_SUFFIXES:
            blocks.append(Text(read_text(path), path.name, path))
        else:
            blocks.append(Link(path, path.name))
    return blocks


def first_image(steps: Sequence[SampleStep]) -> Path | None:
    """The latest step's first image (the run's thumbnail in a sweep report)."""
    for step in reversed(list(steps)):
        for path in step.files:
            if path.suffix.lower() in IMAGE_SUFFIXES:
                return path
    return None


def default_report_section(domain: str, run_dir: Path,
                           blocks: Callable[[SampleStep], list[Block]] | None = None) -> ReportSection:
    """Every sample step's files under ``samples/`` (see :func:`default_blocks`);
    ``blocks`` customises how one step's files are shown."""
    steps = thin_steps(sample_steps(run_dir))
    make = blocks or (lambda step: default_blocks(step.files))
    groups = [ReportGroup(s.label, make(s), s.step) for s in steps]
    return ReportSection(f"Samples ({domain})", groups, thumbnail=first_image(steps))


def is_stale(target: Path, sources: Iterable[Path]) -> bool:
    """True when ``target`` is missing or older than any of ``sources`` (report assets
    are regenerated only then, so refreshing a report at every sample step stays cheap)."""
    target = Path(target)
    if not target.is_file():
        return True
    mtime = target.stat().st_mtime
    return any(Path(s).stat().st_mtime > mtime for s in sources if Path(s).exists())
