"""``status.json``: what state a run directory is in, never older than its checkpoint.

States: ``running`` (written once a run has passed its checks and starts), then one of
``ok``, ``failed``, ``diverged`` (non-finite values; see :mod:`ganforge._internal.guard`) or
``interrupted`` (SIGTERM/SIGINT; see :mod:`ganforge._internal.interrupts`). ``step`` is the
generator step the run reached, for ``interrupted`` the step saved in ``last.ckpt``.
A sweep summary reads the ``status`` and ``error`` keys.

:func:`begin_run` also removes what a previous process may have left that would
describe an older state: ``metrics.json`` of the run being resumed (rewritten when the
resumed run ends) and ``.*.tmp`` files of a killed writer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from pathlib import Path

from lightning.pytorch.utilities.exceptions import SIGTERMException

from ganforge._internal.guard import Diverged, DivergenceGuard
from ganforge._internal.interrupts import RunInterrupted
from ganforge.utils import StorageError, remove_stale_temporaries, write_json_atomic

log = logging.getLogger("ganforge")

STATUSES = ("running", "ok", "failed", "diverged", "interrupted")


def write_status(run_dir: Path, status: str, **fields) -> bool:
    """Write ``run_dir/status.json`` atomically; on a storage error log one line and return False."""
    data = {
        "status": status,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **{k: v for k, v in fields.items() if v is not None},
    }
    try:
        write_json_atomic(Path(run_dir) / "status.json", data)
        return True
    except StorageError as exc:
        log.error("could not record status %s: %s", status, exc)
        return False


def begin_run(run_dir: Path) -> None:
    """Clear state a previous process left behind (call while holding the run lock)."""
    run_dir = Path(run_dir)
    for folder in (run_dir, run_dir / "checkpoints", run_dir / "samples", run_dir / "logs"):
        for p in remove_stale_temporaries(folder):
            log.info("removed %s left by an earlier process", p)
    with contextlib.suppress(FileNotFoundError):
        (run_dir / "metrics.json").unlink()  # it described the state before this run/resume


def classify_failure(exc: BaseException, guard: DivergenceGuard | None = None) -> BaseException:
    """The exception to report for ``exc`` raised by ``Trainer.fit``: Lightning's own
    SIGTERM exit and its ``sys.exit(1)`` after Ctrl-C become :class:`RunInterrupted`."""
    saved = guard.saved_step if guard is not None else None
    if isinstance(exc, SIGTERMException):
        return RunInterrupted(signal.SIGTERM, saved, saved=saved is not None)
    if isinstance(exc, (KeyboardInterrupt, SystemExit)) and not isinstance(exc, RunInterrupted):
        from ganforge._internal import interrupts

        if isinstance(exc, KeyboardInterrupt) or (interrupts.ACTIVE and interrupts.ACTIVE.requested == signal.SIGINT):
            return RunInterrupted(signal.SIGINT, saved, saved=saved is not None)
    return exc


def record_failure(run_dir: Path, exc: BaseException, g_step: int) -> None:
    """Write the terminal status for ``exc`` (``diverged``, ``interrupted`` or ``failed``)."""
    line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, Diverged):
        write_status(run_dir, "diverged", step=exc.step, checkpoint_step=exc.kept_step, error=line)
    elif isinstance(exc, RunInterrupted):
        write_status(run_dir, "interrupted", step=exc.step, signal=signal.Signals(exc.signum).name, error=line)
    else:
        write_status(run_dir, "failed", step=g_step, error=f"{type(exc).__name__}: {line}")
