"""Progress for long set-up work (reading a data set, scanning a folder) on stderr.

Training has its own bar (``run.progress_bar``); this is for the minutes *before* it, when
a plugin reads thousands of files and the terminal would otherwise look hung. Plugins call
:func:`track` around their loop; short loops (under ``min_items``) show nothing.
"""

from __future__ import annotations

import logging
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")

#: Loops shorter than this show no bar (reading a handful of files is instant).
MIN_ITEMS = 500

log = logging.getLogger("ganforge")


def track(items: Iterable[T], description: str, total: int | None = None, min_items: int | None = None) -> Iterator[T]:
    """Yield ``items`` while showing a rich bar (count, elapsed, ETA) on stderr.

    Falls back to one log line when another live display (e.g. a running training bar)
    already owns the terminal. ``total`` defaults to ``len(items)`` when it has one;
    ``min_items`` to :data:`MIN_ITEMS`.
    """
    min_items = MIN_ITEMS if min_items is None else min_items
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if total is not None and total < min_items:
        yield from items
        return
    from rich.errors import LiveError

    progress = progress_bar()
    try:
        progress.start()
    except LiveError:
        log.info("%s (%s items)", description, total if total is not None else "?")
        yield from items
        return
    try:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)
    finally:
        progress.stop()


def progress_bar():
    """The rich bar ganforge shows for long work: description, bar, count, elapsed, ETA, on
    stderr (stdout carries result lines that scripts read). Start it with ``.start()``."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True), transient=False)
