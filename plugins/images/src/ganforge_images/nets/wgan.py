"""WGAN-GP critic: a DCGAN-style convolutional critic without BatchNorm.

The gradient penalty is defined per sample, and BatchNorm makes each output depend on
the whole batch, which invalidates it (Gulrajani et al. 2017, sec. 4). The critic
therefore uses layer normalisation (``GroupNorm`` with one group normalises each sample
over C, H, W) or no normalisation at all.
"""

from __future__ import annotations

import torch
from torch import nn

from ganforge.errors import choices_error
from ganforge_images.nets.sizes import downsampled_size

CRITIC_NORMS = ("layer", "none")


class WGANCritic(nn.Module):
    """Strided-convolution critic returning one unbounded score per image, shape ``[N]``.

    Args:
        channels: image channels.
        image_size: image height/width.
        base: channels of the first convolution (doubled per stage, capped at ``max_channels``).
        norm: ``"layer"`` (per-sample layer norm) or ``"none"``; never BatchNorm.
    """

    def __init__(
        self, channels: int, image_size: int, base: int = 64, max_channels: int = 512, norm: str = "layer"
    ) -> None:
        super().__init__()
        if norm not in CRITIC_NORMS:
            raise choices_error("critic norm", norm, CRITIC_NORMS, where="model.critic_norm")
        layers: list[nn.Module] = []
        size, c_in, c_out, first = int(image_size), channels, base, True
        while size > 4 or first:
            layers.append(nn.Conv2d(c_in, c_out, 4, 2, 1))
            if norm == "layer" and not first:
                layers.append(nn.GroupNorm(1, c_out))
            layers.append(nn.LeakyReLU(0.2))
            size, c_in, c_out, first = downsampled_size(size), c_out, min(c_out * 2, max_channels), False
        self.features = nn.Sequential(*layers)
        self.score = nn.Linear(c_in * size * size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Critic scores, one per image (shape ``[N]``)."""
        return self.score(self.features(x).flatten(1)).squeeze(1)
