"""Small shared helpers: seeded side computations, atomic file writes, storage errors."""

from __future__ import annotations

import contextlib
import errno as errno_module
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganforge.errors import GanforgeError


@contextlib.contextmanager
def seeded(seed: int, device: torch.device | str | None = None) -> Iterator[None]:
    """Run a block with a fixed torch seed without disturbing the caller's RNG streams.

    Sample sheets and metrics use it, so they are comparable across steps and a
    resumed run draws the same training randomness as an uninterrupted one. Python's
    ``random`` and numpy's global states are restored on exit as well, so a block that
    reseeds everything (``lightning.seed_everything``) leaves the caller's streams alone.
    """
    devices = []
    if device is not None and torch.device(device).type == "cuda":
        devices = [torch.device(device).index or 0]
    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(int(seed))
            yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)


class StorageError(GanforgeError):
    """A file of the run could not be written (disk full, read-only, missing directory)."""


def storage_error(exc: BaseException, path: str | Path, what: str = "cannot write") -> StorageError:
    """One-line :class:`StorageError` naming ``path`` and the errno of ``exc``.

    >>> str(storage_error(OSError(28, "No space left on device"), "/r/x.ckpt"))
    'cannot write /r/x.ckpt: [Errno 28 ENOSPC] No space left on device'
    """
    code = getattr(exc, "errno", None)
    if isinstance(exc, OSError) and code is not None:
        name = errno_module.errorcode.get(code, "?")
        reason = f"[Errno {code} {name}] {exc.strerror or os.strerror(code)}"
    else:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StorageError(f"{what} {path}: {reason}")


def temporary_path(path: str | Path) -> Path:
    """A per-process temporary name beside ``path`` (``.<name>.<pid>.tmp``): concurrent
    writers never share one, and the leading dot plus ``.tmp`` keep it out of globs
    such as ``*.ckpt`` or ``*.json``."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def atomic_path(path: str | Path, what: str = "cannot write") -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` atomically.

    On any error the temporary file is removed (``path`` keeps its previous content)
    and an :class:`OSError` becomes a one-line :class:`StorageError` naming the path.
    """
    path = Path(path)
    tmp = temporary_path(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise storage_error(exc, path, what) from exc
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` through a temporary file, so readers never see half a file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, path.parent, "cannot create") from exc
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=float) + "\n")


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Delete ``.*.tmp`` files left in ``directory`` by a killed writer (call only while
    holding the run lock, when no other process can be writing there)."""
    removed = []
    if Path(directory).is_dir():
        for p in Path(directory).glob(".*.tmp"):
            with contextlib.suppress(OSError):
                if p.is_dir():
                    import shutil

                    shutil.rmtree(p)
                else:
                    p.unlink()
                removed.append(p)
    return removed


def cache_dir(*parts: str) -> Path:
    """ganforge's cache folder (reference classifiers, generated data, statistics), one
    rule for every plugin: ``$GANFORGE_CACHE_DIR`` (``$GANFORGE_CACHE`` is read too, for
    older set-ups), else ``$XDG_CACHE_HOME/ganforge``, else ``~/.cache/ganforge``;
    ``parts`` name a subfolder."""
    env = os.environ.get("GANFORGE_CACHE_DIR") or os.environ.get("GANFORGE_CACHE")
    base = Path(env).expanduser() if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "ganforge"
    return base.joinpath(*parts)


def on_period(step: int, period: int | None) -> bool:
    """True at every ``period``-th generator step (never at step 0; ``period`` 0 or None: never).
    The one cadence rule for logging, samples, evaluation, checkpoints, reports and trackers."""
    return bool(period) and period > 0 and step > 0 and step % period == 0


def decode_text(raw: bytes, where: str, expected: str) -> str:
    """``raw`` as UTF-8 text (a byte-order mark dropped); a one-line :class:`GanforgeError`
    ``"<where>: line N is not valid UTF-8; expected <expected>"`` (or ``holds a NUL byte``)
    for bytes that are not text, so a binary file never turns into silent garbage."""
    from ganforge.errors import GanforgeError

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise GanforgeError(f"{where}: line {line} is not valid UTF-8; expected {expected}") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise GanforgeError(f"{where}: line {line} holds a NUL byte (a binary file?); expected {expected}")
    return text


def loader_worker_init(worker_id: int) -> None:
    """``worker_init_fn`` for a plugin's DataLoader with ``num_workers > 0``.

    A SIGTERM or Ctrl-C sent to the process group (a shell, SLURM, ``pkill -f``) also
    reaches the loader workers; dying from it, they turn a clean interruption (last
    checkpoint written, ``status: interrupted``) into ``DataLoader worker ... is killed
    by signal`` and ``status: failed``. Workers therefore ignore both signals and leave
    them to the training process, which shuts them down. Lightning's per-worker seeding
    (what it installs when a loader has no ``worker_init_fn``) still runs.
    """
    import signal

    from lightning.fabric.utilities.seed import pl_worker_init_function

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pl_worker_init_function(worker_id)
