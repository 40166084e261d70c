"""The embedded public-domain tunes: consistent transcriptions, shipped files up to date."""

from __future__ import annotations

import pretty_midi
import pytest

from ganforge_midi.default_data import default_data_dir
from ganforge_midi.default_data.render import bar_lengths, beats_per_bar, chord_pitches, render_all
from ganforge_midi.default_data.tunes import TUNES
from ganforge_midi.reading import read_midi_folder
from ganforge_midi.tokenizers import EventsTokenizer, Melody88Tokenizer


@pytest.mark.parametrize("tune", TUNES, ids=lambda t: t.name)
def test_every_bar_has_the_meter_length(tune):
    bpb = beats_per_bar(tune.meter)
    for part in filter(None, (tune.melody, tune.chords)):
        bars = bar_lengths(part)
        assert all(b == pytest.approx(bpb) for b in bars[1:-1]), part
        first = tune.pickup or bpb
        assert bars[0] == pytest.approx(first)
        assert bars[-1] == pytest.approx(bpb - tune.pickup)
    if tune.chords:
        assert sum(bar_lengths(tune.chords)) == pytest.approx(sum(bar_lengths(tune.melody)))


def test_shipped_files_match_the_transcriptions(tmp_path):
    shipped = default_data_dir()
    rendered = render_all(tmp_path)
    assert sorted(p.name for p in shipped.glob("*.mid")) == sorted(p.name for p in rendered)
    for path in rendered:
        a, b = pretty_midi.PrettyMIDI(str(path)), pretty_midi.PrettyMIDI(str(shipped / path.name))
        notes_a = [(n.pitch, n.start, n.end) for i in a.instruments for n in i.notes]
        notes_b = [(n.pitch, n.start, n.end) for i in b.instruments for n in i.notes]
        assert notes_a == notes_b, path.name
    assert (shipped.parent / "NOTICE.md").read_text().count("CC0") >= 1


def test_default_data_tokenizes_with_both_tokenizers():
    corpus = read_midi_folder(default_data_dir())
    assert len(corpus.scores) == len(TUNES) and not corpus.skipped
    mel, ev = Melody88Tokenizer(transpose="common"), EventsTokenizer(seq_len=128)
    n_mel = sum(len(mel.windows(mel.encode(pm))) for _, pm in corpus.scores)
    n_ev = sum(len(ev.windows(ev.encode(pm))) for _, pm in corpus.scores)
    assert n_mel >= 25 and n_ev >= 40
    # melody track chosen over the chords: twinkle starts C4 C4 G4 in quarters (0.5 s), sampled every 0.4 s
    twinkle = dict((p.stem, pm) for p, pm in corpus.scores)["twinkle"]
    assert Melody88Tokenizer().token_names(Melody88Tokenizer().encode(twinkle))[:4] == ["C4", "C4", "C4", "G4"]


def test_chord_voicing_stays_below_middle_c_area():
    assert chord_pitches("C") == [48, 52, 55]
    assert chord_pitches("Am") == [45, 48, 52]
    assert chord_pitches("D7") == [50, 54, 57, 60]
    with pytest.raises(ValueError, match="unknown quality 'sus'"):
        chord_pitches("Csus")
