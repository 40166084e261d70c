"""PatchGAN discriminator (pix2pix/CycleGAN): classifies overlapping patches as real/fake.

With ``n_layers=3`` each output logit sees a 70x70 input patch, the configuration of
both papers. The output is a logit map ``[N, 1, h, w]``; ganforge's losses average over
all elements, so the map is used as is.
"""

from __future__ import annotations

import torch
from torch import nn

from ganforge.errors import GanforgeError
from ganforge_images.nets.norms import norm_layer, uses_bias
from ganforge_images.nets.sizes import downsampled_size


def patchgan_output_size(image_size: int, n_layers: int) -> int:
    """Height/width of the logit map for a square input of ``image_size``."""
    size = int(image_size)
    for _ in range(n_layers):
        size = downsampled_size(size, 4, 2, 1)
    for _ in range(2):
        size = downsampled_size(size, 4, 1, 1)
    return size


def patchgan_receptive_field(n_layers: int) -> int:
    """Input patch size seen by one output logit (70 for ``n_layers=3``)."""
    field = 1
    for stride in [1, 1] + [2] * n_layers:  # walk back from the output
        field = (field - 1) * stride + 4
    return field


class PatchGANDiscriminator(nn.Module):
    """Fully convolutional patch discriminator.

    Args:
        in_channels: channels of the judged input (pix2pix: source + target channels).
        base: channels of the first layer.
        n_layers: stride-2 layers (3 gives the 70x70 PatchGAN).
        norm: ``batch`` (pix2pix), ``instance`` (CycleGAN) or ``none``.
        image_size: if given, checked so the logit map is not empty.
    """

    def __init__(
        self,
        in_channels: int,
        base: int = 64,
        n_layers: int = 3,
        norm: str = "batch",
        max_channels: int = 512,
        image_size: int | None = None,
    ) -> None:
        super().__init__()
        if int(n_layers) < 1:
            raise GanforgeError(f"model.d_layers={n_layers}: expected at least 1 PatchGAN layer")
        if image_size is not None and patchgan_output_size(image_size, n_layers) < 1:
            raise GanforgeError(
                f"model.d_layers={n_layers}: too many PatchGAN layers for {image_size}x{image_size} images; "
                "use fewer layers or larger images"
            )
        bias = uses_bias(norm)
        layers: list[nn.Module] = [nn.Conv2d(in_channels, base, 4, 2, 1), nn.LeakyReLU(0.2)]
        width = base
        for i in range(1, n_layers + 1):
            stride = 2 if i < n_layers else 1
            out = min(base * 2**i, max_channels)
            layers += [nn.Conv2d(width, out, 4, stride, 1, bias=bias), norm_layer(norm, out), nn.LeakyReLU(0.2)]
            width = out
        layers.append(nn.Conv2d(width, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Patch logits ``[N, 1, h, w]``."""
        return self.net(x)
