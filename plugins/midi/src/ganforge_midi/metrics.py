"""Music metrics on generated samples: BLEU-4 on tokens and note statistics against the data.

BLEU is nltk's (via the sequence plugin's indexed implementation); the note statistics (pitch-class histogram, range, density, empty
bars) are a few lines of numpy over pretty_midi notes because no installed library
computes them on note lists.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pretty_midi

from ganforge_sequence.bleu import bleu

NoteList = Sequence[pretty_midi.Note]


def bleu4(hypotheses: Sequence[Sequence[int]], references: Sequence[Sequence[int]]) -> float:
    """Mean sentence BLEU-4 of each hypothesis against the whole reference set (SeqGAN's protocol).

    nltk's ``sentence_bleu`` definition (uniform 1..4-gram weights, smoothing method 1),
    computed through the sequence plugin's reference index, which gives the same scores
    without recounting every reference for every hypothesis.
    """
    hyps = [list(map(int, h)) for h in hypotheses if len(h) > 0]
    refs = [list(map(int, r)) for r in references if len(r) > 0]
    if not hyps or not refs:
        return 0.0
    return float(bleu(hyps, refs, n=4))


def pitch_class_histogram(samples: Sequence[NoteList]) -> np.ndarray:
    """Duration-weighted 12-bin pitch-class histogram of all notes, summing to 1 (zeros if silent)."""
    hist = np.zeros(12)
    for notes in samples:
        for n in notes:
            hist[n.pitch % 12] += max(n.end - n.start, 0.0)
    total = hist.sum()
    return hist / total if total > 0 else hist


def pitch_class_distance(generated: Sequence[NoteList], reference: Sequence[NoteList]) -> float:
    """Total-variation distance (half L1, in [0, 1]) between the two pitch-class histograms.

    1.0 when either side has no notes at all.
    """
    a, b = pitch_class_histogram(generated), pitch_class_histogram(reference)
    if not a.any() or not b.any():
        return 1.0
    return float(0.5 * np.abs(a - b).sum())


def pitch_range(samples: Sequence[NoteList]) -> float:
    """Mean over samples of (highest - lowest pitch) in semitones; silent samples count 0."""
    if not samples:
        return 0.0
    return float(np.mean([(max(n.pitch for n in s) - min(n.pitch for n in s)) if s else 0 for s in samples]))


def _bar_count(notes: NoteList, bar_seconds: float, duration: float | None) -> int:
    end = duration if duration is not None else max((n.end for n in notes), default=0.0)
    return max(int(math.ceil(end / bar_seconds - 1e-6)), 1)


def note_density(samples: Sequence[NoteList], bar_seconds: float, duration: float | None = None) -> float:
    """Mean number of note onsets per bar (``duration``: fixed sample length, else the last note end)."""
    if not samples:
        return 0.0
    return float(np.mean([len(s) / _bar_count(s, bar_seconds, duration) for s in samples]))


def empty_bar_rate(samples: Sequence[NoteList], bar_seconds: float, duration: float | None = None) -> float:
    """Share of bars, over all samples, in which no note sounds."""
    empty = total = 0
    for s in samples:
        bars = _bar_count(s, bar_seconds, duration)
        sounding = np.zeros(bars, dtype=bool)
        for n in s:
            first = int(n.start // bar_seconds)
            last = int(math.ceil(n.end / bar_seconds - 1e-9))
            sounding[max(first, 0) : min(last, bars)] = True
        empty += int((~sounding).sum())
        total += bars
    return empty / total if total else 0.0


def repeated_sample_rate(samples: Sequence[Sequence[int]]) -> float:
    """Share of samples that duplicate an earlier sample exactly (``1 - unique / n``)."""
    if not samples:
        return 0.0
    return 1.0 - len({tuple(map(int, s)) for s in samples}) / len(samples)


def copied_sample_rate(samples: Sequence[Sequence[int]], training: Sequence[Sequence[int]]) -> float:
    """Share of samples that appear verbatim in the training windows (memorisation)."""
    if not samples:
        return 0.0
    seen = {tuple(map(int, t)) for t in training}
    return sum(tuple(map(int, s)) in seen for s in samples) / len(samples)


def music_metrics(
    gen_tokens: Sequence[Sequence[int]],
    gen_notes: Sequence[NoteList],
    test_tokens: Sequence[Sequence[int]],
    test_notes: Sequence[NoteList],
    bar_seconds: float,
    duration: float | None = None,
    train_tokens: Sequence[Sequence[int]] | None = None,
) -> dict[str, float]:
    """All sample metrics as a flat dict (keys name the metric and the reference set)."""
    out = {
        "bleu4/test": bleu4(gen_tokens, test_tokens),
        "pitch_class_distance/test": pitch_class_distance(gen_notes, test_notes),
        "pitch_range": pitch_range(gen_notes),
        "pitch_range/test": pitch_range(test_notes),
        "note_density_per_bar": note_density(gen_notes, bar_seconds, duration),
        "note_density_per_bar/test": note_density(test_notes, bar_seconds, duration),
        "empty_bar_rate": empty_bar_rate(gen_notes, bar_seconds, duration),
        "empty_bar_rate/test": empty_bar_rate(test_notes, bar_seconds, duration),
        "repeated_sample_rate": repeated_sample_rate(gen_tokens),
    }
    if train_tokens is not None:
        out["copied_from_train_rate"] = copied_sample_rate(gen_tokens, train_tokens)
    return out
