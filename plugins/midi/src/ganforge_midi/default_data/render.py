"""Render the note-by-note tunes of :mod:`.tunes` to the shipped .mid files.

Regenerate the files with ``python -m ganforge_midi.default_data.render`` (a test checks
that the shipped files match what this renders).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pretty_midi

from ganforge_midi.default_data.tunes import TUNES, Tune

TEMPO = 120.0  # the Nottingham MIDI files are also at 120 bpm
MELODY_VELOCITY = 90
CHORD_VELOCITY = 60

_QUALITIES = {"": (0, 4, 7), "m": (0, 3, 7), "7": (0, 4, 7, 10), "m7": (0, 3, 7, 10), "dim": (0, 3, 6)}


def parse_part(text: str) -> list[tuple[str, float]]:
    """``"C4 D4:0.5 | r:2"`` -> ``[("C4", 1.0), ("D4", 0.5), ("r", 2.0)]`` (bar lines dropped)."""
    events = []
    for tok in text.replace("|", " ").split():
        sym, _, beats = tok.partition(":")
        events.append((sym, float(beats) if beats else 1.0))
    return events


def bar_lengths(text: str) -> list[float]:
    """Beats in each ``|``-separated bar of a part (used to check transcriptions)."""
    return [sum(b for _, b in parse_part(bar)) for bar in text.split("|")]


def beats_per_bar(meter: tuple[int, int]) -> float:
    """Quarter-note beats in one bar of ``meter`` (6/8 -> 3.0)."""
    return meter[0] * 4.0 / meter[1]


def chord_pitches(symbol: str) -> list[int]:
    """Close-position chord under the melody: root between G2 and F#3, then its chord tones."""
    root_name = symbol[0] + (symbol[1] if len(symbol) > 1 and symbol[1] in "#b" else "")
    quality = symbol[len(root_name) :]
    if quality not in _QUALITIES:
        raise ValueError(f"chord '{symbol}': unknown quality '{quality}'; valid: {sorted(_QUALITIES)}")
    root = pretty_midi.note_name_to_number(root_name + "3")
    if root > pretty_midi.note_name_to_number("F#3"):
        root -= 12
    return [root + i for i in _QUALITIES[quality]]


def _part_notes(events: list[tuple[str, float]], seconds_per_beat: float, offset: float, chord: bool) -> list:
    notes, t = [], offset
    for sym, beats in events:
        start, end = t * seconds_per_beat, (t + beats) * seconds_per_beat
        if sym != "r":
            pitches = chord_pitches(sym) if chord else [pretty_midi.note_name_to_number(sym)]
            vel = CHORD_VELOCITY if chord else MELODY_VELOCITY
            notes += [pretty_midi.Note(velocity=vel, pitch=p, start=start, end=end) for p in pitches]
        t += beats
    return notes


def render_tune(tune: Tune, tempo: float = TEMPO) -> pretty_midi.PrettyMIDI:
    """A PrettyMIDI for ``tune``: melody track(s), chord track, time and key signatures."""
    spb = 60.0 / tempo
    pm = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    pm.time_signature_changes.append(pretty_midi.TimeSignature(tune.meter[0], tune.meter[1], 0.0))
    pm.key_signature_changes.append(pretty_midi.KeySignature(pretty_midi.key_name_to_key_number(tune.key), 0.0))
    melody = parse_part(tune.melody)
    if tune.canon:
        length = sum(b for _, b in melody)
        for voice, start in enumerate(tune.canon["offsets"]):
            inst = pretty_midi.Instrument(program=0, name=f"voice {voice + 1}")
            for rep in range(int(tune.canon.get("times", 1))):
                inst.notes += _part_notes(melody, spb, start + rep * length, chord=False)
            pm.instruments.append(inst)
    else:
        inst = pretty_midi.Instrument(program=0, name="melody")
        inst.notes = _part_notes(melody, spb, 0.0, chord=False)
        pm.instruments.append(inst)
        if tune.chords:
            acc = pretty_midi.Instrument(program=0, name="chords")
            acc.notes = _part_notes(parse_part(tune.chords), spb, 0.0, chord=True)
            pm.instruments.append(acc)
    return pm


def render_all(out_dir: Path) -> list[Path]:
    """Write ``<name>.mid`` for every tune into ``out_dir``; returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for tune in TUNES:
        path = out_dir / f"{tune.name}.mid"
        render_tune(tune).write(str(path))
        paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover - maintenance script
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("tunes")
    for p in render_all(target):
        print(p)
