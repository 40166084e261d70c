"""ResNet generator of CycleGAN (after Johnson et al. 2016): downsample, residual blocks, upsample.

``c7s1-64, d128, d256, R256 x n_blocks, u128, u64, c7s1-out`` with reflection padding
and instance norm; CycleGAN uses 9 blocks at 256x256 and 6 at 128x128. Inputs whose
size is not a multiple of ``2**n_down`` are padded and the output cropped back.
"""

from __future__ import annotations

import torch
from torch import nn

from ganforge_images.nets.norms import norm_layer, uses_bias
from ganforge_images.nets.sizes import crop_to, pad_to_multiple


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions with reflection padding, added to the input."""

    def __init__(self, channels: int, norm: str = "instance", dropout: float = 0.0) -> None:
        super().__init__()
        bias = uses_bias(norm)
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3, bias=bias),
            norm_layer(norm, channels),
            nn.ReLU(True),
        ]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        layers += [nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3, bias=bias), norm_layer(norm, channels)]
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x + F(x)``."""
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    """Image-to-image ResNet generator; output has the input's height and width, values in ``[-1, 1]``."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        base: int = 64,
        n_blocks: int = 9,
        n_down: int = 2,
        norm: str = "instance",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.n_down = int(n_down)
        bias = uses_bias(norm)
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(in_channels, base, 7, bias=bias),
            norm_layer(norm, base),
            nn.ReLU(True),
        ]
        width = base
        for _ in range(self.n_down):
            layers += [nn.Conv2d(width, width * 2, 3, 2, 1, bias=bias), norm_layer(norm, width * 2), nn.ReLU(True)]
            width *= 2
        layers += [ResidualBlock(width, norm, dropout) for _ in range(n_blocks)]
        for _ in range(self.n_down):
            layers += [
                nn.ConvTranspose2d(width, width // 2, 3, 2, 1, output_padding=1, bias=bias),
                norm_layer(norm, width // 2),
                nn.ReLU(True),
            ]
            width //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, out_channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Translate ``x`` (same height and width out as in)."""
        x, size = pad_to_multiple(x, 2**self.n_down)
        return crop_to(self.net(x), size)
