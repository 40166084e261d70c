"""StyleGAN2 networks: demodulation, equalised learning rate, FIR resampling, style mixing,
truncation and the config-F parameter counts."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from ganforge.errors import GanforgeError
from ganforge_images.nets.stylegan2 import (
    MinibatchStd,
    StyleGAN2Discriminator,
    StyleGAN2Generator,
    channel_plan,
    count_parameters,
    mix_styles,
)
from ganforge_images.nets.stylegan2_layers import (
    EqualizedConv2d,
    EqualizedLinear,
    downsample2d,
    fir_filter,
    modulated_conv2d,
    upsample2d,
)


def tiny_generator(resolution: int = 16) -> StyleGAN2Generator:
    torch.manual_seed(0)
    return StyleGAN2Generator(16, 16, resolution, 1, channel_base=128, channel_max=16, mapping_layers=2)


def test_demodulated_conv_keeps_unit_variance_and_modulation_alone_does_not():
    torch.manual_seed(0)
    x = torch.randn(16, 64, 16, 16)
    weight = torch.randn(48, 64, 3, 3)
    styles = torch.randn(16, 64).exp()  # style scales far from 1 (log-normal)
    y = modulated_conv2d(x, weight, styles, demodulate=True)
    per_sample_channel = y[:, :, 2:-2, 2:-2].std(dim=[2, 3])  # away from the zero padding
    assert y.shape == (16, 48, 16, 16)
    assert abs(float(y[:, :, 2:-2, 2:-2].std()) - 1.0) < 0.05
    assert float((per_sample_channel - 1).abs().max()) < 0.25
    raw = modulated_conv2d(x, weight, styles, demodulate=False)
    assert float(raw.std()) > 5.0  # without demodulation the scale follows the styles and fan-in


def test_modulated_conv_equals_per_sample_weights():
    # the fast "scale inputs, shared conv, scale outputs" path == grouped conv with per-sample weights
    torch.manual_seed(1)
    x, weight, styles = torch.randn(3, 5, 8, 8), torch.randn(4, 5, 3, 3), torch.randn(3, 5)
    w = weight[None] * styles[:, None, :, None, None]
    w = w * (w.square().sum(dim=[2, 3, 4], keepdim=True) + 1e-8).rsqrt()
    ref = F.conv2d(x.reshape(1, 15, 8, 8), w.reshape(12, 5, 3, 3), padding=1, groups=3).reshape(3, 4, 8, 8)
    torch.testing.assert_close(modulated_conv2d(x, weight, styles), ref, rtol=1e-4, atol=1e-5)


def test_equalized_linear_runtime_scale_and_lr_multiplier():
    torch.manual_seed(0)
    fc = EqualizedLinear(400, 300, bias_init=0.5, lr_mul=0.01)
    assert fc.weight_gain == pytest.approx(0.01 / math.sqrt(400))
    assert float(fc.weight.detach().std()) == pytest.approx(100.0, rel=0.05)  # stored N(0, 1/lr_mul^2)
    x = torch.randn(7, 400)
    expected = F.linear(x, fc.weight * (0.01 / 20.0), fc.bias * 0.01)
    torch.testing.assert_close(fc(x), expected)
    # effective weight scale 1/sqrt(fan_in) (He init at run time)
    assert float((fc.weight.detach() * fc.weight_gain).std()) == pytest.approx(1 / 20.0, rel=0.05)
    # the gradient reaching the stored weight is the effective one times the gain: with
    # equal Adam steps the effective weight moves lr_mul/sqrt(fan_in) as fast
    fc(x).sum().backward()
    eff_grad = torch.ones(7, 300).T @ x
    torch.testing.assert_close(fc.weight.grad, eff_grad * fc.weight_gain, rtol=1e-4, atol=1e-6)


def test_equalized_conv_scale_activation_gain_and_downsampling():
    torch.manual_seed(0)
    conv = EqualizedConv2d(6, 5, 3, act="lrelu", gain=0.5)
    assert conv.weight_gain == pytest.approx(1 / math.sqrt(6 * 9))
    x = torch.randn(2, 6, 8, 8)
    expected = F.leaky_relu(F.conv2d(x, conv.weight / math.sqrt(54), conv.bias, padding=1), 0.2) * math.sqrt(2) * 0.5
    torch.testing.assert_close(conv(x), expected)
    assert EqualizedConv2d(6, 5, 3, down=2)(x).shape == (2, 5, 4, 4)
    assert EqualizedConv2d(6, 5, 1, down=2, bias=False, act="linear")(x).shape == (2, 5, 4, 4)


def test_fir_resampling_preserves_constants_and_shapes():
    f = fir_filter()
    assert float(f.sum()) == pytest.approx(1.0)
    ones = torch.ones(1, 2, 8, 8)
    up, down = upsample2d(ones, f), downsample2d(ones, f)
    assert up.shape == (1, 2, 16, 16) and down.shape == (1, 2, 4, 4)
    torch.testing.assert_close(up[..., 2:-2, 2:-2], torch.ones_like(up[..., 2:-2, 2:-2]))  # gain 4 after zero insertion
    torch.testing.assert_close(down[..., 1:-1, 1:-1], torch.ones_like(down[..., 1:-1, 1:-1]))


def test_generator_shapes_ws_count_and_channel_plan():
    g = tiny_generator(32)
    assert g.num_ws == 2 * int(math.log2(32)) - 2
    assert g(torch.randn(3, 16)).shape == (3, 1, 32, 32)
    assert channel_plan(256, 32768, 512) == {4: 512, 8: 512, 16: 512, 32: 512, 64: 512, 128: 256, 256: 128}
    assert channel_plan(1024, 32768, 512)[1024] == 32
    with pytest.raises(GanforgeError, match="data.size=48"):
        channel_plan(48, 32768, 512)


def test_style_mixing_switches_w_at_the_crossover_layer():
    g = tiny_generator(16).eval()
    za, zb = torch.randn(2, 16), torch.randn(2, 16)
    wa, wb = g.mapping(za), g.mapping(zb)
    cutoff = 3
    mixed = mix_styles(wa, wb, cutoff)
    # record, in layer order, which w each affine layer of the synthesis network receives
    seen = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: seen.append(inp[0].detach()))
             for name, m in g.synthesis.named_modules() if name.endswith("affine")]
    try:
        g.synthesis(mixed, noise_mode="const")
    finally:
        for h in hooks:
            h.remove()
    # ws index per affine: b4 conv1 -> 0, torgb -> 1; b8 conv0 -> 1, conv1 -> 2, torgb -> 3; b16 conv0 -> 3 ...
    index = [0, 1, 1, 2, 3, 3, 4, 5]
    assert len(seen) == len(index) and g.num_ws == 6
    for w_seen, i in zip(seen, index):
        torch.testing.assert_close(w_seen, (wa if i < cutoff else wb)[:, 0])
    assert not torch.allclose(wa, wb)

    # training-time mixing: with probability 1 every call mixes two w's at one crossover in [1, num_ws)
    g.train()
    cutoffs = set()
    for _ in range(40):
        z = torch.randn(4, 16)
        ws = g.styles(z, style_mixing=1.0)
        w1 = g.mapping(z, update_w_avg=False)
        first = (ws - w1).abs().amax(dim=(0, 2)) < 1e-6  # layers that still hold z's own w
        c = int(first.sum())
        assert 1 <= c < g.num_ws and bool(first[:c].all()) and not bool(first[c:].any())
        assert torch.allclose(ws[:, c:], ws[:, c:c + 1].expand_as(ws[:, c:]))  # one second w after the crossover
        cutoffs.add(c)
    assert len(cutoffs) > 1
    assert torch.equal(g.styles(torch.zeros(2, 16) + 1, style_mixing=0.0), g.mapping(torch.ones(2, 16), update_w_avg=False))


def test_truncation_zero_gives_the_mean_image_for_every_z():
    g = tiny_generator(16)
    g.train()
    for _ in range(5):  # move w_avg away from zero, as training does
        g.mapping(torch.randn(64, 16))
    assert float(g.mapping.w_avg.abs().sum()) > 0
    g.eval()
    imgs = g(torch.randn(6, 16), truncation_psi=0.0, noise_mode="const")
    mean_image = g.synthesis(g.mapping.w_avg.reshape(1, 1, -1).repeat(1, g.num_ws, 1), noise_mode="const")
    for img in imgs:
        torch.testing.assert_close(img, mean_image[0])
    free = g(torch.randn(6, 16), truncation_psi=1.0, noise_mode="const")
    assert float((free[0] - free[1]).abs().max()) > 1e-3


def test_w_avg_tracks_the_mapping_output_in_training_mode_only():
    g = tiny_generator(16)
    z = torch.randn(32, 16)
    g.eval()
    g.mapping(z)
    assert float(g.mapping.w_avg.abs().sum()) == 0.0
    g.train()
    w = g.mapping(z)[:, 0].mean(0)
    torch.testing.assert_close(g.mapping.w_avg, w * (1 - 0.995))


def test_minibatch_stddev_feature():
    x = torch.randn(8, 6, 4, 4)
    y = MinibatchStd(4)(x)
    assert y.shape == (8, 7, 4, 4)
    groups = x.reshape(4, 2, 6, 4, 4)
    expected = (groups.var(dim=0, unbiased=False) + 1e-8).sqrt().mean(dim=[1, 2, 3])  # per group member slot
    torch.testing.assert_close(y[:2, 6, 0, 0], expected)
    torch.testing.assert_close(y[2:4, 6, 0, 0], expected)
    assert MinibatchStd(4)(torch.randn(6, 6, 4, 4)).shape == (6, 7, 4, 4)  # 6 is not a multiple of 4


def test_config_f_parameter_counts_at_256px():
    # Reference: stylegan2-ada-pytorch, cfg=stylegan2 (config F: channel_base 32768,
    # channel_max 512, 8 mapping layers, z=w=512), as its print_module_summary prints them
    # (per-layer rows quoted in NVlabs/stylegan2-ada-pytorch#182 and open-mmlab/mmgeneration#394;
    # the TF config-F D rows in lucidrains/stylegan2-pytorch#124). Totals at 256 px are the sums
    # of those rows: G 30,034,338 (2,101,248 mapping + 27,933,090 synthesis), D 28,864,129.
    g = StyleGAN2Generator(512, 512, 256, 3, 32768, 512)
    d = StyleGAN2Discriminator(256, 3, 32768, 512)
    assert count_parameters(g) == pytest.approx(30_034_338, rel=0.02)
    assert count_parameters(d) == pytest.approx(28_864_129, rel=0.02)

    def rows(module, prefix):
        return sum(p.numel() for n, p in module.named_parameters() if n.startswith(prefix))

    assert rows(g, "mapping.fcs.0.") == 262_656  # mapping.fc0
    assert rows(g, "synthesis.blocks.0.conv1.") == 2_622_465  # synthesis.b4.conv1
    assert rows(g, "synthesis.blocks.0.torgb.") == 264_195  # synthesis.b4.torgb
    assert rows(g, "synthesis.blocks.0.const") == 8_192  # synthesis.b4:0
    assert rows(g, "synthesis.blocks.5.conv0.") == 1_442_561  # synthesis.b128.conv0
    assert rows(g, "synthesis.blocks.5.conv1.") == 721_409  # synthesis.b128.conv1
    assert rows(g, "synthesis.blocks.6.torgb.") == 66_051  # synthesis.b256.torgb
    assert rows(d, "blocks.0.conv1.") == 295_168  # b256.conv1 (256x256/Conv1_down)
    assert rows(d, "blocks.0.skip.") == 32_768  # b256.skip
    assert rows(d, "blocks.1.conv0.") == 590_080  # b128.conv0


def test_demodulation_by_matmul_equals_the_modulated_weight_norm(monkeypatch):
    from ganforge_images.nets import stylegan2_layers as layers

    torch.manual_seed(0)
    weight, styles = torch.randn(16, 8, 3, 3), torch.randn(5, 8)
    fast = layers.demodulation(weight, styles)
    monkeypatch.setattr(layers, "DEMOD_BY_MATMUL", False)
    reference = layers.demodulation(weight, styles)
    # by hand for one sample and output channel: 1 / ||weight[o] * s||
    by_hand = 1 / torch.sqrt(((weight[3] * styles[2].reshape(8, 1, 1)) ** 2).sum() + 1e-8)
    assert torch.allclose(fast, reference, rtol=1e-5) and torch.isclose(fast[2, 3], by_hand, rtol=1e-5)
