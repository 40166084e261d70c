"""WGAN-GP networks: an upsampling generator for any ``start * 2**n`` size and a critic without BatchNorm.

The gradient penalty is defined per sample, and BatchNorm makes each critic output
depend on the whole batch, which invalidates it (Gulrajani et al. 2017, sec. 4). The
critic therefore uses layer normalisation (``GroupNorm`` with one group normalises each
sample over C, H, W) or no normalisation at all. The generator (BatchNorm is fine
there) starts from a 7x7 map for 28x28 images, as the paper's MNIST model does, or 4x4
for powers of two.
"""

from __future__ import annotations

import torch
from torch import nn

from ganforge.errors import choices_error
from ganforge_images.nets.sizes import downsampled_size, upsampling_plan

CRITIC_NORMS = ("layer", "none")


class UpsamplingGenerator(nn.Module):
    """``z [N, z_dim]`` -> images ``[N, channels, size, size]`` in ``[-1, 1]``.

    A linear projection to ``start x start`` (see :func:`upsampling_plan`) with
    ``base * 2**(n-1)`` channels, stride-2 transposed convolutions with BatchNorm + ReLU
    halving the channels, and a last transposed convolution to the image channels with
    tanh -- the DCGAN channel plan, for sizes that are not powers of two as well.
    """

    def __init__(self, z_dim: int, channels: int, image_size: int, base: int = 64, max_channels: int = 512) -> None:
        super().__init__()
        self.z_dim = z_dim
        start, n_up = upsampling_plan(image_size)
        width = min(base * 2 ** max(n_up - 1, 0), max_channels)
        layers: list[nn.Module] = [
            nn.Linear(z_dim, width * start * start, bias=False),
            nn.Unflatten(1, (width, start, start)),
            nn.BatchNorm2d(width),
            nn.ReLU(True),
        ]
        for _ in range(n_up - 1):
            out = max(width // 2, 1)
            layers += [nn.ConvTranspose2d(width, out, 4, 2, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU(True)]
            width = out
        if n_up > 0:
            layers.append(nn.ConvTranspose2d(width, channels, 4, 2, 1))
        else:
            layers.append(nn.Conv2d(width, channels, 3, 1, 1))
        layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Images for latent vectors ``z``."""
        return self.net(z.reshape(z.shape[0], -1))


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
