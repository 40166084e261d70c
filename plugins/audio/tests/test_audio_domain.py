"""The audio domain through the real core: conformance, training, checkpoints, metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf
import torch
from PIL import Image

from ganforge.testing import PluginConformance, assert_run_layout, compose_smoke, run_smoke, sample_files


class TestAudioConformance(PluginConformance):
    """The shared plugin checks: discovery, composition, smoke train/sample/export, bad data."""

    domain = "audio"
    bad_data = [
        (["data.path=/no/such/audio/folder"], "/no/such/audio/folder"),
        (["data.window=10000"], "data.window=10000"),
        (["data.labels=regex"], "data.label_pattern"),
        (["model.loss=minimax"], "minimax"),  # named with the valid losses
        (["model.upsample=linear"], "model.upsample"),
        (["data.labels=sometimes"], "data.labels"),
    ]

    def check_sample_file(self, path: Path) -> None:
        """WAVs are 16-bit at the smoke rate (8 kHz); sheets are readable PNGs."""
        if path.suffix == ".wav":
            info = sf.info(str(path))
            assert info.subtype == "PCM_16" and info.samplerate == 8000 and info.frames >= 4096
        else:
            assert path.suffix == ".png"
            with Image.open(path) as img:
                assert img.size[0] > 32 and img.size[1] > 32


def test_default_config_is_the_paper_setup():
    cfg = compose_smoke("audio", "wavegan")  # the smoke profile only shrinks sizes
    from ganforge import compose_config

    full = compose_config(["domain=audio"])
    assert full.model.name == "wavegan" and full.data.path is None
    assert (full.model.loss, full.model.gp_weight, full.model.n_critic, full.data.batch_size) == ("wgan", 10.0, 5, 64)
    assert (full.optim.lr_g, full.optim.lr_d, list(full.optim.betas)) == (1e-4, 1e-4, [0.5, 0.9])
    assert (full.data.sample_rate, full.data.window, full.model.d, full.model.phase_shuffle) == (16000, 16384, 64, 2)
    assert cfg.data.window == 4096 and cfg.model.d == 4


def test_wavegan_trains_and_reloads_from_its_checkpoint(tmp_path):
    from ganforge import load_module

    run = tmp_path / "run"
    metrics = run_smoke("audio", "wavegan", run, ["trainer.max_steps=3", "metrics.n_samples=0"])
    assert metrics["g_step"] == 3 and "train/loss/gp" in metrics
    assert_run_layout(run)
    ckpt = torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)
    fresh_weight = torch.load(run / "checkpoints" / "last.ckpt", weights_only=False)["state_dict"]["generator.project.weight"]
    _, module = load_module(run)
    assert torch.equal(module.generator.project.weight, fresh_weight)
    assert ckpt["ganforge"]["spec"]["sample_rate"] == 8000 and ckpt["ganforge"]["spec"]["class_names"] == ["hat", "kick", "snare"]
    a = sample_files(run, tmp_path / "a", n=2, seed=5)
    b = sample_files(run, tmp_path / "b", n=2, seed=5)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]  # same seed, same audio
    back, rate = sf.read(str(a[0]), dtype="int16")
    assert rate == 8000 and back.shape == (4096,) and back.dtype.name == "int16"


def test_specgan_keeps_the_spectrogram_moments_in_the_checkpoint(tmp_path):
    from ganforge import load_module

    run = tmp_path / "run"
    run_smoke("audio", "specgan", run, ["trainer.max_steps=2", "metrics.n_samples=0"])
    ckpt = torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)
    spec = ckpt["ganforge"]["spec"]
    assert len(spec["spectrogram_mean"]) == 128 and min(spec["spectrogram_std"]) > 0
    assert torch.allclose(ckpt["state_dict"]["codec.mean"], torch.tensor(spec["spectrogram_mean"]))
    _, module = load_module(run)
    assert torch.allclose(module.codec.std, torch.tensor(spec["spectrogram_std"]).clamp_min(1e-3))
    samples = module.sample(2)
    assert samples.audio.shape == (2, 1, 4096) and samples.sample_rate == 8000


@pytest.mark.parametrize("loss", ["bce", "lsgan"])
def test_other_losses_are_selectable(tmp_path, loss):
    metrics = run_smoke("audio", "wavegan", tmp_path / loss,
                        [f"model.loss={loss}", "model.gp_weight=0", "trainer.max_steps=2", "metrics.n_samples=0",
                         "run.sample_every=0"])
    assert metrics["g_step"] == 2 and "train/loss/gp" not in metrics


def test_metrics_use_a_given_classifier_and_a_user_folder(tmp_path, drum_dir):
    from ganforge_audio.classifier_cli import main

    clf = tmp_path / "drums.pt"
    assert main(["train", "--data", str(drum_dir), "--sample-rate", "8000", "--window", "4096",
                 "--epochs", "2", "--width", "4", "--out", str(clf)]) == 0
    metrics = run_smoke("audio", "wavegan", tmp_path / "run",
                        [f"data.path={drum_dir}", f"metrics.classifier={clf}", "trainer.max_steps=1",
                         "metrics.n_samples=12", "run.sample_every=0"])
    for key in ("is/samples", "is/real", "nn/self", "nn/train", "nn/real_self"):
        assert key in metrics, key
    assert 1.0 <= metrics["is/samples"] <= 3.0 + 1e-4 and metrics["nn/train"] > 0
    saved = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert saved["is/real"] == pytest.approx(metrics["is/real"])


def test_unlabelled_folder_reports_diversity_only(tmp_path, drum_dir):
    metrics = run_smoke("audio", "wavegan", tmp_path / "run",
                        [f"data.path={drum_dir / 'kick'}", "trainer.max_steps=1", "metrics.n_samples=8",
                         "run.sample_every=0"])
    assert "is/samples" not in metrics and metrics["nn/self"] > 0 and metrics["nn/train"] > 0
