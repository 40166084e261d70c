"""Reading SMILES files: CSV / SMI / TXT (optionally gzip-compressed), header detected.

* ``.csv`` / ``.tsv``: the column named ``smiles`` (any case) if the first row names one,
  else the first column.
* ``.smi`` / ``.txt``: the first whitespace-separated field of each line (a ``.smi``
  line is ``SMILES [name]``).

A first row is a header when it names a ``smiles`` column or when its field is not a
valid molecule but the next row's is. Every SMILES is checked with RDKit (parsing with
sanitisation) and rewritten in canonical form; unparsable ones are counted and skipped
with one summary line, and a file without a single valid molecule is a one-line
:class:`~ganforge.errors.GanforgeError`. Canonicalising is the slow part (about 0.25 ms a
molecule), so the result is cached by the file's content hash.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
import os
import zlib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import rdkit

from ganforge.errors import GanforgeError, choices_error
from ganforge.utils import decode_text

from .chem import canonical
from .tokenizer import SmilesTokenizationError, tokenize

log = logging.getLogger("ganforge")

SUFFIXES = (".csv", ".tsv", ".smi", ".txt")
#: The embedded MOSES subsets (MIT, see data/NOTICE.md).
EMBEDDED_TRAIN = "moses_train_50k.smi.gz"
EMBEDDED_TEST = "moses_test_10k.smi.gz"


def embedded_path(name: str) -> Path:
    """Path of an embedded data file (``EMBEDDED_TRAIN`` / ``EMBEDDED_TEST``)."""
    return Path(str(files("ganforge_molecules").joinpath("data", name)))


def default_cache_dir() -> Path:
    """:func:`ganforge.cache_dir` (shared with the other plugins)."""
    from ganforge import cache_dir

    return cache_dir()


@dataclass
class SmilesFile:
    """The valid molecules of a file: canonical SMILES in file order, and what was skipped."""

    path: Path
    smiles: list[str]
    total: int
    invalid: int
    first_invalid: str = ""


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _open_text(path: Path, key: str) -> io.TextIOBase:
    """The file's text (gunzipped when it starts with gzip's magic); one-line errors for
    a broken gzip stream, bytes that are not UTF-8 and NUL bytes (binary files)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise GanforgeError(f"{key}={path}: not a readable gzip file ({exc}); expected SMILES text, optionally gzipped") from None
    return io.StringIO(decode_text(raw, f"{key}={path}", "a text file of SMILES (one per line, or a CSV SMILES column)"))


def _fields(path: Path, key: str, limit: int | None = None) -> list[str]:
    """The SMILES field of every data row (header removed); reading stops soon after ``limit`` rows."""
    suffix = _suffix(path)
    if suffix not in SUFFIXES:
        raise choices_error("SMILES file type", suffix or path.name, SUFFIXES, where=f"{key}={path}")
    text = _open_text(path, key)
    enough = None if limit is None else int(limit) + 2  # a header and the row after it decide the header
    if suffix in (".csv", ".tsv"):
        rows = []
        for r in csv.reader(text, delimiter="\t" if suffix == ".tsv" else ","):
            if r and any(c.strip() for c in r):
                rows.append(r)
                if enough is not None and len(rows) >= enough:
                    break
        column = 0
        if rows:
            names = [c.strip().lower() for c in rows[0]]
            if "smiles" in names:
                column = names.index("smiles")
                rows = rows[1:]
        values = [r[column].strip() if column < len(r) else "" for r in rows]
    else:
        values = []
        for line in text:
            if line.strip() and not line.lstrip().startswith("#"):
                values.append(line.split()[0])
                if enough is not None and len(values) >= enough:
                    break
    if values and values[0].lower() == "smiles":
        values = values[1:]
    elif len(values) >= 2 and canonical(values[0]) is None and canonical(values[1]) is not None:
        values = values[1:]  # a header row with another name (e.g. "structure")
    return values


def _valid(smiles: str) -> str | None:
    """Canonical SMILES if RDKit parses it and the atom-level tokenizer covers it."""
    can = canonical(smiles)
    if can is None:
        return None
    try:
        tokenize(can)
    except SmilesTokenizationError:
        return None
    return can


def read_smiles_file(path: str | Path, key: str = "data.path", limit: int | None = None, cache_dir: str | Path | None = None) -> SmilesFile:
    """Valid canonical SMILES of ``path`` (at most the first ``limit`` rows), see the module docstring."""
    path = Path(str(path)).expanduser()
    if path.is_dir():
        raise GanforgeError(f"{key}={path}: is a folder; expected a .csv/.smi/.txt file of SMILES (optionally .gz)")
    if not path.is_file():
        raise GanforgeError(f"{key}={path}: no such file; expected a .csv/.smi/.txt file of SMILES (optionally .gz)")
    digest = hashlib.sha1(path.read_bytes()).hexdigest()[:20]
    cache = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    cache_file = cache / "molecules" / f"smiles-{digest}-{limit}-rdkit{rdkit.__version__}.json.gz"
    if cache_file.is_file():
        try:
            with gzip.open(cache_file, "rt", encoding="utf-8") as fh:
                d = json.load(fh)
            result = SmilesFile(path, d["smiles"], d["total"], d["invalid"], d["first_invalid"])
        except (OSError, ValueError, KeyError):
            result = None  # a damaged cache entry is rebuilt
        if result is not None:
            _report(result, key)
            return result
    values = _fields(path, key, limit)
    if limit is not None:
        values = values[: int(limit)]
    if not values:
        raise GanforgeError(f"{key}={path}: the file holds no SMILES; expected one SMILES per line (or a CSV SMILES column)")
    valid, invalid, first = [], 0, ""
    for s in values:
        can = _valid(s)
        if can is None:
            invalid += 1
            first = first or s
        else:
            valid.append(can)
    result = SmilesFile(path, valid, len(values), invalid, first)
    _report(result, key)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".tmp{os.getpid()}")
        with gzip.open(tmp, "wt", encoding="utf-8") as fh:
            json.dump({"smiles": valid, "total": len(values), "invalid": invalid, "first_invalid": first}, fh)
        os.replace(tmp, cache_file)
    except OSError as exc:  # a read-only cache only costs time
        log.warning("molecules: cannot cache %s (%s)", cache_file, exc)
    return result


def _report(result: SmilesFile, key: str) -> None:
    if not result.smiles:
        raise GanforgeError(
            f"{key}={result.path}: none of its {result.total} SMILES is a valid molecule (RDKit cannot parse e.g. "
            f"{result.first_invalid!r}); expected one SMILES per line (or a CSV SMILES column)"
        )
    if result.invalid:
        log.warning(
            "molecules: %s: skipped %d of %d SMILES that RDKit cannot parse (first: %r)",
            result.path, result.invalid, result.total, result.first_invalid,
        )
