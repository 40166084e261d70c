"""Poetry data: reading one-poem-per-line UTF-8 files, the embedded corpus, splits, layout."""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from ganforge.errors import GanforgeError, choices_error
from ganforge.utils import decode_text

log = logging.getLogger("ganforge_sequence")

#: Shipped corpus: 3,000 five-character quatrains, see ``data/ATTRIBUTION.md``.
EMBEDDED_POEMS = "wuyan_jueju_3000.txt"
#: Marks that end a line of a quatrain (full-width and ASCII).
LINE_END_MARKS = frozenset("，。？！；：、,.?!;:")
EXPECTED = "a UTF-8 text file with one poem per line, or a folder of such .txt files"


def embedded_poems_path() -> Path:
    """Path of the corpus shipped inside the package."""
    return Path(str(resources.files("ganforge_sequence") / "data" / EMBEDDED_POEMS))


def _read_lines(file: Path) -> list[str]:
    """Non-empty lines of ``file`` with all whitespace removed (characters may be space-separated)."""
    text = decode_text(file.read_bytes(), f"data.path: {file}", EXPECTED)
    poems = []
    for line in text.splitlines():
        poem = "".join(line.split())
        if poem:
            poems.append(poem)
    return poems


def read_poems(path: str | Path | None, key: str = "data.path") -> list[str]:
    """Read poems from a file or a folder (all ``*.txt`` below it, in sorted order).

    ``None`` reads the embedded corpus. Raises :class:`GanforgeError` naming ``key`` and
    the path when it is missing, unreadable, not UTF-8, or holds no poem.
    """
    if path is None:
        return _read_lines(embedded_poems_path())
    p = Path(path).expanduser()
    if not p.exists():
        raise GanforgeError(f"{key}: '{p}' does not exist; expected {EXPECTED}")
    if p.is_dir():
        files = sorted(f for f in p.rglob("*.txt") if f.is_file())
        if not files:
            raise GanforgeError(f"{key}: folder '{p}' has no .txt file; expected {EXPECTED}")
    else:
        files = [p]
    poems: list[str] = []
    for f in files:
        try:
            poems.extend(_read_lines(f))
        except OSError as exc:
            raise GanforgeError(f"{key}: cannot read '{f}' ({exc.strerror}); expected {EXPECTED}") from None
    if not poems:
        raise GanforgeError(f"{key}: '{p}' holds no poem (only empty lines); expected {EXPECTED}")
    return poems


#: What :func:`limit_length` does with a poem longer than ``data.max_len``.
TOO_LONG_MODES = ("skip", "truncate")


def limit_length(poems: Sequence[str], max_len: int, mode: str = "skip", where: str = "data.path") -> list[str]:
    """Skip (``mode="skip"``) or cut (``"truncate"``) poems of more than ``max_len`` characters.

    Without it one 200,000-character line sets ``seq_len`` to 200,000 and the models allocate
    gigabytes; the count is logged as a warning naming ``where``. Whitespace is not counted
    (it is not a token). All poems too long with ``skip`` is an error.
    """
    if mode not in TOO_LONG_MODES:
        raise choices_error("mode", mode, TOO_LONG_MODES, where="data.too_long")
    long = [i for i, p in enumerate(poems) if len(p) > max_len]
    if not long:
        return list(poems)
    longest = max(len(poems[i]) for i in long)
    if mode == "truncate":
        log.warning("%s: truncated %d of %d poem(s) longer than data.max_len=%d characters (longest: %d)",
                    where, len(long), len(poems), max_len, longest)
        return [p[:max_len] for p in poems]
    kept = [p for p in poems if len(p) <= max_len]
    if not kept:
        raise GanforgeError(
            f"{where}: all {len(poems)} poem(s) are longer than data.max_len={max_len} characters (longest: {longest}); "
            f"expected one poem per line (raise data.max_len or set data.too_long=truncate)"
        )
    log.warning("%s: skipped %d of %d poem(s) longer than data.max_len=%d characters (longest: %d)",
                where, len(long), len(poems), max_len, longest)
    return kept


def split_poems(poems: Sequence[str], test_fraction: float, seed: int, where: str = "data.path") -> tuple[list[str], list[str]]:
    """Shuffle with ``seed`` and hold out ``test_fraction`` of the poems (at least one of each)."""
    if not 0.0 < test_fraction < 1.0:
        raise GanforgeError(f"data.test_fraction: {test_fraction} is not in (0, 1)")
    if len(poems) < 2:
        raise GanforgeError(f"{where}: {len(poems)} poem(s) cannot be split into train and test; expected at least 2 lines")
    order = list(range(len(poems)))
    random.Random(seed).shuffle(order)
    n_test = min(len(poems) - 1, max(1, round(len(poems) * test_fraction)))
    test = [poems[i] for i in order[:n_test]]
    train = [poems[i] for i in order[n_test:]]
    return train, test


def format_poem(text: str, lines: int = 4) -> str:
    """Lay a poem out one verse per line.

    If the line-ending marks split ``text`` into exactly ``lines`` verses, each verse
    (with its mark) is a line; otherwise (a generated sequence with marks in odd places)
    the characters without marks are cut into ``lines`` equal lines.
    """
    verses, current = [], ""
    for ch in text:
        current += ch
        if ch in LINE_END_MARKS:
            verses.append(current)
            current = ""
    if current:
        verses.append(current)
    if len(verses) == lines:
        return "\n".join(verses)
    chars = [ch for ch in text if ch not in LINE_END_MARKS]
    per = max(1, -(-len(chars) // lines))
    return "\n".join("".join(chars[i : i + per]) for i in range(0, len(chars), per))


def write_texts(texts: Sequence[str], out_dir: Path, stem: str, individual: bool, separator: str = "\n\n") -> list[Path]:
    """Write ``texts`` as UTF-8: one ``{stem}.txt`` sheet, or ``{stem}_{i:04d}.txt`` per text."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not individual:
        path = out_dir / f"{stem}.txt"
        path.write_text(separator.join(texts) + "\n", encoding="utf-8")
        return [path]
    paths = []
    for i, text in enumerate(texts):
        path = out_dir / f"{stem}_{i:04d}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(path)
    return paths
