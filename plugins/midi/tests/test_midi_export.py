"""MIDI files and piano-roll sheets: written, read back, validated."""

from __future__ import annotations

import numpy as np
import pretty_midi
import pytest
from PIL import Image

from ganforge.errors import GanforgeError
from ganforge_midi.export import concatenate, write_midi, write_pianoroll_sheet
from ganforge_midi.tokenizers import Melody88Tokenizer


def test_written_midi_parses_back_with_tempo_program_and_notes(tmp_path):
    tok = Melody88Tokenizer(grid_seconds=0.4)
    ids = [40, 40, 0, 44, 47, 47, 47, 52] + [0] * 24
    notes = tok.decode(ids)
    path = write_midi(tmp_path / "out" / "tune.mid", notes, tempo=96.0, program=73)
    pm = pretty_midi.PrettyMIDI(str(path))
    assert pm.get_tempo_changes()[1][0] == pytest.approx(96.0, rel=1e-3)
    assert len(pm.instruments) == 1 and pm.instruments[0].program == 73
    back = pm.instruments[0].notes
    assert [n.pitch for n in back] == [60, 64, 67, 72]
    assert [n.start for n in back] == pytest.approx([0.0, 1.2, 1.6, 2.8], abs=2e-3)
    # the file re-tokenizes to the same grid
    assert tok.encode_notes(back, n_cells=32) == ids


def test_export_rejects_bad_tempo_and_program(tmp_path):
    with pytest.raises(GanforgeError, match="export.program: 200"):
        write_midi(tmp_path / "x.mid", [], program=200)
    with pytest.raises(GanforgeError, match="export.tempo: 0"):
        write_midi(tmp_path / "x.mid", [], tempo=0)


def test_concatenate_places_samples_one_after_another():
    a = [pretty_midi.Note(90, 60, 0.0, 1.0)]
    b = [pretty_midi.Note(90, 62, 0.5, 1.0)]
    out = concatenate([a, b], lengths=[2.0, 2.0], gap=1.0)
    assert [(n.pitch, n.start) for n in out] == [(60, 0.0), (62, 3.5)]


def test_pianoroll_sheet_is_a_png_with_dark_notes(tmp_path):
    tok = Melody88Tokenizer()
    samples = [tok.decode([30 + (i + k) % 12 for k in range(32)]) for i in range(5)] + [[]]
    path = write_pianoroll_sheet(tmp_path / "sheet.png", samples, duration=32 * 0.4, cols=3, title="test")
    img = np.asarray(Image.open(path).convert("L"))
    assert img.shape == (400, 960)  # 2 rows x 3 cols at 100 dpi
    assert (img < 64).mean() > 0.001  # some notes drawn in black


def test_export_token_samples_sheet_and_individual(tmp_path):
    import torch

    from ganforge_midi.export import export_token_samples

    tok = Melody88Tokenizer(seq_len=8)
    tokens = torch.tensor([[40, 40, 0, 44, 47, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7, 88]])
    sheet = export_token_samples(tokens, tok, tmp_path, "final", individual=False, tempo=100.0, program=40)
    assert [p.name for p in sheet] == ["final.mid", "final.png"]
    pm = pretty_midi.PrettyMIDI(str(sheet[0]))
    assert pm.instruments[0].program == 40
    assert len(pm.instruments[0].notes) == 3 + 8
    # second sample starts after the first window (8 * 0.4 s) and a 1 s gap
    assert min(n.start for n in pm.instruments[0].notes if n.pitch == 21) == pytest.approx(4.2, abs=2e-3)
    files = export_token_samples(tokens, tok, tmp_path / "ind", "sample", individual=True)
    assert [p.name for p in files] == ["sample_000.mid", "sample_001.mid"]
    back = pretty_midi.PrettyMIDI(str(files[1])).instruments[0].notes
    assert tok.encode_notes(back, n_cells=8) == tokens[1].tolist()
