"""What every MIDI tokenizer provides (the sequence models only need ``vocab_size``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import pretty_midi


class MidiTokenizer(ABC):
    """Turns a MIDI file into integer tokens and tokens back into notes.

    Class attributes:
        name: the config value that selects the tokenizer (``data.tokenizer.name``).

    Instance attributes every tokenizer sets:
        vocab_size: number of distinct token ids (ids are ``0 .. vocab_size-1``).
        seq_len: length of every training window (the model's sequence length).
        pad_id: id used to fill the end of a window.
    """

    name: ClassVar[str]
    vocab_size: int
    seq_len: int
    pad_id: int

    @abstractmethod
    def encode(self, pm: pretty_midi.PrettyMIDI) -> list[int]:
        """The whole file as one token stream (any length)."""

    @abstractmethod
    def decode(self, ids: list[int], tempo: float = 120.0) -> list[pretty_midi.Note]:
        """Notes (times in seconds at ``tempo`` bpm where the tokens count beats)."""

    @abstractmethod
    def windows(self, ids: list[int], hop: int | None = None) -> list[list[int]]:
        """Cut a token stream into training windows of exactly ``seq_len`` tokens."""

    @abstractmethod
    def to_spec(self) -> dict[str, Any]:
        """Plain-value description that :func:`~ganforge_midi.tokenizers.tokenizer_from_spec` rebuilds."""

    @abstractmethod
    def transpose_ids(self, ids: list[int], semitones: int) -> list[int] | None:
        """``ids`` with every pitch moved by ``semitones``, or ``None`` if one leaves the range."""

    def strip_padding(self, ids: list[int]) -> list[int]:
        """``ids`` without window padding (for BLEU); tokenizations without padding return them as is."""
        return list(ids)

    def token_names(self, ids: list[int]) -> list[str]:
        """Readable names of ``ids`` (for logs and debugging)."""
        return [str(i) for i in ids]

    def seconds_per_window(self, tempo: float = 120.0) -> float | None:
        """Duration a full window covers, when the tokenization fixes it (else ``None``)."""
        return None
