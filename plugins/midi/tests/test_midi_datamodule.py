"""MidiDataModule: embedded default data, folders, split, augmentation, errors."""

from __future__ import annotations

import pretty_midi
import pytest
import torch
from ganforge.errors import GanforgeError

from ganforge_midi.datamodule import MidiDataModule, split_files


def _cfg(**kw):
    base = {"path": None, "tokenizer": {"name": "melody88"}, "test_fraction": 0.1, "batch_size": 8, "num_workers": 0}
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
    assert dm.train_windows.dtype == torch.long and dm.train_windows.shape[1] == 32
    assert 0 <= int(dm.train_windows.min()) and int(dm.train_windows.max()) <= 88
    assert spec["num_test"] > 0 and not set(dm.train_files) & set(dm.test_files)
    (batch,) = next(iter(dm.train_dataloader()))
    assert batch.shape == (8, 32)


def test_augmentation_multiplies_training_windows_only():
    plain = MidiDataModule(_cfg())
    plain.setup()
    aug = MidiDataModule(_cfg(augment_semitones=[-2, 2]))
    aug.setup()
    assert len(aug.train_windows) == 3 * len(plain.train_windows)  # the tunes stay inside the piano
    assert torch.equal(aug.test_windows, plain.test_windows)


def test_events_tokenizer_on_embedded_data():
    dm = MidiDataModule(_cfg(tokenizer={"name": "events", "seq_len": 64}))
    dm.setup()
    spec = dm.spec()
    assert spec["tokenizer"]["name"] == "events" and spec["seq_len"] == 64
    assert dm.train_windows.shape[1] == 64 and int(dm.train_windows.max()) < spec["vocab_size"]


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
    dm = MidiDataModule(_cfg(path=str(tmp_path), tokenizer={"name": "melody88", "seq_len": 16}))
    dm.setup()
    assert dm.spec()["num_train"] == 70 // 16 and dm.train_files == ["a/long.mid"]
    assert torch.equal(dm.test_windows, dm.train_windows)  # nothing held out: metrics fall back to train
