"""Melody extraction: choose the melody track and sample its top pitch on a fixed time grid."""

from __future__ import annotations

import numpy as np
import pretty_midi

from ganforge.errors import GanforgeError

REST = -1  # grid value for "nothing sounding"


def pitched_instruments(pm: pretty_midi.PrettyMIDI) -> list[pretty_midi.Instrument]:
    """The non-drum instruments of ``pm`` that hold at least one note."""
    return [inst for inst in pm.instruments if not inst.is_drum and inst.notes]


def pick_melody_instrument(pm: pretty_midi.PrettyMIDI, track: str | int = "auto") -> pretty_midi.Instrument:
    """Return the melody instrument of ``pm``.

    ``track="auto"`` picks the pitched instrument with the highest mean pitch (the tune
    sits above the accompaniment in folk/lead-sheet MIDI such as Nottingham; ties go to
    the earlier track). An integer picks that index among the pitched instruments.

    Raises:
        GanforgeError: the file has no pitched notes, or the index is out of range.
    """
    insts = pitched_instruments(pm)
    if not insts:
        raise GanforgeError("melody: the MIDI file has no pitched (non-drum) notes")
    if track == "auto":
        means = [float(np.mean([n.pitch for n in inst.notes])) for inst in insts]
        return insts[int(np.argmax(means))]
    try:
        index = int(track)
    except (TypeError, ValueError):
        raise GanforgeError(f"data.melody_track: '{track}' is not valid; expected 'auto' or a track index") from None
    if not 0 <= index < len(insts):
        raise GanforgeError(
            f"data.melody_track: index {index} out of range; this file has {len(insts)} pitched tracks (0..{len(insts) - 1})"
        )
    return insts[index]


def sample_top_pitch(notes: list[pretty_midi.Note], step: float, n_cells: int | None = None) -> np.ndarray:
    """The highest pitch sounding at each grid time ``k * step`` (``REST`` where silent).

    A note sounds at grid time ``t`` when ``start <= t < end``. The comparison is made at
    ``t + step/100`` so that note edges moved by MIDI tick rounding (a few ms) or float
    error still land on the cell they were written for. ``n_cells`` defaults to enough
    cells to cover the last note end.
    """
    if step <= 0:
        raise GanforgeError(f"data.grid_seconds: {step} must be > 0")
    tol = step / 100.0
    if n_cells is None:
        end = max((n.end for n in notes), default=0.0)
        n_cells = max(int(np.ceil((end - tol) / step)), 0)
    grid = np.full(n_cells, REST, dtype=np.int64)
    for note in notes:
        # cells k with start <= k*step + tol < end
        first = max(int(np.ceil((note.start - tol) / step)), 0)
        last = min(int(np.ceil((note.end - tol) / step)), n_cells)  # exclusive
        if last > first:
            seg = grid[first:last]
            np.maximum(seg, note.pitch, out=seg)
    return grid


# Krumhansl-Kessler key profiles (probe-tone ratings), used because neither pretty_midi
# nor miditok estimates the key of a file that has no key-signature event.
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def estimate_key(notes: list[pretty_midi.Note]) -> int:
    """Estimate a key as a pretty_midi key number (0-11 major tonic, 12-23 minor tonic).

    Correlates the duration-weighted pitch-class histogram with the 24 rotated
    Krumhansl-Kessler profiles and returns the best match.
    """
    hist = np.zeros(12)
    for n in notes:
        hist[n.pitch % 12] += max(n.end - n.start, 0.0)
    if not hist.any():
        return 0
    best, best_r = 0, -np.inf
    for mode, profile in ((0, _MAJOR_PROFILE), (12, _MINOR_PROFILE)):
        for tonic in range(12):
            r = np.corrcoef(hist, np.roll(profile, tonic))[0, 1]
            if np.isfinite(r) and r > best_r:
                best, best_r = mode + tonic, r
    return best


def key_of(pm: pretty_midi.PrettyMIDI, notes: list[pretty_midi.Note] | None = None) -> int:
    """The key of ``pm``: its first key-signature event, else :func:`estimate_key`."""
    if pm.key_signature_changes:
        return int(pm.key_signature_changes[0].key_number)
    if notes is None:
        notes = [n for inst in pitched_instruments(pm) for n in inst.notes]
    return estimate_key(notes)


def shift_to_common_key(key_number: int) -> int:
    """Semitones that move ``key_number`` to C major / A minor, chosen in [-6, +5]."""
    tonic = key_number % 12
    target = 0 if key_number < 12 else 9  # C major or A minor (same key signature)
    shift = (target - tonic) % 12
    return shift - 12 if shift > 5 else shift
