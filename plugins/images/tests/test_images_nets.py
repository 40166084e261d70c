"""Unit tests of the image networks: shapes, no-BatchNorm critic, conditioning, size preservation."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganforge.errors import GanforgeError
from ganforge_images.image_pool import ImageHistoryBuffer
from ganforge_images.nets.conditional import ConditionalGenerator, ProjectionDiscriminator
from ganforge_images.nets.patchgan import PatchGANDiscriminator, patchgan_output_size, patchgan_receptive_field
from ganforge_images.nets.resnet import ResnetGenerator
from ganforge_images.nets.sizes import upsampling_plan
from ganforge_images.nets.unet import UNetGenerator, default_unet_depth
from ganforge_images.nets.wgan import UpsamplingGenerator, WGANCritic


@pytest.mark.parametrize("size,plan", [(28, (7, 2)), (32, (4, 3)), (64, (4, 4)), (12, (3, 2)), (7, (7, 0))])
def test_upsampling_plan(size, plan):
    assert upsampling_plan(size) == plan


def test_upsampling_plan_rejects_odd_large_size_naming_key():
    with pytest.raises(GanforgeError, match=r"data.size=100"):
        upsampling_plan(100)


@pytest.mark.parametrize("size", [28, 32])
def test_wgan_generator_and_critic_shapes(size):
    g = UpsamplingGenerator(8, 1, size, base=8)
    x = g(torch.randn(3, 8))
    assert x.shape == (3, 1, size, size) and x.dtype == torch.float32
    assert float(x.abs().max()) <= 1.0
    assert WGANCritic(1, size, base=8)(x).shape == (3,)


@pytest.mark.parametrize("norm", ["layer", "none"])
def test_wgan_critic_has_no_batchnorm_and_is_per_sample(norm):
    critic = WGANCritic(1, 28, base=8, norm=norm).train()
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in critic.modules())
    x = torch.randn(4, 1, 28, 28, requires_grad=True)
    # the gradient penalty assumes score i depends on image i only
    (grad,) = torch.autograd.grad(critic(x)[0], x)
    assert grad[0].abs().sum() > 0
    assert torch.all(grad[1:] == 0)


def test_wgan_critic_rejects_batch_norm():
    with pytest.raises(GanforgeError, match="model.critic_norm.*batch"):
        WGANCritic(1, 28, norm="batch")


def test_conditional_generator_uses_the_label():
    torch.manual_seed(0)
    g = ConditionalGenerator(8, 10, 1, 28, base=8).eval()
    z = torch.randn(1, 8).repeat(2, 1)
    out = g(z, torch.tensor([3, 7]))
    assert out.shape == (2, 1, 28, 28)
    assert not torch.allclose(out[0], out[1])
    with pytest.raises(GanforgeError, match=r"label=10.*0\.\.9"):
        g(torch.randn(1, 8), torch.tensor([10]))


def test_projection_discriminator_depends_on_label():
    torch.manual_seed(0)
    d = ProjectionDiscriminator(10, 3, 32, base=8)
    x = torch.randn(1, 3, 32, 32).repeat(2, 1, 1, 1)
    logits = d(x, torch.tensor([0, 5]))
    assert logits.shape == (2,)
    assert logits[0] != logits[1]


@pytest.mark.parametrize("size", [28, 30, 64])
def test_unet_output_size_equals_input_size(size):
    g = UNetGenerator(1, 3, depth=default_unet_depth(size), base=4, max_channels=16)
    out = g(torch.randn(2, 1, size, size + 4))
    assert out.shape == (2, 3, size, size + 4)


def test_unet_full_pix2pix_configuration_has_54m_parameters():
    # 8 stages at 256x256, 64 base channels: the pix2pix paper's generator
    g = UNetGenerator(3, 3, depth=default_unet_depth(256))
    assert g.depth == 8
    assert abs(sum(p.numel() for p in g.parameters()) / 1e6 - 54.4) < 0.1


def test_unet_learns_a_tiny_translation():
    torch.manual_seed(0)
    g = UNetGenerator(1, 1, depth=3, base=8, dropout=0.0)
    opt = torch.optim.Adam(g.parameters(), lr=2e-3)
    x = torch.rand(8, 1, 16, 16) * 2 - 1
    target = -x  # inversion: learnable through the skip connections
    losses = []
    for _ in range(60):
        loss = (g(x) - target).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_patchgan_receptive_field_and_map_size():
    assert patchgan_receptive_field(3) == 70
    d = PatchGANDiscriminator(2, base=8, n_layers=3)
    out = d(torch.randn(2, 2, 64, 64))
    assert out.shape == (2, 1, patchgan_output_size(64, 3), patchgan_output_size(64, 3)) == (2, 1, 6, 6)


def test_patchgan_rejects_too_many_layers_for_small_images():
    with pytest.raises(GanforgeError, match="model.d_layers=5"):
        PatchGANDiscriminator(1, n_layers=5, image_size=28)


@pytest.mark.parametrize("size", [28, 30])
def test_resnet_generator_output_size_equals_input_size(size):
    g = ResnetGenerator(1, 3, base=8, n_blocks=2)
    out = g(torch.randn(2, 1, size, size))
    assert out.shape == (2, 3, size, size)
    assert float(out.abs().max()) <= 1.0


def test_resnet_generator_rejects_unknown_norm():
    with pytest.raises(GanforgeError, match="model.norm.*group"):
        ResnetGenerator(1, 1, norm="group")


def test_image_history_buffer_fills_then_mixes():
    gen = torch.Generator().manual_seed(0)
    pool = ImageHistoryBuffer(size=50, generator=gen)
    first = torch.arange(50, dtype=torch.float32).reshape(50, 1, 1, 1)
    assert torch.equal(pool.query(first), first) and len(pool) == 50
    new = torch.full((40, 1, 1, 1), -1.0)
    out = pool.query(new)
    assert out.shape == new.shape and len(pool) == 50
    from_history = (out != -1).sum().item()
    assert 8 < from_history < 32  # about half come from the history
    # the swapped-in new images are now stored
    assert sum(1 for im in pool.images if im.item() == -1) == from_history


def test_image_history_buffer_of_zero_is_pass_through():
    x = torch.randn(4, 1, 2, 2)
    assert torch.equal(ImageHistoryBuffer(0).query(x), x)
