"""EMA and BatchNorm: averaged weights get normalisation statistics that match them (issue 14)."""

import math

import torch
from torch import nn

from ganforge import EMA


def _net() -> nn.Sequential:
    return nn.Sequential(nn.Linear(1, 1, bias=False), nn.BatchNorm1d(1, affine=False))


def _oscillate(net: nn.Sequential, ema: EMA, steps: int, seed: int = 0) -> None:
    """GAN-like dynamics: the live weight oscillates around 1.0 (period 80 steps) while a
    train-mode forward on z ~ N(1, 1) updates the live BatchNorm running statistics."""
    gen = torch.Generator().manual_seed(seed)
    net.train()
    for t in range(steps):
        with torch.no_grad():
            net[0].weight.fill_(1.0 + 0.5 * math.sin(2 * math.pi * t / 80))
            net(torch.randn(128, 1, generator=gen) + 1.0)
        ema.update(net, step=t)


@torch.no_grad()
def _true_stats(module: nn.Sequential) -> tuple[float, float]:
    """The statistics the BatchNorm layer really sees with ``module``'s (averaged) weights."""
    probe = torch.randn(200_000, 1, generator=torch.Generator().manual_seed(1)) + 1.0
    h = module[0](probe)
    return float(h.mean()), float(h.var())


def test_batchnorm_statistics_are_averaged_with_the_weights_decay():
    net = _net()
    ema = EMA(net, decay=0.9)
    expected_mean = ema.shadow[1].running_mean.clone()
    expected_var = ema.shadow[1].running_var.clone()
    _oscillate(net, ema, steps=1)  # not a full run: check the exact recursion step by step
    for t in range(1, 30):
        with torch.no_grad():
            net[0].weight.fill_(1.0 + 0.1 * t)
            net.train()(torch.randn(64, 1) + 1.0)
        before_mean = ema.shadow[1].running_mean.clone()
        before_var = ema.shadow[1].running_var.clone()
        ema.update(net, step=t)
        d = min(0.9, (1.0 + t) / (10.0 + t))
        expected_mean = d * before_mean + (1 - d) * net[1].running_mean
        expected_var = d * before_var + (1 - d) * net[1].running_var
        assert torch.allclose(ema.shadow[1].running_mean, expected_mean)
        assert torch.allclose(ema.shadow[1].running_var, expected_var)
        # the counter is copied, not averaged
        assert int(ema.shadow[1].num_batches_tracked) == int(net[1].num_batches_tracked)
    # and the averaged statistics are not simply the live ones
    assert not torch.allclose(ema.shadow[1].running_mean, net[1].running_mean)


def test_averaged_weights_are_normalised_with_statistics_that_match_them():
    net = _net()
    ema = EMA(net, decay=0.99)
    # ends where the live statistics (lagging ~8 steps behind the weight) peak: ~1.4, averaged weight ~1.0
    _oscillate(net, ema, steps=989)
    true_mean, true_var = _true_stats(ema.shadow)
    live_mean, live_var = float(net[1].running_mean), float(net[1].running_var)
    ema_mean, ema_var = float(ema.shadow[1].running_mean), float(ema.shadow[1].running_var)
    assert abs(live_mean - true_mean) > 0.25  # the live statistics really differ (old behaviour: copied)
    assert abs(ema_mean - true_mean) < 0.25 * abs(live_mean - true_mean)
    assert abs(ema_var - true_var) < 0.5 * abs(live_var - true_var)
    # what it means for samples: EMA outputs in eval mode are standardised (mean ~0, sd ~1)
    probe = torch.randn(50_000, 1, generator=torch.Generator().manual_seed(2)) + 1.0
    out = ema(probe)
    assert abs(float(out.mean())) < 0.1 and abs(float(out.std()) - 1.0) < 0.15


def test_buffers_other_than_batchnorm_statistics_are_copied():
    net = nn.Linear(2, 2)
    net.register_buffer("w_avg", torch.zeros(2))
    ema = EMA(net, decay=0.9)
    net.w_avg.fill_(5.0)
    ema.update(net, step=1000)
    assert torch.equal(ema.shadow.w_avg, torch.full((2,), 5.0))
