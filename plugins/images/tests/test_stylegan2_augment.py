"""DiffAugment for every image model (ganforge_images.augment) and ADA's adaptive probability."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from ganforge.errors import GanforgeError
from ganforge.testing import compose_smoke
from ganforge_images.augment import DiffAugment, cutout, parse_policy, translation
from ganforge_images.domain import ImagesDomain

SPEC = {"size": 16, "channels": 1, "num_classes": 10}


def build(model: str, *overrides: str):
    cfg = compose_smoke("images", model, list(overrides))
    spec = dict(SPEC)
    if model == "cyclegan":
        spec = {"size": 16, "channels_a": 1, "channels_b": 1, "channels": 1}
    return ImagesDomain().make_module(cfg, spec)


def test_translation_is_an_integer_shift_with_zero_fill():
    torch.manual_seed(0)
    x = torch.rand(6, 1, 16, 16) + 1.0  # no zeros in the input
    y = translation(x)
    for xi, yi in zip(x, y):
        matches = []
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                ref = torch.roll(F.pad(xi, [2, 2, 2, 2]), shifts=(-dy, -dx), dims=(1, 2))[:, 2:-2, 2:-2]
                matches.append(torch.equal(ref, yi))
        assert sum(matches) == 1
    assert not torch.equal(x, y)


def test_cutout_zeroes_one_square_of_half_the_size():
    torch.manual_seed(0)
    x = torch.ones(20, 1, 16, 16)
    y = cutout(x)
    zeros = (y == 0).flatten(1).sum(1)
    assert bool((zeros > 0).all()) and bool((zeros <= 64).all())
    assert bool((zeros == 64).any())  # a square fully inside the image is 8x8


def test_augmentation_is_differentiable_and_probability_controls_it():
    torch.manual_seed(0)
    x = torch.randn(4, 3, 16, 16, requires_grad=True)
    aug = DiffAugment(parse_policy("color,translation,cutout"))
    aug(x).square().sum().backward()
    assert x.grad is not None and float(x.grad.abs().sum()) > 0
    off = DiffAugment(["color"], p=0.0)
    assert torch.equal(off(x), x)
    assert parse_policy(["color", "cutout"]) == ["color", "cutout"] == parse_policy("color+cutout")
    assert parse_policy(None) == [] == parse_policy("none")
    with pytest.raises(GanforgeError, match="'colour'.*valid choices: color, cutout, translation"):
        parse_policy("colour")


def test_ada_heuristic_moves_p_towards_the_target():
    aug = DiffAugment(["translation"], ada_target=0.6, ada_interval=4, ada_kimg=500)
    assert float(aug.p) == 0.0  # ADA starts without augmentation
    for _ in range(4):  # D overfits: sign(D(real)) = +1 everywhere, r_t = 1 > 0.6
        aug.observe(torch.ones(32, 1), 32)
    assert float(aug.p) == pytest.approx(32 * 4 / 500_000)
    for _ in range(3):
        aug.observe(-torch.ones(32, 1), 32)
    assert float(aug.p) == pytest.approx(32 * 4 / 500_000)  # adjusted only every 4 D steps
    aug.observe(-torch.ones(32, 1), 32)
    assert float(aug.p) == 0.0  # r_t = -1 < 0.6: back down, clamped at 0
    for _ in range(8):
        aug.observe(torch.tensor([[1.0], [1.0], [-1.0], [1.0], [1.0]]), 5)  # r_t = 0.6: not above target
    assert float(aug.p) == 0.0


def test_every_image_model_gets_the_hook_in_training_mode_only():
    for model in ("dcgan", "cgan", "stylegan2"):
        module = build(model, "model.diffaugment=[translation,cutout]")
        seen = []
        module.discriminator.register_forward_pre_hook(lambda net, args, seen=seen: seen.append(args[0].clone()))
        x = torch.rand(4, 1, 16, 16) + 1.0
        args = (x,) if model != "cgan" else (x, torch.tensor([0, 1, 2, 3]))
        module.discriminator.train()
        module.discriminator(*args)
        assert not torch.equal(seen[-1], x), model  # D saw augmented images
        assert bool((seen[-1] == 0).any()), model  # cutout / zero-filled shift
        module.discriminator.eval()
        module.discriminator(*args)
        assert torch.equal(seen[-1], x), model
        assert "diffaugment.p" in module.state_dict()  # p is checkpointed with the model
    plain = build("dcgan")
    assert getattr(plain, "diffaugment", None) is None


def test_cyclegan_hooks_both_discriminators():
    module = build("cyclegan", "model.diffaugment=[cutout]")
    for key in ("A", "B"):
        assert len(module.discriminator[key]._forward_pre_hooks) == 1


def test_bad_augmentation_settings_are_one_line_errors():
    with pytest.raises(GanforgeError, match="model 'dcgan' does not report it"):
        build("dcgan", "model.diffaugment=[color]", "model.ada_target=0.6")
    with pytest.raises(GanforgeError, match="model.diffaugment is empty"):
        build("stylegan2", "model.ada_target=0.6")
    with pytest.raises(GanforgeError, match="augment_p=1.5"):
        build("dcgan", "model.diffaugment=[color]", "model.augment_p=1.5")
    module = build("stylegan2", "model.diffaugment=[color]", "model.ada_target=0.6")
    assert float(module.diffaugment.p) == 0.0
