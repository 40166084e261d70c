"""One run directory, one process: an advisory lock file inside the run directory.

``RunLock(run_dir).acquire()`` takes an exclusive ``flock`` on ``<run_dir>/.ganforge.lock``
and writes the holder's PID, host and start time into it. A second process (a
concurrent ``resume=``, a run given the same ``hydra.run.dir``) fails at once with one
line naming the holder. The kernel drops the lock when the holder dies, even by
``kill -9``, so a stale lock file of a dead process is simply taken over. ``flock`` is
used rather than an ``O_EXCL`` PID file because a PID file needs guessing whether its
PID is still alive (and PIDs of other hosts cannot be checked at all).

Locks are re-entrant within a process: ``gan-run`` takes the lock before Hydra writes
anything and :func:`ganforge._internal.training.train` takes it again (a no-op) for callers that
train from Python.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
from pathlib import Path

from ganforge.errors import GanforgeError

LOCK_NAME = ".ganforge.lock"

# path -> (fd, count): locks this process holds
_HELD: dict[str, list[int]] = {}


def launched_rank() -> int:
    """This process's rank as set by a launcher (torchrun, SLURM, Lightning's DDP
    subprocesses); 0 when not launched as one of several ranks. Only rank 0 locks: the
    other ranks of the same run write into the directory rank 0 holds."""
    for var in ("RANK", "SLURM_PROCID", "LOCAL_RANK", "NODE_RANK"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 0


class RunLockedError(GanforgeError):
    """Another live process holds the run directory's lock."""


def _holder_text(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process"
    since = info.get("started", "")
    return f"PID {info.get('pid', '?')} on host {info.get('host', '?')}" + (f" (since {since})" if since else "")


class RunLock:
    """Exclusive, re-entrant lock of one run directory (see the module docstring)."""

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir).expanduser().resolve()
        self.path = self.run_dir / LOCK_NAME

    @property
    def held(self) -> bool:
        """True when this process holds the lock."""
        return str(self.path) in _HELD

    def acquire(self) -> RunLock:
        """Take the lock or raise :class:`RunLockedError` naming the holder's PID and host."""
        key = str(self.path)
        if key in _HELD:
            _HELD[key][1] += 1
            return self
        if launched_rank() > 0:
            return self  # rank 0 of this run holds the lock
        from ganforge.utils import storage_error

        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, self.run_dir, "cannot create the run directory") from None
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise storage_error(exc, self.path, "cannot create the run lock") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise RunLockedError(
                        f"run directory {self.run_dir} is in use by {_holder_text(self.path)}; "
                        "wait for that process to end or use another directory"
                    ) from None
                raise storage_error(exc, self.path, "cannot lock the run directory") from None
            # the previous holder may have unlinked the file between our open and flock:
            # then we locked an orphaned inode and must retry on the new file
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
        except OSError as exc:
            os.close(fd)
            raise storage_error(exc, self.path, "cannot write the run lock") from None
        _HELD[key] = [fd, 1]
        return self

    def release(self) -> None:
        """Drop one hold; the last one removes the lock file and unlocks."""
        key = str(self.path)
        entry = _HELD.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _HELD[key]
        # unlink while still locked, so a waiting process never sees our file unlocked
        try:
            os.unlink(self.path)
        except OSError:
            pass
        os.close(entry[0])

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
