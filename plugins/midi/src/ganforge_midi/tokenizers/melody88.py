"""``melody88``: SeqGAN's Nottingham representation.

The highest pitch of the melody track sampled every ``grid_seconds`` (0.4 s in the paper),
each sample one of the 88 piano keys or a rest, in windows of ``seq_len`` (32) samples.
Token 0 is the rest; token ``k`` (1..88) is MIDI pitch ``20 + k`` (A0 = 21 .. C8 = 108).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pretty_midi

from ganforge.errors import GanforgeError
from ganforge_midi.melody import REST, key_of, pick_melody_instrument, sample_top_pitch, shift_to_common_key
from ganforge_midi.tokenizers.base import MidiTokenizer

LOWEST_KEY = 21  # A0
HIGHEST_KEY = 108  # C8
REST_ID = 0


def pitch_to_id(pitch: int) -> int:
    """Token id of a MIDI pitch; pitches outside the piano are folded in by octaves."""
    while pitch < LOWEST_KEY:
        pitch += 12
    while pitch > HIGHEST_KEY:
        pitch -= 12
    return pitch - LOWEST_KEY + 1


def id_to_pitch(token: int) -> int | None:
    """MIDI pitch of a token id (``None`` for the rest)."""
    return None if token == REST_ID else int(token) + LOWEST_KEY - 1


class Melody88Tokenizer(MidiTokenizer):
    """Monophonic melody on a fixed time grid: 88 keys + rest (see the module docstring).

    Args:
        grid_seconds: time between two samples.
        seq_len: tokens per training window.
        melody_track: ``"auto"`` (highest mean pitch) or an index among pitched tracks.
        transpose: ``"none"`` or ``"common"`` (move every tune to C major / A minor, from
            its key-signature event or an estimate).
        velocity: velocity of the decoded notes.
    """

    name = "melody88"

    def __init__(
        self,
        grid_seconds: float = 0.4,
        seq_len: int = 32,
        melody_track: str | int = "auto",
        transpose: str = "none",
        velocity: int = 90,
    ) -> None:
        if grid_seconds <= 0:
            raise GanforgeError(f"data.tokenizer.grid_seconds: {grid_seconds} must be > 0")
        if seq_len < 2:
            raise GanforgeError(f"data.tokenizer.seq_len: {seq_len} must be >= 2")
        if transpose not in ("none", "common"):
            raise GanforgeError(f"data.tokenizer.transpose: unknown value '{transpose}'; valid choices: common, none")
        self.grid_seconds = float(grid_seconds)
        self.seq_len = int(seq_len)
        self.melody_track = melody_track
        self.transpose = transpose
        self.velocity = int(velocity)
        self.vocab_size = 89
        self.pad_id = REST_ID

    def encode(self, pm: pretty_midi.PrettyMIDI) -> list[int]:
        """Token stream of the melody track of ``pm`` (one token per grid cell)."""
        notes = pick_melody_instrument(pm, self.melody_track).notes
        grid = sample_top_pitch(notes, self.grid_seconds)
        shift = shift_to_common_key(key_of(pm)) if self.transpose == "common" else 0
        return [REST_ID if p == REST else pitch_to_id(int(p) + shift) for p in grid]

    def encode_notes(self, notes: list[pretty_midi.Note], n_cells: int | None = None) -> list[int]:
        """Token stream of a note list (no track choice, no transposition)."""
        grid = sample_top_pitch(notes, self.grid_seconds, n_cells)
        return [REST_ID if p == REST else pitch_to_id(int(p)) for p in grid]

    def decode(self, ids: list[int], tempo: float = 120.0) -> list[pretty_midi.Note]:
        """One note per run of equal non-rest tokens (the grid is in seconds, ``tempo`` unused).

        Runs merge because the grid cannot tell a held note from a repeated one; the
        result re-encodes to exactly ``ids``.
        """
        ids = [int(i) for i in ids]
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:
            raise GanforgeError(f"melody88: token id {bad[0]} out of range 0..{self.vocab_size - 1}")
        notes: list[pretty_midi.Note] = []
        k = 0
        while k < len(ids):
            if ids[k] == REST_ID:
                k += 1
                continue
            j = k
            while j + 1 < len(ids) and ids[j + 1] == ids[k]:
                j += 1
            notes.append(
                pretty_midi.Note(
                    velocity=self.velocity,
                    pitch=id_to_pitch(ids[k]),
                    start=k * self.grid_seconds,
                    end=(j + 1) * self.grid_seconds,
                )
            )
            k = j + 1
        return notes

    def windows(self, ids: list[int], hop: int | None = None) -> list[list[int]]:
        """Windows of ``seq_len`` tokens every ``hop`` (default ``seq_len``) tokens.

        The short tail is dropped, and so are windows that are rest from start to end
        (silence teaches the model nothing).
        """
        hop = self.seq_len if hop is None else int(hop)
        if hop < 1:
            raise GanforgeError(f"data.hop: {hop} must be >= 1")
        out = []
        for start in range(0, len(ids) - self.seq_len + 1, hop):
            w = list(ids[start : start + self.seq_len])
            if any(t != REST_ID for t in w):
                out.append(w)
        return out

    def transpose_ids(self, ids: list[int], semitones: int) -> list[int] | None:
        """``ids`` moved by ``semitones`` (rests stay), or ``None`` if a note leaves the piano."""
        out = []
        for t in ids:
            if t == REST_ID:
                out.append(t)
                continue
            s = t + semitones
            if not 1 <= s <= 88:
                return None
            out.append(s)
        return out

    def token_names(self, ids: list[int]) -> list[str]:
        """``rest`` or the note name (``C4``) of each id."""
        return ["rest" if i == REST_ID else pretty_midi.note_number_to_name(id_to_pitch(i)) for i in ids]

    def seconds_per_window(self, tempo: float = 120.0) -> float:
        """``seq_len * grid_seconds`` (independent of tempo)."""
        return self.seq_len * self.grid_seconds

    def to_spec(self) -> dict[str, Any]:
        """Constructor arguments as plain values."""
        return {
            "kind": f"midi_{self.name}",
            "name": self.name,
            "grid_seconds": self.grid_seconds,
            "seq_len": self.seq_len,
            "melody_track": self.melody_track,
            "transpose": self.transpose,
            "velocity": self.velocity,
        }


def grid_values(ids: list[int]) -> np.ndarray:
    """MIDI pitches of ``ids`` with ``REST`` (-1) for rests (handy for plotting/metrics)."""
    return np.array([REST if i == REST_ID else id_to_pitch(i) for i in ids], dtype=np.int64)
