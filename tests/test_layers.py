"""ganforge.MinibatchStd and PackSamples: the layers any discriminator may use."""

from __future__ import annotations

import pytest
import torch

from ganforge import MinibatchStd, PackSamples


@pytest.mark.parametrize("shape", [(8, 6), (8, 6, 10), (8, 6, 4, 4)])
def test_appends_the_group_standard_deviation_for_any_rank(shape):
    torch.manual_seed(0)
    x = torch.randn(*shape)
    y = MinibatchStd(4)(x)
    assert y.shape == (shape[0], shape[1] + 1, *shape[2:])
    assert torch.equal(y[:, : shape[1]], x)
    # sample i is in group i % 2 (8 samples, groups of 4): its feature is that group's
    # per-feature population std, averaged over channels and positions
    for i in range(shape[0]):
        group = x[i % 2 :: 2]
        expected = (group.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()
        assert torch.allclose(y[i, shape[1]], expected.expand_as(y[i, shape[1]]), atol=1e-6)


def test_identical_samples_give_a_zero_feature_and_varied_ones_do_not():
    same = torch.ones(4, 3, 5).mul(torch.randn(1, 3, 5))
    varied = torch.randn(4, 3, 5)
    assert MinibatchStd(4)(same)[:, 3].abs().max() < 1e-3
    assert MinibatchStd(4)(varied)[:, 3].min() > 0.3


def test_a_batch_not_a_multiple_of_the_group_uses_the_largest_divisor():
    x = torch.randn(6, 2, 7)
    y = MinibatchStd(4)(x)  # groups of 3
    group = x[0::2]
    assert torch.allclose(y[0, 2, 0], (group.var(dim=0, unbiased=False) + 1e-8).sqrt().mean(), atol=1e-6)


def test_gradients_flow_to_every_sample_of_the_group():
    x = torch.randn(4, 2, 3, requires_grad=True)
    MinibatchStd(4)(x)[0, 2].sum().backward()
    assert (x.grad.abs().sum(dim=(1, 2)) > 0).all()


@pytest.mark.parametrize("group, channels", [(1, 1), (0, 1), (4, 0)])
def test_bad_sizes_are_rejected(group, channels):
    with pytest.raises(ValueError, match="MinibatchStd"):
        MinibatchStd(group, channels)


def test_pack_samples_stacks_consecutive_samples_along_channels():
    x = torch.randn(6, 3, 5, 4)
    y = PackSamples(2)(x)
    assert y.shape == (3, 6, 5, 4)
    for j in range(3):
        assert torch.equal(y[j, :3], x[2 * j]) and torch.equal(y[j, 3:], x[2 * j + 1])
    assert PackSamples(1)(x) is x


@pytest.mark.parametrize(("n", "pack", "order"), [(5, 2, [0, 1, 2, 3, 4, 0]), (1, 3, [0, 0, 0]), (4, 3, [0, 1, 2, 3, 0, 1])])
def test_pack_samples_completes_a_short_batch_with_its_first_samples(n, pack, order):
    x = torch.arange(float(n)).reshape(n, 1, 1)
    y = PackSamples(pack)(x)
    assert y.shape == (len(order) // pack, pack, 1)
    assert y.flatten().tolist() == [float(i) for i in order]


def test_pack_samples_rejects_a_pack_below_one():
    with pytest.raises(ValueError, match="pack must be >= 1, got 0"):
        PackSamples(0)
