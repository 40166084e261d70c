"""User-facing errors: one line that names the bad file, key or value and what was expected."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn


class GanforgeError(Exception):
    """An error caused by user input or configuration.

    ``gan-run``/``gan-sample`` print its message as a single line (no traceback) and
    exit with status 2. The message must name the offending file, key or value, say what
    was expected, and list the valid choices where there is a finite set.
    """


def choices_error(what: str, value: object, choices: Iterable[object], where: str = "") -> GanforgeError:
    """Build a :class:`GanforgeError` for a value outside a finite set of choices.

    >>> str(choices_error("domain", "imgs", ["audio", "images"]))
    "unknown domain 'imgs'; valid choices: audio, images"
    """
    valid = ", ".join(sorted(str(c) for c in choices)) or "(none installed)"
    prefix = f"{where}: " if where else ""
    return GanforgeError(f"{prefix}unknown {what} '{value}'; valid choices: {valid}")


def exit_with_error(prog: str, exc: BaseException | str) -> NoReturn:
    """Print ``prog: error: <one line>`` to stderr and exit with status 2 (what every
    ganforge console script does with a :class:`GanforgeError`; plugins' scripts too)."""
    import sys

    text = str(exc).strip()
    message = text.splitlines()[0] if text else type(exc).__name__
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(2)
