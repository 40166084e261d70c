"""SpecGAN networks: a 2-D DCGAN (kernel 5, stride 2) over 128-bin log spectrograms.

The paper's 16384-sample window gives 128 x 128 images: ``z -> dense -> [16d, 4, 4] ->
five stride-2 transposed convs (16d -> 8d -> 4d -> 2d -> d -> 1) -> tanh``; the
discriminator mirrors it with LeakyReLU 0.2 and a dense output. Other windows keep the
128 frequency rows and change the number of frames (``window / 128``, a multiple of 32),
so the dense layer starts from ``[4, frames / 32]``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganforge.errors import GanforgeError

KERNEL = 5
N_LAYERS = 5


def start_shape(bins: int, frames: int) -> tuple[int, int]:
    """Spatial size of the first feature map so five stride-2 layers reach ``bins x frames``."""
    scale = 2**N_LAYERS
    if bins % scale or frames % scale:
        raise GanforgeError(
            f"SpecGAN: spectrogram {bins}x{frames} must be a multiple of {scale} on both axes "
            f"(data.window a multiple of {scale * 128} samples with hop 128)"
        )
    return bins // scale, frames // scale


class SpecGANGenerator(nn.Module):
    """Latent vector -> normalised spectrogram ``[B, 1, bins, frames]`` in (-1, 1)."""

    def __init__(self, latent_dim: int = 100, d: int = 64, bins: int = 128, frames: int = 128,
                 channels: int = 1, batchnorm: bool = False):
        super().__init__()
        self.latent_dim = latent_dim
        self.h0, self.w0 = start_shape(bins, frames)
        self.c0 = 16 * d
        self.project = nn.Linear(latent_dim, self.c0 * self.h0 * self.w0)
        self.project_norm = nn.BatchNorm2d(self.c0) if batchnorm else nn.Identity()
        layers: list[nn.Module] = []
        in_ch = self.c0
        for i in range(N_LAYERS):
            last = i == N_LAYERS - 1
            out_ch = channels if last else in_ch // 2
            layers.append(nn.ConvTranspose2d(in_ch, out_ch, KERNEL, 2, padding=2, output_padding=1))
            if not last:
                if batchnorm:
                    layers.append(nn.BatchNorm2d(out_ch))
                layers.append(nn.ReLU())
            in_ch = out_ch
        layers.append(nn.Tanh())
        self.body = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``z [B, latent_dim] -> [B, channels, bins, frames]``."""
        x = self.project(z).view(z.shape[0], self.c0, self.h0, self.w0)
        return self.body(F.relu(self.project_norm(x)))


class SpecGANDiscriminator(nn.Module):
    """Normalised spectrogram ``[B, 1, bins, frames]`` -> logit ``[B, 1]``."""

    def __init__(self, d: int = 64, bins: int = 128, frames: int = 128, channels: int = 1,
                 batchnorm: bool = False):
        super().__init__()
        self.bins, self.frames, self.channels = bins, frames, channels
        h0, w0 = start_shape(bins, frames)
        layers: list[nn.Module] = []
        in_ch = channels
        for i in range(N_LAYERS):
            out_ch = d * 2**i
            layers.append(nn.Conv2d(in_ch, out_ch, KERNEL, 2, padding=2))
            if batchnorm and i > 0:
                layers.append(nn.BatchNorm2d(out_ch))
            layers.append(nn.LeakyReLU(0.2))
            in_ch = out_ch
        self.body = nn.Sequential(*layers)
        self.out = nn.Linear(in_ch * h0 * w0, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x [B, channels, bins, frames] -> [B, 1]``."""
        if tuple(x.shape[1:]) != (self.channels, self.bins, self.frames):
            raise GanforgeError(
                f"SpecGAN discriminator: expected input [B, {self.channels}, {self.bins}, {self.frames}], "
                f"got {list(x.shape)}"
            )
        return self.out(self.body(x).flatten(1))
