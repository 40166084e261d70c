"""The sequence domains' part of the run report: each sample step's sheet as text,
split into one card per sample (a poem per card for ``poetry``)."""

from __future__ import annotations

from pathlib import Path

from ganforge.report import Link, ReportGroup, ReportSection, Text, sample_steps, thin_steps

#: samples shown per step (the whole sheet is linked)
MAX_SAMPLES_SHOWN = 12


def sequence_report_section(domain: str, run_dir: Path, separator: str) -> ReportSection:
    """Per sample step: up to :data:`MAX_SAMPLES_SHOWN` samples of the ``.txt`` sheet as
    separate text blocks (``separator`` splits the sheet), the sheet itself linked."""
    groups = []
    for step in thin_steps(sample_steps(run_dir)):
        blocks = []
        for path in step.files:
            if path.suffix != ".txt":
                blocks.append(Link(path, path.name))
                continue
            samples = [s.strip("\n") for s in path.read_text(encoding="utf-8").split(separator) if s.strip()]
            shown = samples[:MAX_SAMPLES_SHOWN]
            blocks += [Text(text, f"#{i + 1}") for i, text in enumerate(shown)]
            blocks.append(Link(path, f"{path.name} (all {len(samples)} samples)"))
        groups.append(ReportGroup(step.label, blocks, step.step))
    return ReportSection(f"Samples ({domain})", groups, note="Generated with the sampling generator at temperature 1.")
