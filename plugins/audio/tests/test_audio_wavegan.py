"""WaveGAN generator/discriminator shapes, options and phase shuffle."""

from __future__ import annotations

import pytest
import torch

from ganforge.errors import GanforgeError
from ganforge_audio.wavegan import (
    PhaseShuffle,
    SpectralCritic,
    Upsample1d,
    WaveGANDiscriminator,
    WaveGANGenerator,
    layer_strides,
)


@pytest.mark.parametrize("window", [4096, 16384, 32768, 65536])
def test_generator_and_discriminator_shapes_for_every_window(window):
    g = WaveGANGenerator(latent_dim=100, d=2, window=window)
    d = WaveGANDiscriminator(d=2, window=window)
    z = torch.rand(2, 100) * 2 - 1
    x = g(z)
    assert x.shape == (2, 1, window) and x.dtype == torch.float32
    assert x.abs().max() < 1  # tanh output
    assert d(x).shape == (2, 1)


def test_paper_layer_layout():
    assert layer_strides(16384) == [4, 4, 4, 4, 4]
    assert layer_strides(32768) == [4, 4, 4, 4, 4, 2]
    assert layer_strides(65536) == [4, 4, 4, 4, 4, 4]
    g = WaveGANGenerator(d=64, window=16384)
    assert g.project.out_features == 16 * 1024  # [16, 16d] for d = 64
    g32 = WaveGANGenerator(d=4, window=32768)
    assert g32.start_channels == 32 * 4  # the longer windows start from 32d
    d = WaveGANDiscriminator(d=4, window=16384)
    convs = [m for m in d.body if isinstance(m, torch.nn.Conv1d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size[0], c.stride[0]) for c in convs] == [
        (1, 4, 25, 4), (4, 8, 25, 4), (8, 16, 25, 4), (16, 32, 25, 4), (32, 64, 25, 4)]
    assert sum(isinstance(m, PhaseShuffle) for m in d.body) == 4  # after the first four layers only


def test_bad_window_is_rejected_with_the_value():
    with pytest.raises(GanforgeError, match="data.window=10000"):
        WaveGANGenerator(d=2, window=10000)
    with pytest.raises(GanforgeError, match=r"expected input \[B, 1, 4096\]"):
        WaveGANDiscriminator(d=2, window=4096)(torch.zeros(1, 1, 4000))


def test_nearest_upsampling_and_post_filter_keep_the_length():
    g = WaveGANGenerator(d=2, window=4096, upsample="nearest", post_filter=512)
    assert g(torch.zeros(3, 100)).shape == (3, 1, 4096)
    assert g.post_filter.conv.kernel_size == (512,)
    with pytest.raises(GanforgeError, match="valid choices: nearest, transpose"):
        WaveGANGenerator(d=2, window=4096, upsample="linear")


def test_upsample_last_changes_only_the_output_layer():
    g = WaveGANGenerator(d=2, window=4096, upsample="nearest", upsample_last="transpose")
    convs = [type(m.conv) for m in g.body if isinstance(m, Upsample1d)]
    assert convs == [torch.nn.Conv1d] * 3 + [torch.nn.ConvTranspose1d]
    assert g(torch.zeros(2, 100)).shape == (2, 1, 4096)
    plain = WaveGANGenerator(d=2, window=4096, upsample="nearest")
    assert [type(m.conv) for m in plain.body if isinstance(m, Upsample1d)] == [torch.nn.Conv1d] * 4
    with pytest.raises(GanforgeError, match="model.upsample"):
        WaveGANGenerator(d=2, window=4096, upsample="nearest", upsample_last="linear")


def test_phase_shuffle_moves_content_by_at_most_n_with_reflection():
    ps = PhaseShuffle(2).train()
    x = torch.randn(64, 3, 50)
    y = ps(x)
    assert y.shape == x.shape
    for b in range(x.shape[0]):
        matches = [k for k in range(-2, 3) if torch.equal(y[b], PhaseShuffle(2)(x[b : b + 1], torch.tensor([k]))[0])]
        assert len(matches) == 1
    # explicit shift: content moves right by k, the left border is reflected
    shifted = ps(x[:1], torch.tensor([2]))
    assert torch.equal(shifted[0, :, 2:], x[0, :, :-2])
    assert torch.equal(shifted[0, :, :2], x[0, :, [2, 1]])
    left = ps(x[:1], torch.tensor([-1]))
    assert torch.equal(left[0, :, :-1], x[0, :, 1:]) and torch.equal(left[0, :, -1], x[0, :, -2])
    # random draws use every shift in [-2, 2] and nothing else
    seen = {int((ps(torch.arange(10.0).view(1, 1, -1))[0, 0, 5] - 5).item()) for _ in range(200)}
    assert seen == {-2, -1, 0, 1, 2}
    assert torch.equal(ps.eval()(x), x)  # identity at evaluation time


