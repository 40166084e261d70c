"""Embedded default data: public-domain tunes rendered to .mid files (see ``NOTICE.md``)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def default_data_dir() -> Path:
    """Folder of the shipped .mid files (used when ``data.path`` is null)."""
    return Path(str(files("ganforge_midi.default_data").joinpath("tunes")))
