"""melody88 and events tokenizers: exact round trips on the grid, windows, specs, errors."""

from __future__ import annotations

import random

import pretty_midi
import pytest

from ganforge.errors import GanforgeError
from ganforge_midi.melody import estimate_key, sample_top_pitch, shift_to_common_key
from ganforge_midi.tokenizers import EventsTokenizer, Melody88Tokenizer, tokenizer_from_spec


def _pm(*tracks, key=None):
    pm = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    for notes in tracks:
        inst = pretty_midi.Instrument(program=0)
        inst.notes = [pretty_midi.Note(v, p, s, e) for p, s, e, v in notes]
        pm.instruments.append(inst)
    if key is not None:
        pm.key_signature_changes.append(pretty_midi.KeySignature(key, 0.0))
    return pm


def _same_notes(a, b):
    ka = sorted((n.pitch, round(n.start, 6), round(n.end, 6), n.velocity) for n in a)
    kb = sorted((n.pitch, round(n.start, 6), round(n.end, 6), n.velocity) for n in b)
    return ka == kb


# ---------------------------------------------------------------- melody88


def test_melody88_round_trip_is_exact_on_the_grid():
    tok = Melody88Tokenizer(grid_seconds=0.4, velocity=90)
    g = 0.4
    # on-grid melody, adjacent notes differ in pitch or are separated by a rest
    melody = [(60, 0, 2), (62, 2, 3), (64, 3, 5), (72, 6, 7), (21, 7, 8), (108, 8, 10), (67, 11, 12)]
    notes = [pretty_midi.Note(90, p, a * g, b * g) for p, a, b in melody]
    ids = tok.encode(_pm([(n.pitch, n.start, n.end, 90) for n in notes]))
    assert len(ids) == 12
    assert ids[5] == 0 and ids[10] == 0  # rests
    assert ids[0] == 60 - 20 and ids[7] == 1 and ids[8] == 88
    assert _same_notes(tok.decode(ids), notes)


def test_melody88_tokens_decode_then_encode_identically():
    tok = Melody88Tokenizer(grid_seconds=0.25, seq_len=32)
    rng = random.Random(0)
    for _ in range(20):
        ids = [rng.choice([0, rng.randrange(1, 89)]) for _ in range(32)]
        again = tok.encode_notes(tok.decode(ids), n_cells=32)
        assert again == ids


def test_melody88_takes_highest_pitch_of_melody_track_and_ignores_chords():
    tok = Melody88Tokenizer(grid_seconds=0.5)
    melody = [(72, 0.0, 1.0, 90), (76, 0.5, 1.0, 90), (74, 1.0, 1.5, 90)]  # two-note chord in cell 1
    chords = [(48, 0.0, 2.0, 60), (52, 0.0, 2.0, 60), (55, 0.0, 2.0, 60)]
    ids = tok.encode(_pm(chords, melody))  # melody is not the first track: picked by mean pitch
    assert tok.token_names(ids)[:3] == ["C5", "E5", "D5"]
    explicit = Melody88Tokenizer(grid_seconds=0.5, melody_track=0).encode(_pm(chords, melody))
    assert explicit[:3] == [55 - 20] * 3  # the chord track's top note


def test_grid_sampling_tolerates_float_rounding():
    notes = [pretty_midi.Note(90, 60, 0.1 * 3, 0.1 * 6)]  # 0.30000000000000004 .. 0.6000000000000001
    grid = sample_top_pitch(notes, 0.1, 8)
    assert list(grid) == [-1, -1, -1, 60, 60, 60, -1, -1]


def test_melody88_transposes_to_common_key():
    d_major = pretty_midi.key_name_to_key_number("D Major")
    notes = [(62, 0, 0.4, 90), (66, 0.4, 0.8, 90), (69, 0.8, 1.2, 90)]  # D F# A
    plain = Melody88Tokenizer().encode(_pm(notes, key=d_major))
    common = Melody88Tokenizer(transpose="common").encode(_pm(notes, key=d_major))
    assert [t - c for t, c in zip(plain, common, strict=True)] == [2, 2, 2]  # D major -> C major
    assert shift_to_common_key(pretty_midi.key_name_to_key_number("E minor")) == 5  # E -> A
    assert shift_to_common_key(pretty_midi.key_name_to_key_number("F# Major")) == -6
    assert shift_to_common_key(pretty_midi.key_name_to_key_number("G Major")) == 5


def test_key_estimate_without_key_signature():
    g_major_scale = [67, 69, 71, 72, 74, 76, 78, 79, 74, 71, 67]
    notes = [pretty_midi.Note(90, p, i * 0.5, i * 0.5 + 0.5) for i, p in enumerate(g_major_scale)]
    assert estimate_key(notes) == pretty_midi.key_name_to_key_number("G Major")