def test_generator_learns_a_fixed_target():
    torch.manual_seed(0)
    g = WaveGANGenerator(latent_dim=8, d=2, window=1024)
    target = 0.5 * torch.sin(torch.linspace(0, 20, 1024)).view(1, 1, -1)
    opt = torch.optim.Adam(g.parameters(), lr=3e-3)
    z = torch.rand(4, 8) * 2 - 1
    first = None
    for _ in range(60):
        loss = ((g(z) - target) ** 2).mean()
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.3 * first


def test_minibatch_std_lets_the_critic_see_the_rest_of_the_batch():
    torch.manual_seed(0)
    x = torch.randn(8, 1, 4096)
    other = x.clone()
    other[1:] = 0.0  # same first clip, a batch without variety around it
    for group, sees_batch in [(0, False), (4, True)]:
        torch.manual_seed(1)
        d = WaveGANDiscriminator(d=2, window=4096, phase_shuffle=0, mbstd_group=group).eval()
        changed = not torch.allclose(d(x)[0], d(other)[0])
        assert changed == sees_batch, group


def test_minibatch_std_group_of_one_is_rejected_with_the_key():
    with pytest.raises(GanforgeError, match=r"model.mbstd_group=1: expected 0 \(off\) or a group size of 2 or more"):
        WaveGANDiscriminator(d=2, window=4096, mbstd_group=1)


def test_spectral_critic_adds_its_value_to_the_waveform_critics():
    torch.manual_seed(0)
    plain = WaveGANDiscriminator(d=2, window=4096, phase_shuffle=0).eval()
    torch.manual_seed(0)
    both = WaveGANDiscriminator(d=2, window=4096, phase_shuffle=0, spec_critic=256).eval()
    x = torch.randn(3, 1, 4096) * 0.1
    # same seed, same waveform weights (the head is built after them)
    assert torch.allclose(both(x), plain(x) + both.spectral(x), atol=1e-6)
    assert not torch.allclose(both(x), plain(x))


def test_spectral_critic_spectrogram_puts_a_tone_in_its_bin():
    head = SpectralCritic(256, d=8, window=4096)
    t = torch.arange(4096) / 8000
    tone = (0.01 * torch.sin(2 * torch.pi * 3500 * t)).view(1, 1, -1)  # quiet, near Nyquist
    spec = head.spectrogram(tone)
    assert spec.shape == (1, 1, 129, 4096 // 64 + 1) and spec.dtype == torch.float32
    profile = spec[0, 0, :, 8:-8].mean(dim=1)  # frames away from the padded borders
    assert int(profile.argmax()) == round(3500 / (8000 / 256))  # bin 112
    assert profile.max() > profile.median() + 3  # > 30 dB above the floor


def test_gradient_penalty_reaches_the_spectral_head():
    torch.manual_seed(0)
    d = WaveGANDiscriminator(d=2, window=4096, phase_shuffle=0, spec_critic=128)
    x = (torch.randn(4, 1, 4096) * 0.1).requires_grad_(True)
    (grad,) = torch.autograd.grad(d(x).sum(), x, create_graph=True)
    penalty = (grad.flatten(1).norm(dim=1) - 1).square().mean()
    # every weight of the head shapes dD/dx (the final bias does not)
    head_params = [*d.spectral.body.parameters(), d.spectral.out.weight]
    head_grads = torch.autograd.grad(penalty, head_params)
    assert all(torch.isfinite(g).all() for g in head_grads)
    assert sum(float(g.abs().sum()) for g in head_grads) > 0


def test_spectral_critic_runs_under_bf16_autocast():
    d = WaveGANDiscriminator(d=2, window=4096, phase_shuffle=0, spec_critic=256)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = d(torch.randn(2, 1, 4096) * 0.1)
    assert out.shape == (2, 1) and torch.isfinite(out.float()).all()


@pytest.mark.parametrize("n_fft", [8, 2048])
def test_spectral_critic_fft_size_out_of_range_is_rejected_with_the_key(n_fft):
    with pytest.raises(GanforgeError, match=rf"model.spec_critic={n_fft}: expected 0 \(off\) or an FFT size from 16 to "
                                            r"data.window/4 = 1024"):
        WaveGANDiscriminator(d=2, window=4096, spec_critic=n_fft)


def test_packed_critic_scores_each_pair_of_clips_jointly():
    torch.manual_seed(0)
    d = WaveGANDiscriminator(d=2, window=4096, phase_shuffle=0, pack=2).eval()
    assert d.body[0].in_channels == 2
    x = torch.randn(4, 1, 4096) * 0.1
    out = d(x)
    assert out.shape == (2, 1)
    # the first score depends on both clips of its pair and on no other clip
    y = x.clone()
    y[1] += 0.1 * torch.randn(4096)
    changed = d(y)
    assert not torch.allclose(changed[0], out[0]) and torch.equal(changed[1], out[1])
    # an odd batch is completed with its first clip: three clips give two scores
    assert d(x[:3]).shape == (2, 1)
    with pytest.raises(GanforgeError, match=r"model.pack=0: expected 1 \(off\) or the number of clips"):
        WaveGANDiscriminator(d=2, window=4096, pack=0)
