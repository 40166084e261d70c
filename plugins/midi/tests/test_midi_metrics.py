"""Music metrics behave as documented on hand-made cases."""

from __future__ import annotations

import pretty_midi
import pytest

from ganforge_midi.metrics import (
    bleu4,
    copied_sample_rate,
    empty_bar_rate,
    music_metrics,
    note_density,
    pitch_class_distance,
    pitch_class_histogram,
    pitch_range,
    repeated_sample_rate,
)


def _notes(pitches, dur=0.5):
    return [pretty_midi.Note(90, p, i * dur, (i + 1) * dur) for i, p in enumerate(pitches)]


def test_bleu4_identical_vs_unrelated():
    refs = [[1, 2, 3, 4, 5, 6, 7, 8], [2, 3, 4, 5, 6, 7, 8, 9]]
    assert bleu4([[1, 2, 3, 4, 5, 6, 7, 8]], refs) == pytest.approx(1.0)
    low = bleu4([[40, 41, 42, 43, 44, 45, 46, 47]], refs)
    mid = bleu4([[1, 2, 3, 4, 40, 41, 42, 43]], refs)
    assert low < 0.05 < mid < 1.0
    assert bleu4([], refs) == 0.0


def test_pitch_class_histogram_and_distance():
    c_major = _notes([60, 62, 64, 65, 67, 69, 71])
    hist = pitch_class_histogram([c_major])
    assert hist.sum() == pytest.approx(1.0) and hist[1] == 0.0
    assert pitch_class_distance([c_major], [_notes([72, 74, 76, 77, 79, 81, 83])]) == pytest.approx(0.0)
    assert pitch_class_distance([_notes([61, 63])], [_notes([60, 62])]) == pytest.approx(1.0)
    assert pitch_class_distance([[]], [c_major]) == 1.0


def test_pitch_range_density_and_empty_bars():
    a = _notes([60, 72, 64])  # range 12, 3 notes in 1.5 s
    assert pitch_range([a, []]) == pytest.approx(6.0)
    # bars of 2 s, samples 4 s long: a fills bar 1 only
    assert note_density([a], bar_seconds=2.0, duration=4.0) == pytest.approx(1.5)
    assert empty_bar_rate([a], bar_seconds=2.0, duration=4.0) == pytest.approx(0.5)
    held = [pretty_midi.Note(90, 60, 0.0, 4.0)]  # one held note sounds in both bars
    assert empty_bar_rate([held], bar_seconds=2.0, duration=4.0) == 0.0


def test_repeated_and_copied_rates():
    assert repeated_sample_rate([[1, 2], [1, 2], [2, 1], [1, 2]]) == pytest.approx(0.5)
    assert repeated_sample_rate([]) == 0.0
    assert copied_sample_rate([[1, 2], [3, 4]], [[1, 2], [9, 9]]) == pytest.approx(0.5)


def test_music_metrics_keys():
    toks = [[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]]
    notes = [_notes([60, 62]), _notes([64])]
    out = music_metrics(toks, notes, toks, notes, bar_seconds=2.0, duration=2.0, train_tokens=toks)
    assert out["bleu4/test"] == pytest.approx(1.0)
    assert out["pitch_class_distance/test"] == 0.0
    assert out["copied_from_train_rate"] == 1.0
    assert set(out) >= {"pitch_range", "note_density_per_bar", "empty_bar_rate", "repeated_sample_rate"}


def test_bleu4_equals_nltk_sentence_bleu():
    import random

    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    rng = random.Random(0)
    refs = [[rng.randrange(6) for _ in range(16)] for _ in range(30)]
    hyps = [[rng.randrange(6) for _ in range(16)] for _ in range(5)]
    smooth = SmoothingFunction().method1
    expected = sum(sentence_bleu(refs, h, smoothing_function=smooth) for h in hyps) / len(hyps)
    assert bleu4(hyps, refs) == pytest.approx(expected, abs=1e-9)
