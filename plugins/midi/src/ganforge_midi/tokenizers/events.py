"""``events``: polyphonic REMI tokens (bar, position, pitch, velocity, duration) via miditok.

miditok 3.1 (with symusic 0.6) works with the versions pinned here, so the REMI grammar,
quantisation and decoding come from it. What this module adds: building the symusic score
from the pretty_midi file we already parsed (every pitched track merged into one voice
stream, so chords and multi-voice music share one sequence), bar-aligned fixed-length
windows for the sequence models, and notes in seconds for export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pretty_midi

from ganforge.errors import GanforgeError
from ganforge_midi.melody import pitched_instruments
from ganforge_midi.tokenizers.base import MidiTokenizer

if TYPE_CHECKING:
    import symusic

DEFAULT_BEAT_RES = ((0, 4, 8), (4, 12, 4))


def pretty_midi_to_score(pm: pretty_midi.PrettyMIDI) -> symusic.Score:
    """A one-track symusic score (ticks) holding every pitched note of ``pm``, plus its time signatures."""
    import symusic  # imported on use, as miditok below: ~0.2 s that every gan-run would pay at composition

    score = symusic.Score(int(pm.resolution))
    track = symusic.Track(name="merged", program=0, is_drum=False)
    for inst in pitched_instruments(pm):
        for n in inst.notes:
            start, end = pm.time_to_tick(n.start), pm.time_to_tick(n.end)
            if end > start:
                track.notes.append(symusic.Note(int(start), int(end - start), int(n.pitch), int(n.velocity)))
    track.notes.sort(key=lambda n: (n.time, n.pitch))
    score.tracks.append(track)
    for ts in pm.time_signature_changes:
        score.time_signatures.append(
            symusic.TimeSignature(int(pm.time_to_tick(ts.time)), int(ts.numerator), int(ts.denominator))
        )
    return score


class EventsTokenizer(MidiTokenizer):
    """Polyphonic REMI tokenization (see the module docstring).

    Args:
        seq_len: tokens per training window (windows start on a bar and are padded).
        beat_res: ``[[first_beat, last_beat, samples_per_beat], ...]`` (miditok ``beat_res``).
        num_velocities: velocity bins.
        use_time_signatures: emit a time-signature token after each bar (bars follow the meter).
        pitch_range: ``[low, high)`` MIDI pitches kept.
    """

    name = "events"

    def __init__(
        self,
        seq_len: int = 256,
        beat_res: list | tuple = DEFAULT_BEAT_RES,
        num_velocities: int = 8,
        use_time_signatures: bool = True,
        pitch_range: list | tuple = (21, 109),
    ) -> None:
        if seq_len < 8:
            raise GanforgeError(f"data.tokenizer.seq_len: {seq_len} must be >= 8 for events")
        try:
            res = {(int(a), int(b)): int(r) for a, b, r in beat_res}
        except (TypeError, ValueError):
            raise GanforgeError(
                f"data.tokenizer.beat_res: {beat_res!r} is not valid; expected [[first_beat, last_beat, samples_per_beat], ...]"
            ) from None
        self.seq_len = int(seq_len)
        self.beat_res = [[a, b, r] for (a, b), r in sorted(res.items())]
        self.num_velocities = int(num_velocities)
        self.use_time_signatures = bool(use_time_signatures)
        self.pitch_range = [int(pitch_range[0]), int(pitch_range[1])]
        import miditok  # on use: see pretty_midi_to_score

        config = miditok.TokenizerConfig(
            pitch_range=tuple(self.pitch_range),
            beat_res=res,
            num_velocities=self.num_velocities,
            special_tokens=["PAD"],
            use_time_signatures=self.use_time_signatures,
            use_programs=False,
            use_chords=False,
            use_rests=False,
            use_tempos=False,
        )
        self.remi = miditok.REMI(config)
        self.vocab_size = len(self.remi)
        self.pad_id = int(self.remi.pad_token_id)
        self.bar_id = int(self.remi.vocab["Bar_None"])
        self._position_ids = {i for tok, i in self.remi.vocab.items() if tok.startswith("Position_")}
        self._pitch_of_id = {i: int(tok.split("_")[1]) for tok, i in self.remi.vocab.items() if tok.startswith("Pitch_")}
        self._id_of_pitch = {p: i for i, p in self._pitch_of_id.items()}

    def quantize(self, pm: pretty_midi.PrettyMIDI) -> symusic.Score:
        """The score of ``pm`` quantised the way the tokens see it (miditok preprocessing)."""
        return self.remi.preprocess_score(pretty_midi_to_score(pm))

    def encode(self, pm: pretty_midi.PrettyMIDI) -> list[int]:
        """REMI ids of every pitched note of ``pm`` in one stream."""
        seqs = self.remi.encode(pretty_midi_to_score(pm))
        seq = seqs[0] if isinstance(seqs, list) else seqs
        return [int(i) for i in seq.ids]

    def decode_score(self, ids: list[int]) -> symusic.Score:
        """A symusic score (ticks, one piano track) from ids; padding is ignored."""
        ids = [int(i) for i in ids if int(i) != self.pad_id]
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:
            raise GanforgeError(f"events: token id {bad[0]} out of range 0..{self.vocab_size - 1}")
        if not ids:
            import symusic  # on use: see pretty_midi_to_score

            return symusic.Score(self.remi.time_division)
        return self.remi.decode([ids])

    def decode(self, ids: list[int], tempo: float = 120.0) -> list[pretty_midi.Note]:
        """Notes in seconds at ``tempo`` bpm (malformed token successions are skipped by miditok)."""
        score = self.decode_score(ids)
        sec_per_tick = 60.0 / float(tempo) / score.ticks_per_quarter
        notes = [
            pretty_midi.Note(
                velocity=int(n.velocity),
                pitch=int(n.pitch),
                start=n.time * sec_per_tick,
                end=(n.time + n.duration) * sec_per_tick,
            )
            for track in score.tracks
            for n in track.notes
        ]
        notes.sort(key=lambda n: (n.start, n.pitch))
        return notes

    def error_rate(self, ids: list[int]) -> float:
        """Share of tokens that break the REMI grammar (miditok ``tokens_errors``)."""
        ids = [int(i) for i in ids if int(i) != self.pad_id]
        return float(self.remi.tokens_errors([ids])[0]) if ids else 0.0

    def _split_long(self, bar: list[int]) -> list[list[int]]:
        """Split one bar longer than ``seq_len`` before Position tokens.

        Every piece after the first repeats the bar header (Bar, TimeSig) so it decodes on
        its own; a single position too long for a window is hard-cut as a last resort.
        """
        header_len = 1
        while header_len < len(bar) and bar[header_len] not in self._position_ids:
            header_len += 1
        header, body = bar[:header_len], bar[header_len:]
        room = self.seq_len - len(header)
        if room < 4:  # header alone nearly fills a window: plain cut
            return [bar[i : i + self.seq_len] for i in range(0, len(bar), self.seq_len)]
        pieces, current = [], []
        for tok in body:
            if tok in self._position_ids and len(current) >= room // 2:
                pieces.append(current)
                current = []
            current.append(tok)
            if len(current) == room:
                pieces.append(current)
                current = []
        if current:
            pieces.append(current)
        return [header + piece for piece in pieces]

    def windows(self, ids: list[int], hop: int | None = None) -> list[list[int]]:
        """Whole bars packed greedily into windows of ``seq_len`` tokens, padded with PAD.

        ``hop`` is not used: windows always start at a bar line so each decodes on its own.
        """
        bars: list[list[int]] = []
        for tok in ids:
            if tok == self.bar_id or not bars:
                bars.append([])
            bars[-1].append(int(tok))
        out: list[list[int]] = []
        current: list[int] = []
        for bar in bars:
            parts = [bar] if len(bar) <= self.seq_len else self._split_long(bar)
            for part in parts:
                if current and len(current) + len(part) > self.seq_len:
                    out.append(current)
                    current = []
                current = current + part
        if current:
            out.append(current)
        # windows with no note are useless for training
        out = [w for w in out if any(t in self._pitch_of_id for t in w)]
        return [w + [self.pad_id] * (self.seq_len - len(w)) for w in out]

    def strip_padding(self, ids: list[int]) -> list[int]:
        """``ids`` with the trailing PAD tokens removed."""
        ids = [int(i) for i in ids]
        while ids and ids[-1] == self.pad_id:
            ids.pop()
        return ids

    def transpose_ids(self, ids: list[int], semitones: int) -> list[int] | None:
        """Pitch tokens moved by ``semitones`` (others unchanged), ``None`` if one leaves ``pitch_range``."""
        out = []
        for t in ids:
            pitch = self._pitch_of_id.get(int(t))
            if pitch is None:
                out.append(int(t))
                continue
            moved = self._id_of_pitch.get(pitch + int(semitones))
            if moved is None:
                return None
            out.append(moved)
        return out

    def token_names(self, ids: list[int]) -> list[str]:
        """miditok token strings of ``ids``."""
        return [self.remi[int(i)] for i in ids]

    def to_spec(self) -> dict[str, Any]:
        """Constructor arguments as plain values."""
        return {
            "kind": f"midi_{self.name}",
            "name": self.name,
            "seq_len": self.seq_len,
            "beat_res": [list(r) for r in self.beat_res],
            "num_velocities": self.num_velocities,
            "use_time_signatures": self.use_time_signatures,
            "pitch_range": list(self.pitch_range),
        }
