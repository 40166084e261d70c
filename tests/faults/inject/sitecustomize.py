"""Fault injection for ``tests/faults`` (on ``PYTHONPATH`` of the ``gan-run`` subprocesses only).

Python imports ``sitecustomize`` at start-up; this one reads ``GANFORGE_FAULT`` and
patches the process so the fault happens at an exact, reproducible point:

* ``kill_at_step=N``: ``kill -9`` itself (a real SIGKILL via ``os.kill``) right after the
  batch that completes generator step N (after any checkpoint of that step).
* ``kill_in_save=N``: on the N-th checkpoint save, write the temporary file half-way and
  ``kill -9`` itself: the process dies in the middle of a checkpoint write.
* ``enospc=PATTERN[@N]``: from the N-th (default 1st) file opened for writing whose path
  matches the glob PATTERN on, writes fail with ``OSError(ENOSPC)`` after the first
  bytes are written: a disk that fills up while the file is written.
* ``slow_step=SECONDS``: sleep after every batch (gives signal tests time to act).
* ``nan_loss_at_step=N``: the generator's loss of step N is NaN (so are its gradients).

Nothing is patched without ``GANFORGE_FAULT``.
"""

from __future__ import annotations

import os

_SPEC = os.environ.get("GANFORGE_FAULT", "")


def _kill_self() -> None:
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def _install(spec: str) -> None:
    name, _, value = spec.partition("=")
    if name in ("kill_at_step", "slow_step"):
        from ganforge._internal.callbacks import StepSchedule

        original = StepSchedule.on_train_batch_end

        def on_train_batch_end(self, trainer, module, *args, **kwargs):
            original(self, trainer, module, *args, **kwargs)
            if name == "kill_at_step" and module.g_step >= int(value):
                _kill_self()
            if name == "slow_step":
                import time

                time.sleep(float(value))

        StepSchedule.on_train_batch_end = on_train_batch_end
    elif name == "nan_loss_at_step":
        from ganforge.module import AdversarialModule

        original_loss = AdversarialModule.generator_loss

        def generator_loss(self, batch):
            loss, logs = original_loss(self, batch)
            if self.g_step + 1 == int(value):
                loss = loss * float("nan")
                logs = {**logs, "loss/g": loss.detach()}
            return loss, logs

        AdversarialModule.generator_loss = generator_loss
    elif name == "kill_in_save":
        import lightning.pytorch as pl

        original_save = pl.Trainer.save_checkpoint
        calls = [0]

        def save_checkpoint(self, filepath, *args, **kwargs):
            calls[0] += 1
            original_save(self, filepath, *args, **kwargs)
            if calls[0] >= int(value):
                size = os.path.getsize(filepath)
                with open(filepath, "r+b") as fh:
                    fh.truncate(size // 2)  # the write got half-way
                _kill_self()

        pl.Trainer.save_checkpoint = save_checkpoint
    elif name == "enospc":
        import builtins
        import errno
        import fnmatch
        import io

        pattern, _, nth = value.partition("@")
        first = int(nth or 1)
        seen = [0]
        real_open = builtins.open

        class FullDisk:
            """A file whose first 16 bytes/characters are written, then the disk is full."""

            def __init__(self, fh, path):
                self._fh, self._path, self._written = fh, path, 0

            def write(self, data):
                room = 16 - self._written
                if len(data) <= room:
                    self._written += len(data)
                    return self._fh.write(data)
                self._fh.write(data[: max(room, 0)])
                self._written = 16
                self._fh.flush()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self._path)

            def __getattr__(self, item):
                return getattr(self._fh, item)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self._fh.close()

        def fault_open(file, mode="r", *args, **kwargs):
            path = os.fspath(file) if isinstance(file, (str, bytes, os.PathLike)) else None
            if path is not None and any(m in mode for m in "wax+") and fnmatch.fnmatch(str(path), pattern):
                seen[0] += 1
                if seen[0] >= first:
                    return FullDisk(real_open(file, mode, *args, **kwargs), str(path))
            return real_open(file, mode, *args, **kwargs)

        builtins.open = fault_open
        io.open = fault_open
    else:
        raise SystemExit(f"GANFORGE_FAULT: unknown fault {spec!r}")


if _SPEC:
    for _item in _SPEC.split(";"):
        _install(_item.strip())
