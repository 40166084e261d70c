"""The embedded default data: deterministic synthesised drums, cached on first use."""

from __future__ import annotations

import hashlib

import soundfile as sf

from ganforge_audio import drums
from ganforge_audio.audio_io import load_audio_folder


def _digest(root):
    return {p.relative_to(root).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*.wav"))}


def test_synthesis_is_deterministic_and_labelled(tmp_path, drum_dir):
    again = tmp_path / "again"
    drums.synthesise_drums(again, per_class=10, seed=7)
    assert _digest(again) == _digest(drum_dir)
    other = tmp_path / "other"
    drums.synthesise_drums(other, per_class=2, seed=8)
    assert _digest(other)["kick/kick_000.wav"] != _digest(drum_dir)["kick/kick_000.wav"]
    data = load_audio_folder(drum_dir, 16000, 16384, labels="folder")
    assert data.class_names == ["hat", "kick", "snare"]
    assert [data.labels.count(i) for i in range(3)] == [10, 10, 10]
    info = sf.info(str(drum_dir / "snare" / "snare_003.wav"))
    assert (info.samplerate, info.frames, info.subtype) == (16000, 8000, "PCM_16")


def test_classes_sound_different(drum_dir):
    # kicks are low, hats are high: compare spectral centroids
    import torch

    data = load_audio_folder(drum_dir, 16000, 8000, labels="folder")
    x = data.stacked()[:, 0]
    spec = torch.stft(x, 512, 128, window=torch.hann_window(512), return_complex=True).abs().sum(-1)
    freqs = torch.linspace(0, 8000, spec.shape[1])
    centroid = (spec * freqs).sum(1) / spec.sum(1)
    labels = torch.tensor(data.labels)
    hat, kick, snare = (centroid[labels == i].mean().item() for i in range(3))
    assert kick < 500 < snare < hat
    assert x.abs().amax(1).min() > 0.5 and x.abs().amax(1).max() < 0.96


def test_default_dir_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("GANFORGE_CACHE_DIR", str(tmp_path))
    calls = []
    real = drums.synthesise_drums
    monkeypatch.setattr(drums, "synthesise_drums", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = drums.default_drums_dir(per_class=2, seed=3)
    second = drums.default_drums_dir(per_class=2, seed=3)
    assert first == second and len(calls) == 1
    assert first.parent == tmp_path / "audio" and (first / "manifest.json").is_file()
    assert len(list(first.rglob("*.wav"))) == 6
    assert [p.name for p in tmp_path.joinpath("audio").iterdir()] == [first.name]  # no temp leftovers
