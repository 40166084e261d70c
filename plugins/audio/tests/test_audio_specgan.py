"""SpecGAN spectrogram codec (moments, normalisation round trip, Griffin-Lim) and networks."""

from __future__ import annotations

import math

import pytest
import torch

from ganforge.errors import GanforgeError
from ganforge_audio.specgan import SpecGANDiscriminator, SpecGANGenerator
from ganforge_audio.spectrogram import SpectrogramCodec, dataset_moments


def _chirps(n, window=16384, rate=16000):
    t = torch.arange(window) / rate
    out = []
    for i in range(n):
        f0 = 200 + 150 * i
        out.append(0.6 * torch.sin(2 * math.pi * (f0 * t + 300 * t**2)) * torch.exp(-3 * t))
    return torch.stack(out).unsqueeze(1)


def test_log_magnitude_is_128_by_128_for_the_paper_window():
    codec = SpectrogramCodec(16384)
    assert codec.log_magnitude(torch.zeros(2, 1, 16384)).shape == (2, 1, 128, 128)
    assert SpectrogramCodec(4096).log_magnitude(torch.zeros(1, 1, 4096)).shape == (1, 1, 128, 32)
    with pytest.raises(GanforgeError, match="expected waveforms of 16384 samples, got 1000"):
        codec.log_magnitude(torch.zeros(1, 1, 1000))


def test_dataset_moments_match_direct_statistics():
    codec = SpectrogramCodec(4096)
    waves = _chirps(6, 4096)
    mean, std = dataset_moments(codec, waves.split(4))
    lm = codec.log_magnitude(waves)  # [6, 1, 128, 32]
    flat = lm.permute(2, 0, 1, 3).reshape(128, -1)
    assert torch.allclose(mean, flat.mean(1), atol=1e-4)
    assert torch.allclose(std, flat.std(1, unbiased=False), atol=1e-3)


def test_normalisation_round_trips_and_clips_at_three_sigma():
    codec = SpectrogramCodec(4096)
    waves = _chirps(4, 4096)
    codec.set_moments(*dataset_moments(codec, [waves]))
    lm = codec.log_magnitude(waves)
    norm = codec.normalise(lm)
    assert norm.min() >= -1 and norm.max() <= 1
    inside = norm.abs() < 1
    assert inside.float().mean() > 0.9
    assert torch.allclose(codec.denormalise(norm)[inside], lm[inside], atol=1e-4)
    # a value 5 sigma above the mean is clipped to 3 sigma
    five_sigma = (codec.mean + 5 * codec.std).view(1, 1, -1, 1).expand(1, 1, 128, 32)
    assert torch.allclose(codec.normalise(five_sigma), torch.ones(1, 1, 128, 32))
    with pytest.raises(GanforgeError, match="expected 128 values per bin"):
        codec.set_moments(torch.zeros(3), torch.ones(3))


def test_griffin_lim_recovers_the_magnitude():
    codec = SpectrogramCodec(16384, griffin_lim_iters=32)
    waves = _chirps(2)
    codec.set_moments(*dataset_moments(codec, [waves]))
    rebuilt = codec.decode(codec.encode(waves))
    assert rebuilt.shape == waves.shape and rebuilt.abs().max() <= 1
    target, got = codec.log_magnitude(waves).exp(), codec.log_magnitude(rebuilt).exp()
    convergence = ((got - target).norm() / target.norm()).item()
    assert convergence < 0.35, convergence
    noise = torch.randn_like(waves) * 0.1
    assert ((codec.log_magnitude(noise).exp() - target).norm() / target.norm()).item() > 0.9


def test_moments_travel_in_the_state_dict():
    codec = SpectrogramCodec(4096)
    codec.set_moments(torch.arange(128.0), torch.full((128,), 2.0))
    other = SpectrogramCodec(4096)
    other.load_state_dict(codec.state_dict())
    assert torch.equal(other.mean, torch.arange(128.0)) and torch.equal(other.std, torch.full((128,), 2.0))


def test_specgan_networks_shapes():
    g, d = SpecGANGenerator(d=2), SpecGANDiscriminator(d=2)
    x = g(torch.rand(3, 100) * 2 - 1)
    assert x.shape == (3, 1, 128, 128) and x.abs().max() < 1
    assert d(x).shape == (3, 1)
    convs = [m for m in d.body if isinstance(m, torch.nn.Conv2d)]
    assert all(c.kernel_size == (5, 5) and c.stride == (2, 2) for c in convs) and len(convs) == 5
    g_small = SpecGANGenerator(d=2, frames=32)
    assert g_small(torch.zeros(1, 100)).shape == (1, 1, 128, 32)
    with pytest.raises(GanforgeError, match="multiple of 32"):
        SpecGANGenerator(d=2, frames=40)
