"""WaveGAN's waveform DiffAugment (ganforge_audio.augment on ganforge.augment)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from ganforge.errors import GanforgeError
from ganforge.testing import compose_smoke
from ganforge_audio.augment import cutout, gain, shift
from ganforge_audio.domain import AudioDomain

WINDOW = 4096


def build(*overrides: str, model: str = "wavegan"):
    cfg = compose_smoke("audio", model, [f"data.window={WINDOW}", *overrides])
    spec = {"sample_rate": 8000, "window": WINDOW, "channels": 1, "num_clips": 4, "class_names": []}
    return AudioDomain().make_module(cfg, spec)


def test_shift_is_an_integer_shift_within_an_eighth_with_zero_fill():
    torch.manual_seed(0)
    x = torch.rand(8, 1, 64) + 1.0  # no zeros in the input
    y = shift(x)
    for xi, yi in zip(x, y):
        matches = [k for k in range(-8, 9)
                   if torch.equal(torch.roll(F.pad(xi, [8, 8]), shifts=-k, dims=-1)[:, 8:-8], yi)]
        assert len(matches) == 1  # exactly one offset in [-8, 8] reproduces the clip
    assert not torch.equal(x, y)


def test_cutout_zeroes_one_segment_of_a_quarter():
    torch.manual_seed(0)
    y = cutout(torch.ones(40, 2, 64))
    zeros = (y[:, 0] == 0).sum(1)
    assert bool((zeros > 0).all()) and bool((zeros <= 16).all()) and bool((zeros == 16).any())
    assert torch.equal(y[:, 0], y[:, 1])  # the same segment in every channel of a clip
    for row in (y[:, 0] == 0).int():
        idx = row.nonzero().flatten()
        assert int(idx[-1] - idx[0]) + 1 == len(idx)  # one contiguous segment


def test_gain_is_one_factor_per_clip_within_six_db():
    torch.manual_seed(0)
    x = torch.rand(32, 1, 50) + 0.5
    ratio = gain(x) / x
    assert torch.allclose(ratio, ratio[:, :, :1].expand_as(ratio))
    db = 20 * ratio[:, 0, 0].log10()
    assert float(db.abs().max()) <= 6.0 + 1e-4 and float(db.std()) > 1.0


def test_wavegan_critic_sees_augmented_clips_in_training_only_and_grads_flow():
    module = build("model.diffaugment=gain+shift+cutout")
    assert module.diffaugment.policy == ["gain", "shift", "cutout"] and float(module.diffaugment.p) == 1.0
    assert "diffaugment.p" in module.state_dict()
    seen = []
    module.discriminator.register_forward_pre_hook(lambda net, args: seen.append(args[0].detach().clone()))
    x = (torch.rand(4, 1, WINDOW) + 0.5).requires_grad_()
    module.discriminator.train()
    module.discriminator(x).sum().backward()
    assert not torch.equal(seen[-1], x.detach()) and bool((seen[-1] == 0).any())
    assert x.grad is not None and float(x.grad.abs().sum()) > 0
    module.discriminator.eval()
    module.discriminator(x)
    assert torch.equal(seen[-1], x.detach())
    assert getattr(build(), "diffaugment", None) is None  # off by default (model.diffaugment: null)
    off = build("model.diffaugment=[shift]", "model.augment_p=0")
    assert torch.equal(off.diffaugment(x.detach()), x.detach())


def test_bad_policy_is_a_one_line_error_with_the_choices():
    with pytest.raises(GanforgeError, match=r"^model.diffaugment: unknown DiffAugment transform 'colour'; "
                                            r"valid choices: cutout, gain, shift$"):
        build("model.diffaugment=colour")


def test_specgan_refuses_waveform_transforms():
    with pytest.raises(GanforgeError, match=r"model.diffaugment: waveform transforms are for wavegan; model 'specgan'"):
        build("+model.diffaugment=shift", model="specgan")
