"""AudioDataModule: spec, labels by default, random crops, spectrogram moments, batches."""

from __future__ import annotations

import numpy as np
import soundfile as sf
import torch
from omegaconf import OmegaConf

from ganforge import compose_config
from ganforge_audio.datamodule import AudioDataModule


def _dm(**data):
    """A set-up data module from the domain's real ``data`` node with the given changes."""
    cfg = compose_config(["domain=audio"])
    node = OmegaConf.merge(cfg.data, {"sample_rate": 8000, "window": 1024, "batch_size": 4, **data})
    dm = AudioDataModule.from_config(node)
    dm.setup("fit")
    return dm


def test_embedded_default_is_labelled_drums():
    dm = _dm()
    spec = dm.spec()
    assert spec["class_names"] == ["hat", "kick", "snare"] and spec["num_clips"] == 120
    assert (spec["sample_rate"], spec["window"], spec["channels"]) == (8000, 1024, 1)
    assert "spectrogram_mean" not in spec
    wave, label = next(iter(dm.train_dataloader()))
    assert wave.shape == (4, 1, 1024) and wave.dtype == torch.float32 and label.dtype == torch.long


def test_user_folder_is_unlabelled_unless_asked(drum_dir):
    dm = _dm(path=str(drum_dir))
    assert dm.spec()["class_names"] == [] and len(next(iter(dm.train_dataloader()))) == 1
    assert _dm(path=str(drum_dir), labels="folder").spec()["class_names"] == ["hat", "kick", "snare"]


def test_random_slicing_crops_a_new_window_each_read(tmp_path):
    ramp = np.linspace(-0.9, 0.9, 8000).astype(np.float32)  # every window of a ramp is distinct
    sf.write(tmp_path / "long.wav", ramp, 8000)
    dm = _dm(path=str(tmp_path), slicing="random", window=512)
    ds = dm.train_dataloader().dataset
    starts = {round(float(ds[0][0][0, 0]), 4) for _ in range(20)}
    assert len(starts) > 5 and all(ds[0][0].shape == (1, 512) for _ in range(3))
    assert len(_dm(path=str(tmp_path), slicing="all", window=512).folder.clips) == 16  # 15 full + 320-sample tail


def test_specgan_moments_are_in_the_spec():
    spec = _dm(window=4096, spectrogram_moments=True).spec()
    mean, std = np.array(spec["spectrogram_mean"]), np.array(spec["spectrogram_std"])
    assert mean.shape == (128,) and std.shape == (128,) and (std > 0).all()
    assert mean[:10].mean() > mean[-10:].mean()  # kicks and snares put more energy low than high
