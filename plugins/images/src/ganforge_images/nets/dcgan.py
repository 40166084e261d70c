"""DCGAN networks (Radford et al., 2016) with depth derived from the image size."""

from __future__ import annotations

import math

import torch
from torch import nn

from ganforge.errors import GanforgeError


def num_resolution_steps(size: int) -> int:
    """Number of x2 (de)convolutions between 4x4 and ``size`` (a power of two >= 8)."""
    steps = math.log2(size / 4) if size >= 8 else -1
    if steps < 1 or steps != int(steps):
        raise GanforgeError(f"data.size={size}: DCGAN needs a power of two >= 8 (e.g. 16, 32, 64, 128)")
    return int(steps)


def init_dcgan_weights(module: nn.Module) -> None:
    """The paper's initialisation: conv weights N(0, 0.02), norm scales N(1, 0.02), biases 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm2d, nn.InstanceNorm2d, nn.LayerNorm)) and module.weight is not None:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGANGenerator(nn.Module):
    """z ``[N, latent_dim]`` -> image ``[N, channels, size, size]`` in [-1, 1].

    A 4x4 projection by transposed convolution, then stride-2 transposed convolutions
    with BatchNorm + ReLU halving the width each time, tanh output.
    """

    def __init__(self, latent_dim: int, channels: int, size: int, width: int = 64):
        super().__init__()
        steps = num_resolution_steps(size)
        ch = width * 2 ** (steps - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(latent_dim, ch, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ch),
            nn.ReLU(True),
        ]
        for _ in range(steps - 1):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch // 2), nn.ReLU(True)]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.latent_dim = latent_dim
        self.apply(init_dcgan_weights)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Generate images from latent vectors."""
        return self.net(z.reshape(z.shape[0], -1, 1, 1))


class DCGANDiscriminator(nn.Module):
    """image -> one logit per image. Stride-2 convolutions with LeakyReLU(0.2);
    BatchNorm on all but the first layer unless ``norm`` is ``none`` (WGAN-GP critics
    must not use BatchNorm) or ``layer``/``instance``."""

    def __init__(self, channels: int, size: int, width: int = 64, norm: str = "batch"):
        super().__init__()
        steps = num_resolution_steps(size)
        norms = {
            "batch": lambda c, s: nn.BatchNorm2d(c),
            "instance": lambda c, s: nn.InstanceNorm2d(c, affine=True),
            "layer": lambda c, s: nn.LayerNorm([c, s, s]),
            "none": lambda c, s: nn.Identity(),
        }
        if norm not in norms:
            raise GanforgeError(f"model.d_norm={norm!r}: expected one of {sorted(norms)}")
        ch, res = width, size // 2
        layers: list[nn.Module] = [nn.Conv2d(channels, ch, 4, 2, 1, bias=norm == "none"), nn.LeakyReLU(0.2, True)]
        for _ in range(steps - 1):
            res //= 2
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=norm == "none"), norms[norm](ch * 2, res), nn.LeakyReLU(0.2, True)]
            ch *= 2
        self.features = nn.Sequential(*layers)
        self.head = nn.Conv2d(ch, 1, 4, 1, 0)
        self.feature_channels = ch
        self.apply(init_dcgan_weights)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``[N]``."""
        return self.head(self.features(x)).reshape(x.shape[0])
