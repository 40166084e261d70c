"""Real few-step training through the core: written .mid files parse back as generated."""

from __future__ import annotations

import json
import sys

import pretty_midi
import pytest
import torch

from ganforge import load_module
from ganforge.testing import assert_run_layout, run_smoke, sample_files
from ganforge_midi.tokenizers import EventsTokenizer, Melody88Tokenizer


def test_mle_melody88_files_match_the_generated_tokens(tmp_path):
    run = tmp_path / "run"
    overrides = ["data.melody88.seq_len=16", "data.melody88.grid_seconds=0.25", "data.export.tempo=100"]
    metrics = run_smoke("midi", "mle", run, overrides)
    assert_run_layout(run)
    assert metrics["g_step"] >= 2 and metrics["nll_test"] > 0
    for key in ("bleu4/test", "pitch_class_distance/test", "pitch_range", "note_density_per_bar",
                "empty_bar_rate", "repeated_sample_rate", "copied_from_train_rate"):
        assert key in metrics, key
    assert {"final.mid", "final.png"} <= {p.name for p in (run / "samples").iterdir()}

    # gan-sample files: notes on the piano, within the configured window (16 x 0.25 s)
    files = sample_files(run, tmp_path / "gen", n=4)
    assert len(files) == 4
    for f in files:
        pm = pretty_midi.PrettyMIDI(str(f))
        assert pm.get_tempo_changes()[1][0] == pytest.approx(100.0, rel=1e-3)
        notes = pm.instruments[0].notes
        assert all(21 <= n.pitch <= 108 for n in notes)
        assert max((n.end for n in notes), default=0.0) <= 16 * 0.25 + 1e-3

    # exact: what the model generated is what the files hold
    plugin, module = load_module(run)
    torch.manual_seed(3)
    samples = module.sample(5)
    assert samples.tokens.shape == (5, 16)
    written = plugin.export_samples(samples, tmp_path / "exact", "s", individual=True)
    tok = Melody88Tokenizer(grid_seconds=0.25, seq_len=16)
    for row, path in zip(samples.tokens.tolist(), written, strict=True):
        notes = pretty_midi.PrettyMIDI(str(path)).instruments[0].notes
        assert tok.encode_notes(notes, n_cells=16) == row


def test_seqgan_events_tokens_round_trip_through_files(tmp_path):
    run = tmp_path / "run"
    overrides = ["data.tokenizer=events", "data.events.seq_len=24", "data.limit=16", "model.pg.rollouts=1"]
    metrics = run_smoke("midi", "seqgan", run, overrides)
    assert metrics["phase"] == "adversarial" and "token_error_rate" in metrics
    ckpt = torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)
    assert ckpt["ganforge"]["spec"]["tokenizer"]["name"] == "events"
    plugin, module = load_module(run)
    samples = module.sample(4)
    assert samples.tokens.shape == (4, 24) and isinstance(samples.tokenizer, EventsTokenizer)
    files = plugin.export_samples(samples, tmp_path / "ev", "s", individual=True)
    for row, path in zip(samples.tokens.tolist(), files, strict=True):
        pm = pretty_midi.PrettyMIDI(str(path))
        got = sorted((n.pitch, round(n.start, 2)) for i in pm.instruments for n in i.notes)
        want = sorted((n.pitch, round(n.start, 2)) for n in samples.tokenizer.decode(row))
        assert got == want


def test_cli_error_on_empty_folder_names_the_folder(tmp_path, monkeypatch, capsys):
    from ganforge.cli.run import main

    empty = tmp_path / "no_midi_here"
    empty.mkdir()
    (empty / "notes.txt").write_text("not music")
    argv = ["gan-run", "domain=midi", "model=mle", f"data.path={empty}", f"hydra.run.dir={tmp_path / 'run'}"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_info:
        main()  # the real console entry point, in-process (a subprocess spends ~15 s importing)
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("gan-run: error:")]
    assert lines == [f"gan-run: error: data.path: no .mid/.midi files found in folder '{empty}' (searched recursively)"]
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status["status"] == "failed"
