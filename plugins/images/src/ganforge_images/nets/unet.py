"""U-Net generator of pix2pix (Isola et al. 2017): encoder-decoder with skip connections.

Encoder stage i halves the size (4x4 stride-2 conv); decoder stage i doubles it and
concatenates encoder stage i's output, so low-level structure (edges) passes straight
through. Dropout in the innermost decoder stages is pix2pix's source of noise.
Inputs whose size is not a multiple of ``2**depth`` are padded and the output cropped,
so the output always has the input's height and width.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ganforge_images.nets.norms import norm_layer, uses_bias
from ganforge_images.nets.sizes import crop_to, pad_to_multiple


def default_unet_depth(image_size: int, max_depth: int = 8) -> int:
    """Number of down stages that bring ``image_size`` to about 1-2 pixels (8 for 256)."""
    return max(1, min(max_depth, int(math.floor(math.log2(max(2, int(image_size)))))))


class UNetGenerator(nn.Module):
    """Image-to-image U-Net; ``[N, in_channels, H, W] -> [N, out_channels, H, W]`` in ``[-1, 1]``.

    Args:
        depth: number of stride-2 stages (pix2pix uses 8 for 256x256).
        base: channels of the first stage (doubled per stage up to ``max_channels``).
        dropout: dropout probability in the ``n_dropout`` innermost decoder stages.
        norm: ``batch`` (pix2pix), ``instance`` or ``none``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        depth: int = 8,
        base: int = 64,
        max_channels: int = 512,
        dropout: float = 0.5,
        n_dropout: int = 3,
        norm: str = "batch",
    ) -> None:
        super().__init__()
        self.depth = int(depth)
        widths = [min(base * 2**i, max_channels) for i in range(self.depth)]
        bias = uses_bias(norm)
        self.down = nn.ModuleList()
        for i, width in enumerate(widths):
            if i == 0:
                self.down.append(nn.Conv2d(in_channels, width, 4, 2, 1))
                continue
            innermost = i == self.depth - 1
            self.down.append(
                nn.Sequential(
                    nn.LeakyReLU(0.2),
                    nn.Conv2d(widths[i - 1], width, 4, 2, 1, bias=bias or innermost),
                    # no norm at the 1x1 bottleneck: batch statistics of one pixel are degenerate
                    nn.Identity() if innermost else norm_layer(norm, width),
                )
            )
        self.up = nn.ModuleList()
        for i in range(self.depth):
            c_in = widths[i] if i == self.depth - 1 else 2 * widths[i]
            if i == 0:
                self.up.append(nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(c_in, out_channels, 4, 2, 1), nn.Tanh()))
                continue
            c_out = widths[i - 1]
            stage: list[nn.Module] = [
                nn.ReLU(),
                nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=bias),
                norm_layer(norm, c_out),
            ]
            if dropout > 0 and i >= self.depth - n_dropout:
                stage.append(nn.Dropout(dropout))
            self.up.append(nn.Sequential(*stage))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Translate ``x``; output has the same height and width as ``x``."""
        x, size = pad_to_multiple(x, 2**self.depth)
        skips = []
        h = x
        for stage in self.down:
            h = stage(h)
            skips.append(h)
        h = self.up[-1](skips[-1])
        for i in range(self.depth - 2, -1, -1):
            h = self.up[i](torch.cat([h, skips[i]], dim=1))
        return crop_to(h, size)
