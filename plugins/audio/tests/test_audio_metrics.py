"""IS classifier (training, save/load, reuse), Inception score, nearest-neighbour diversity, export."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch
from PIL import Image

from ganforge.errors import GanforgeError
from ganforge_audio.audio_io import load_audio_folder
from ganforge_audio.classifier import cached_classifier, load_classifier, save_classifier
from ganforge_audio.export import export_audio
from ganforge_audio.metrics import classifier_features, inception_score, nearest_neighbour_distances


@pytest.fixture(scope="module")
def drums_8k(drum_dir):
    return load_audio_folder(drum_dir, 8000, 2048, labels="folder")


@pytest.fixture(scope="module")
def trained(drums_8k, tmp_path_factory):
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        cache = tmp_path_factory.mktemp("clf")
        model, path = cached_classifier(drums_8k, cache, epochs=40, width=8)
    finally:
        torch.set_num_threads(before)
    return model, path


def test_classifier_learns_the_drum_classes_and_scores_real_above_noise(drums_8k, trained):
    model, _ = trained
    x = drums_8k.stacked()
    with torch.no_grad():
        acc = (model(x).argmax(1) == torch.tensor(drums_8k.labels)).float().mean().item()
    assert acc > 0.9
    is_real, _ = inception_score(model, x, 8000)
    is_silence, _ = inception_score(model, torch.zeros(30, 1, 2048), 8000)
    assert is_real > 2.0 and is_real <= 3.0 + 1e-4  # at most the number of classes
    assert is_silence == pytest.approx(1.0, abs=1e-3)  # one class for everything
    # other rates/lengths are converted: the same clips at 16 kHz score alike
    from ganforge_audio.audio_io import resample

    assert inception_score(model, resample(x, 8000, 16000), 16000)[0] == pytest.approx(is_real, rel=0.1)


def test_classifier_is_saved_and_reused(drums_8k, trained, tmp_path):
    model, path = trained
    again, same_path = cached_classifier(drums_8k, path.parent, epochs=40, width=8)  # no training: loads
    assert same_path == path
    x = drums_8k.stacked()[:5]
    with torch.no_grad():
        assert torch.allclose(again(x), model(x), atol=1e-5)
    assert again.class_names == ["hat", "kick", "snare"] and again.sample_rate == 8000
    copy = save_classifier(model, tmp_path / "c.pt")
    assert load_classifier(copy).window == 2048
    (tmp_path / "bad.pt").write_bytes(b"junk")
    with pytest.raises(GanforgeError, match="bad.pt"):
        load_classifier(tmp_path / "bad.pt")
    with pytest.raises(GanforgeError, match="does not exist"):
        load_classifier(tmp_path / "none.pt")


def test_classifier_training_depends_on_the_data_alone_and_keeps_the_callers_rng(drums_8k, monkeypatch):
    import os
    import random

    from ganforge_audio.classifier import train_classifier

    monkeypatch.setenv("PL_GLOBAL_SEED", "41")
    x, y = drums_8k.stacked(), drums_8k.labels
    weights, after, expected = [], [], []
    for caller_seed in (1, 2):  # two runs with different seeds train the cached classifier
        random.seed(caller_seed)
        np.random.seed(caller_seed)
        torch.manual_seed(caller_seed)
        state = (random.getstate(), np.random.get_state(), torch.get_rng_state())
        model, _ = train_classifier(x, y, drums_8k.class_names, 8000, epochs=2, width=4)
        weights.append(model.state_dict())
        after.append((random.random(), float(np.random.rand()), float(torch.rand(1))))
        random.setstate(state[0])
        np.random.set_state(state[1])
        torch.set_rng_state(state[2])
        expected.append((random.random(), float(np.random.rand()), float(torch.rand(1))))
    assert weights[0].keys() == weights[1].keys()
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
    assert after == expected  # the caller's python, numpy and torch streams continue untouched
    assert os.environ["PL_GLOBAL_SEED"] == "41"


def test_nearest_neighbour_distances():
    gen = torch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    train = torch.tensor([[0.0, 0.0], [3.0, 0.0]])
    d = nearest_neighbour_distances(gen, train)
    assert d["self"] == pytest.approx((1 + np.sqrt(18) + 1) / 3)
    assert d["train"] == pytest.approx((0 + 4 + 1) / 3)


def test_features_for_nearest_neighbours(drums_8k, trained):
    model, _ = trained
    x = drums_8k.stacked()
    f = classifier_features(model, x, 8000)
    assert f.shape[0] == len(x) and f.dim() == 2
    d_copies = nearest_neighbour_distances(f[:10], f)
    assert d_copies["train"] == pytest.approx(0.0, abs=1e-4)  # memorised = distance 0
    assert nearest_neighbour_distances(f[:10], f[10:])["train"] > 0


def test_export_writes_wavs_and_a_spectrogram_sheet(tmp_path):
    x = torch.rand(6, 1, 1024) * 2 - 1
    sheet = export_audio(x, tmp_path, "step", 8000, individual=False)
    assert [p.name for p in sheet] == ["step.wav", "step_spectrograms.png"]
    info = sf.info(str(sheet[0]))
    assert info.samplerate == 8000 and info.subtype == "PCM_16" and info.frames == 6 * 1024 + 5 * 2000
    img = Image.open(sheet[1])
    assert img.mode == "RGB" and img.size[0] > 100 and img.size[1] > 100
    files = export_audio(x, tmp_path / "ind", "sample", 8000, individual=True)
    assert [p.name for p in files][:2] == ["sample_000.wav", "sample_001.wav"] and len(files) == 6
    back, rate = sf.read(str(files[3]), dtype="float32")
    assert rate == 8000 and back.shape == (1024,) and np.allclose(back, x[3, 0].numpy(), atol=1e-4)


def test_classifier_command_trains_and_scores(drum_dir, tmp_path, capsys):
    import json

    from ganforge_audio.classifier_cli import main

    out = tmp_path / "drums.pt"
    assert main(["train", "--data", str(drum_dir), "--sample-rate", "8000", "--window", "1024",
                 "--epochs", "2", "--width", "4", "--out", str(out)]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert trained["classes"] == ["hat", "kick", "snare"] and out.is_file()
    assert main(["score", "--classifier", str(out), "--data", str(drum_dir), "--include", "kick"]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert scored["files"] == 10 and scored["inception_score"] >= 1.0
    assert main(["score", "--classifier", str(tmp_path / "missing.pt"), "--data", str(drum_dir)]) == 2
    assert "missing.pt" in capsys.readouterr().err


def test_log_spectrum_distance_zero_for_same_spectrum_and_level_shift_is_exact():
    """Same clips: 0. Clips scaled by g: |log g^2| at every bin. Noise vs a sine: far apart."""
    from ganforge_audio.metrics import log_spectrum_distance

    g = torch.Generator().manual_seed(0)
    noise = torch.randn(8, 1, 4096, generator=g)
    assert log_spectrum_distance(noise, noise) == pytest.approx(0.0, abs=1e-6)
    assert log_spectrum_distance(0.1 * noise, noise) == pytest.approx(abs(np.log(0.01)), rel=1e-4)
    t = torch.arange(4096) / 8000
    sine = torch.sin(2 * np.pi * 440 * t).expand(8, 1, -1)
    assert log_spectrum_distance(sine, noise) > 3.0
    # fresh noise of the same level: same expected spectrum, small distance
    assert log_spectrum_distance(torch.randn(8, 1, 4096, generator=g), noise) < 0.3
    # the shortest window the schema allows (256 samples) is shorter than the default FFT
    short = torch.randn(4, 1, 256, generator=g)
    assert log_spectrum_distance(0.1 * short, short) == pytest.approx(abs(np.log(0.01)), rel=1e-4)


def test_audio_evaluation_reports_log_spectrum_distance(drum_dir, tmp_path):
    """A real (tiny) run's final metrics carry spectrum/l1_to_real, finite and positive."""
    from ganforge import compose_config, train

    cfg = compose_config(["domain=audio", "model=wavegan", "debug=smoke", f"data.path={drum_dir}",
                          "metrics.n_samples=16", "run.progress_bar=false"])
    metrics = train(cfg, tmp_path / "run")
    assert np.isfinite(metrics["spectrum/l1_to_real"]) and metrics["spectrum/l1_to_real"] > 0
