"""Network layers that any domain's discriminator may use (public API)."""

from __future__ import annotations

import torch
from torch import nn


class MinibatchStd(nn.Module):
    """Minibatch standard deviation (Karras et al. 2018, "Progressive Growing of GANs").

    Splits the batch into groups of ``group_size`` samples, takes each feature's standard
    deviation across a group, averages it over channels and positions and appends it as
    ``num_channels`` extra constant channels. A critic that sees this can tell a batch
    with too little variety (a dropped mode) from a real one, which a per-sample critic
    cannot. Works for any rank: ``[N, C]``, ``[N, C, L]`` (audio), ``[N, C, H, W]``.

    torch and torchvision have no such layer, hence this one.
    """

    def __init__(self, group_size: int = 4, num_channels: int = 1):
        super().__init__()
        if group_size < 2:
            raise ValueError(f"MinibatchStd: group_size must be >= 2, got {group_size}")
        if num_channels < 1:
            raise ValueError(f"MinibatchStd: num_channels must be >= 1, got {num_channels}")
        self.group_size, self.num_channels = int(group_size), int(num_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[N, C, *spatial]`` -> ``[N, C + num_channels, *spatial]``."""
        n, c, *spatial = x.shape
        f = self.num_channels
        if c % f:
            raise ValueError(f"MinibatchStd: {c} channels do not split into {f} groups")
        g = min(self.group_size, n)
        while n % g:  # a batch that is not a multiple of the group size: largest divisor below it
            g -= 1
        # sample i belongs to group i % (n // g), as in the reference implementations
        y = x.reshape(g, -1, f, c // f, *spatial)
        y = (y - y.mean(dim=0)).square().mean(dim=0)  # variance over each group
        y = (y + 1e-8).sqrt().mean(dim=list(range(2, y.dim())))  # [n // g, f]
        y = y.reshape(-1, f, *([1] * len(spatial))).repeat(g, 1, *spatial)
        return torch.cat([x, y], dim=1)


class PackSamples(nn.Module):
    """PacGAN packing (Lin et al. 2018): the critic judges ``pack`` samples at once.

    ``[N, C, *spatial]`` -> ``[ceil(N / pack), pack * C, *spatial]``: consecutive samples are
    stacked along the channel axis, so the discriminator's first layer takes ``pack * C``
    channels and returns one score per pack. A critic that sees several samples together
    penalises a generator that drops a mode more strongly than a per-sample critic can
    (the paper's analysis); real batches are packed with real samples and fake with fake.
    A batch that is not a multiple of ``pack`` (a data set smaller than one batch) is
    completed by repeating its first samples. ``pack=1`` is the identity.

    torch has no such layer (it is a reshape with the remainder rule), hence this one.
    """

    def __init__(self, pack: int = 2):
        super().__init__()
        if pack < 1:
            raise ValueError(f"PackSamples: pack must be >= 1, got {pack}")
        self.pack = int(pack)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[N, C, *spatial]`` -> ``[ceil(N / pack), pack * C, *spatial]``."""
        if self.pack == 1:
            return x
        n, c, *spatial = x.shape
        if n % self.pack:  # complete the last pack with the batch's first samples (cyclically)
            x = x[torch.arange(n + (-n % self.pack), device=x.device) % n]
        return x.reshape(-1, self.pack * c, *spatial)
