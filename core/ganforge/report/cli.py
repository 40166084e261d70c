"""``gan-report RUN_DIR | SWEEP_DIR [out=FILE]``: write a static HTML report.

For a run directory: ``<run dir>/report.html`` (config and overrides, status, metrics,
loss/metric curves, the domain's samples over training). For a sweep directory
(``gan-run -m``): ``<sweep dir>/report.html`` with one row per job, linking each job's
own report (written too). The page works offline straight from the file system.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ganforge.cli.run import fail
from ganforge.errors import GanforgeError

USAGE = "usage: gan-report <run dir | sweep dir> [out=FILE]"


def run_report(argv: list[str]) -> Path:
    """Implementation of ``gan-report`` (returns the written report)."""
    from ganforge.report.run import write_run_report
    from ganforge.report.sweep import is_sweep_dir, write_sweep_report

    if not argv or argv[0] in ("-h", "--help"):
        raise GanforgeError(USAGE)
    target = Path(argv[0]).expanduser()
    opts = {}
    for item in argv[1:]:
        key, sep, value = item.partition("=")
        if not sep or key != "out":
            raise GanforgeError(f"argument '{item}': expected out=FILE ({USAGE})")
        opts[key] = value
    if not target.is_dir():
        raise GanforgeError(f"{target}: not a directory; expected a run directory or a sweep directory")
    if is_sweep_dir(target):
        if "out" in opts:
            raise GanforgeError("out=: only for a run directory (a sweep report links its jobs' reports relatively)")
        return write_sweep_report(target)
    if not ((target / ".hydra").is_dir() or (target / "samples").is_dir() or (target / "logs").is_dir()):
        raise GanforgeError(f"{target}: no .hydra/, samples/ or logs/; expected a gan-run run directory or sweep directory")
    return write_run_report(target, out=opts.get("out"))


def main() -> None:
    """Console entry point."""
    try:
        path = run_report(sys.argv[1:])
    except GanforgeError as exc:
        fail("gan-report", exc)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
