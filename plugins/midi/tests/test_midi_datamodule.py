"""MidiDataModule: embedded default data, folders, split, augmentation, errors."""

from __future__ import annotations

import pretty_midi
import pytest
import torch

from ganforge.errors import GanforgeError
from ganforge_midi.datamodule import MidiDataModule, split_files


def _cfg(**kw):
    base = {"path": None, "tokenizer": "melody88", "test_fraction": 0.2, "batch_size": 8, "num_workers": 0}
    base.update(kw)
    return base


def _write(path, pitches, step=0.4):
    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=0)
    inst.notes = [pretty_midi.Note(90, p, i * step, (i + 1) * step) for i, p in enumerate(pitches)]
    pm.instruments.append(inst)
    path.parent.mkdir(parents=True, exist_ok=True)
    pm.write(str(path))


def test_embedded_melody88_windows_and_spec():
    dm = MidiDataModule(_cfg())
    dm.setup("fit")
    spec = dm.spec()
    assert spec["vocab_size"] == 89 and spec["seq_len"] == 32 and spec["source"] == "embedded"
    assert spec["tokenizer"]["kind"] == "midi_melody88" and spec["start_token"] == 0
    assert spec["export"] == {"tempo": 120.0, "program": 0} and spec["bar_seconds"] == 2.0
    assert dm.train_tokens.dtype == torch.long and dm.train_tokens.shape[1] == 32
    assert 0 <= int(dm.train_tokens.min()) and int(dm.train_tokens.max()) <= 88
    assert spec["num_test"] > 0 and not set(dm.train_files) & set(dm.test_files)
    (batch,) = next(iter(dm.train_dataloader()))
    assert batch.shape == (8, 32)


def test_augmentation_multiplies_training_windows_only():
    plain = MidiDataModule(_cfg())
    plain.setup()
    aug = MidiDataModule(_cfg(augment_semitones=[-2, 2]))
    aug.setup()
    assert len(aug.train_tokens) == 3 * len(plain.train_tokens)  # the tunes stay inside the piano
    assert torch.equal(aug.test_tokens, plain.test_tokens)


def test_events_tokenizer_on_embedded_data():
    dm = MidiDataModule(_cfg(tokenizer="events", events={"seq_len": 64}))
    dm.setup()
    spec = dm.spec()
    assert spec["tokenizer"]["name"] == "events" and spec["seq_len"] == 64
    assert dm.train_tokens.shape[1] == 64 and int(dm.train_tokens.max()) < spec["vocab_size"]


def test_split_is_stable_and_never_empty():
    names = [f"tune{i}.mid" for i in range(50)]
    train, test = split_files(names, 0.2)
    assert set(test) == set(split_files(list(reversed(names)), 0.2)[1])  # order-independent
    assert 3 <= len(test) <= 20 and len(train) + len(test) == 50
    assert split_files(["a.mid", "b.mid"], 0.1)[1] != []  # one file held out even for tiny sets
    assert split_files(["a.mid"], 0.1) == (["a.mid"], [])
    with pytest.raises(GanforgeError, match="data.test_fraction: 1.5"):
        split_files(names, 1.5)


def test_too_short_files_give_a_clear_error(tmp_path):
    _write(tmp_path / "short.mid", [60, 62, 64])
    dm = MidiDataModule(_cfg(path=str(tmp_path)))
    with pytest.raises(GanforgeError, match=r"gave no training window of 32 tokens.*data.tokenizer.seq_len"):
        dm.setup()


def test_folder_with_one_good_file_trains_on_it(tmp_path):
    _write(tmp_path / "a" / "long.mid", [60 + (i % 12) for i in range(70)])
    (tmp_path / "bad.mid").write_bytes(b"nope")
    dm = MidiDataModule(_cfg(path=str(tmp_path), melody88={"seq_len": 16}))
    dm.setup()
    assert dm.spec()["num_train"] == 70 // 16 and dm.train_files == ["a/long.mid"]
    assert torch.equal(dm.test_tokens, dm.train_tokens)  # nothing held out: metrics fall back to train


def test_unknown_tokenizer_and_bad_export_are_clear_errors():
    with pytest.raises(GanforgeError, match="data.tokenizer: unknown tokenizer 'remi'; valid choices: events, melody88"):
        MidiDataModule(_cfg(tokenizer="remi")).setup()
    with pytest.raises(GanforgeError, match="data.export: unknown key.*'speed'"):
        MidiDataModule(_cfg(export={"speed": 2})).setup()


def test_final_metrics_of_a_generator():
    from ganforge_sequence.generator import LSTMGenerator

    dm = MidiDataModule(_cfg())
    dm.setup()
    gen = LSTMGenerator(89, 32, emb_dim=8, hidden_dim=8)
    torch.manual_seed(0)
    out = dm.final_metrics(gen, 12)
    assert 0.0 <= out["bleu4/test"] <= 1.0 and 0.0 <= out["pitch_class_distance/test"] <= 1.0
    assert out["nll_test"] == pytest.approx(gen.mean_nll(dm.test_tokens))
    assert out["pitch_range/test"] > 0 and out["test_is_train"] == 0.0
    assert set(dm.progress_metrics(gen, 4)) == {"bleu4/test", "nll_test"}
