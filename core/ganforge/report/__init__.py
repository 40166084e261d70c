"""HTML reports of runs and sweeps (``gan-report``), and the blocks plugins build them from.

Public API::

    from ganforge.report import write_run_report, write_sweep_report
    from ganforge.report import ReportSection, ReportGroup, Figure, Audio, Text, Link, Table

A domain plugin contributes its samples through
:meth:`ganforge.plugin.DomainPlugin.report_section`; see docs/report.md.
"""

from ganforge.report.media import Media, default_media
from ganforge.report.run import ASSETS_DIR, REPORT_NAME, render_run_report, write_run_report
from ganforge.report.sections import (
    Audio,
    Figure,
    Link,
    ReportGroup,
    ReportSection,
    SampleStep,
    Table,
    Text,
    default_blocks,
    default_report_section,
    is_stale,
    read_text,
    sample_steps,
    thin_steps,
)
from ganforge.report.sweep import is_sweep_dir, write_sweep_report

__all__ = [
    "ASSETS_DIR", "REPORT_NAME", "Audio", "Figure", "Link", "Media", "ReportGroup", "ReportSection", "SampleStep",
    "Table", "Text", "default_blocks", "default_media", "default_report_section", "is_stale", "is_sweep_dir",
    "read_text", "render_run_report", "sample_steps", "thin_steps", "write_run_report", "write_sweep_report",
]