def test_melody88_windows_and_transpose_ids():
    tok = Melody88Tokenizer(seq_len=4)
    ids = [0, 0, 0, 0, 5, 6, 7, 8, 9, 10]
    assert tok.windows(ids) == [[5, 6, 7, 8]]  # silent window dropped, short tail dropped
    assert tok.windows(ids, hop=2) == [[0, 0, 5, 6], [5, 6, 7, 8], [7, 8, 9, 10]]
    assert tok.transpose_ids([0, 1, 88], -1) is None
    assert tok.transpose_ids([0, 5, 87], 1) == [0, 6, 88]


def test_melody88_rejects_bad_ids_and_options():
    with pytest.raises(GanforgeError, match="token id 89 out of range 0..88"):
        Melody88Tokenizer().decode([1, 89])
    with pytest.raises(GanforgeError, match="transpose: unknown value 'up'"):
        Melody88Tokenizer(transpose="up")


# ---------------------------------------------------------------- events


def _chorale(tok: EventsTokenizer) -> pretty_midi.PrettyMIDI:
    """Four voices on the 1/8-beat grid, velocities already on miditok's bins."""
    vel = [int(v) for v in tok.remi.velocities]
    spb = 0.5  # 120 bpm
    soprano = [(72, 0, 1), (71, 1, 2), (69, 2, 3), (71, 3, 3.5), (72, 3.5, 4), (74, 4, 6), (72, 6, 8)]
    alto = [(67, 0, 2), (66, 2, 3), (67, 3, 4), (67, 4, 6), (64, 6, 8)]
    tenor = [(64, 0, 1), (62, 1, 2), (60, 2, 4), (59, 4, 5.25), (60, 6, 8)]
    bass = [(48, 0, 1), (55, 1, 2), (57, 2, 3), (52, 3, 4), (55, 4, 6), (48, 6, 8)]
    tracks = []
    for voice, v in zip((soprano, alto, tenor, bass), (vel[-1], vel[-2], vel[-3], vel[-4]), strict=True):
        tracks.append([(p, a * spb, b * spb, v) for p, a, b in voice])
    pm = _pm(*tracks)
    pm.time_signature_changes.append(pretty_midi.TimeSignature(4, 4, 0.0))
    return pm


def test_events_round_trip_polyphony_exactly():
    tok = EventsTokenizer(seq_len=128)
    pm = _chorale(tok)
    ids = tok.encode(pm)
    decoded = tok.decode(ids, tempo=120.0)
    original = [n for inst in pm.instruments for n in inst.notes]
    assert len(original) == 23 and len(decoded) == 23
    assert _same_notes(decoded, original)
    # another tempo scales time, not pitch
    slow = tok.decode(ids, tempo=60.0)
    assert max(n.end for n in slow) == pytest.approx(2 * max(n.end for n in decoded))


def test_events_windows_start_on_bars_and_are_padded():
    tok = EventsTokenizer(seq_len=40)
    ids = tok.encode(_chorale(tok))
    wins = tok.windows(ids)
    assert len(wins) >= 2
    for w in wins:
        assert len(w) == 40
        assert w[0] == tok.bar_id
    # every window decodes on its own and the windows together hold every note
    assert sum(len(tok.decode(w)) for w in wins) == 23


def test_events_decode_survives_random_tokens_and_reports_errors():
    tok = EventsTokenizer(seq_len=64)
    rng = random.Random(1)
    ids = [rng.randrange(tok.vocab_size) for _ in range(64)]
    notes = tok.decode(ids)
    assert all(21 <= n.pitch <= 108 and n.end > n.start for n in notes)
    assert 0.0 < tok.error_rate(ids) <= 1.0
    assert tok.error_rate(tok.encode(_chorale(tok))) == 0.0


def test_specs_rebuild_equal_tokenizers():
    for tok in (Melody88Tokenizer(grid_seconds=0.25, seq_len=16, transpose="common"), EventsTokenizer(seq_len=64)):
        again = tokenizer_from_spec(tok.to_spec())
        assert type(again) is type(tok) and again.to_spec() == tok.to_spec()
        assert again.vocab_size == tok.vocab_size


def test_unknown_tokenizer_and_option_errors():
    with pytest.raises(GanforgeError, match="unknown tokenizer 'remi'; valid choices: events, melody88"):
        tokenizer_from_spec({"name": "remi"})
    with pytest.raises(GanforgeError, match="bad option for tokenizer 'melody88'.*grid_seconds"):
        tokenizer_from_spec({"name": "melody88", "grid": 0.4})
