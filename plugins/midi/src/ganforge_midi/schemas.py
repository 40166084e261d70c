"""Typed schema of the midi domain's ``data`` group (see :mod:`ganforge.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from ganforge.schema import open_schema, spec


@open_schema
@dataclass
class MidiData:
    """``data`` of the midi domain."""

    tokenizer: str = spec(choices=("melody88", "events"))
    test_fraction: float = spec(ge=0, le=0.9)
    max_files: int | None = spec(ge=1)
    max_seconds: float = spec(gt=0)
    hop: int | None = spec(ge=1)
    beats_per_bar: int = spec(ge=1)
    augment_semitones: list = spec()
