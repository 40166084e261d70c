"""MidiDataModule: embedded default data, folders, split, augmentation, errors."""

from __future__ import annotations

import pretty_midi
import pytest
import torch

from ganforge import compose_config
from ganforge.errors import GanforgeError
from ganforge_midi.datamodule import MidiDataModule, build_tokenizer, split_files


def _dm(*overrides: str) -> MidiDataModule:
    """The data module of a composed midi config (the domain YAML's values) with ``overrides``."""
    cfg = compose_config(["domain=midi", "model=mle", "data.test_fraction=0.2", "data.batch_size=8", *overrides])
    return MidiDataModule.from_config(cfg)


def _write(path, pitches, step=0.4):
    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=0)
    inst.notes = [pretty_midi.Note(90, p, i * step, (i + 1) * step) for i, p in enumerate(pitches)]
    pm.instruments.append(inst)
    path.parent.mkdir(parents=True, exist_ok=True)
    pm.write(str(path))


def test_embedded_melody88_windows_and_spec():
    dm = _dm()
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
    plain = _dm()
    plain.setup()
    aug = _dm("data.augment_semitones=[-2,2]")
    aug.setup()
    assert len(aug.train_tokens) == 3 * len(plain.train_tokens)  # the tunes stay inside the piano
    assert torch.equal(aug.test_tokens, plain.test_tokens)


def test_events_tokenizer_on_embedded_data():
    dm = _dm("data.tokenizer=events", "data.events.seq_len=64")
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
    dm = _dm(f"data.path={tmp_path}")
    with pytest.raises(GanforgeError, match=r"gave no training window of 32 tokens.*data.tokenizer.seq_len"):
        dm.setup()


def test_folder_with_one_good_file_trains_on_it(tmp_path):
    _write(tmp_path / "a" / "long.mid", [60 + (i % 12) for i in range(70)])
    (tmp_path / "bad.mid").write_bytes(b"nope")
    dm = _dm(f"data.path={tmp_path}", "data.melody88.seq_len=16")
    dm.setup()
    assert dm.spec()["num_train"] == 70 // 16 and dm.train_files == ["a/long.mid"]
    assert torch.equal(dm.test_tokens, dm.train_tokens)  # nothing held out: metrics fall back to train


def test_unknown_tokenizer_and_bad_export_are_clear_errors():
    with pytest.raises(GanforgeError, match="data.tokenizer: unknown tokenizer 'remi'; valid choices: events, melody88"):
        _dm("data.tokenizer=remi")
    with pytest.raises(GanforgeError, match="data.export: unknown key.*'speed'"):
        _dm("+data.export.speed=2")
    with pytest.raises(GanforgeError, match=r"data.export: missing key\(s\) \['program'\]"):
        _dm("~data.export.program")


def test_flat_arguments_without_a_config():
    """The data module from typed arguments alone (a notebook), the YAML's values written out."""
    from ganforge_midi.tokenizers import Melody88Tokenizer

    dm = MidiDataModule(path=None, tokenizer=Melody88Tokenizer(seq_len=16), hop=None, augment_semitones=[],
                        test_fraction=0.2, max_files=4, max_seconds=3600.0, limit=None, beats_per_bar=4,
                        export={"tempo": 100, "program": 0}, batch_size=4, num_workers=0)
    assert not hasattr(dm, "data_cfg")
    dm.setup()
    assert dm.train_tokens.shape[1] == 16 and dm.spec()["export"] == {"tempo": 100.0, "program": 0}
    with pytest.raises(GanforgeError, match="data.max_seconds=0: expected a positive number"):
        MidiDataModule(path=None, tokenizer=Melody88Tokenizer(), hop=None, augment_semitones=[], test_fraction=0.2,
                       max_files=None, max_seconds=0, limit=None, beats_per_bar=4, export={"tempo": 120, "program": 0},
                       batch_size=4, num_workers=0)


def test_from_config_takes_the_yaml_values():
    cfg = compose_config(["domain=midi", "model=seqgan"])
    dm = MidiDataModule.from_config(cfg)
    assert not hasattr(dm, "data_cfg")
    assert (dm.test_fraction, dm.max_seconds, dm.beats_per_bar, dm.hop, dm.limit) == (0.2, 3600.0, 4.0, None, None)
    assert dm.export == {"tempo": 120.0, "program": 0} and dm.batch_size == 64
    tok = build_tokenizer(cfg.data)
    assert tok.to_spec() == dm.tokenizer.to_spec() and dm.tokenizer.seq_len == 32


def test_final_metrics_of_a_generator():
    from ganforge_sequence.generator import LSTMGenerator

    dm = _dm()
    dm.setup()
    gen = LSTMGenerator(89, 32, emb_dim=8, hidden_dim=8)
    torch.manual_seed(0)
    out = dm.final_metrics(gen, 12)
    assert 0.0 <= out["bleu4/test"] <= 1.0 and 0.0 <= out["pitch_class_distance/test"] <= 1.0
    assert out["nll_test"] == pytest.approx(gen.mean_nll(dm.test_tokens))
    assert out["pitch_range/test"] > 0 and out["test_is_train"] == 0.0
    assert set(dm.progress_metrics(gen, 4)) == {"bleu4/test", "nll_test"}
