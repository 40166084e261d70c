"""StyleGAN2 networks (Karras et al. 2020, config F): mapping network, skip synthesis network
with weight-demodulated modulated convolutions and per-layer noise, and the residual
discriminator with minibatch standard deviation. Layers: :mod:`.stylegan2_layers`.

Channel plan: ``channels(res) = min(channel_base // res, channel_max)`` -- config F is
``channel_base=32768, channel_max=512`` (stylegan2-ada-pytorch's ``cfg=stylegan2``), giving
512 channels up to 64x64, 256 at 128, 128 at 256 ... 32 at 1024.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ganforge import MinibatchStd
from ganforge.errors import GanforgeError
from ganforge_images.nets.stylegan2_layers import (
    EqualizedConv2d,
    EqualizedLinear,
    bias_act,
    fir_filter,
    modulated_conv2d,
    upsample2d,
)

NOISE_MODES = ("random", "const", "none")


def channel_plan(resolution: int, channel_base: int, channel_max: int) -> dict[int, int]:
    """``{res: channels}`` for every resolution 4, 8, ..., ``resolution``."""
    log2 = int(math.log2(resolution)) if resolution > 0 else 0
    if resolution < 8 or 2**log2 != resolution:
        raise GanforgeError(f"data.size={resolution}: StyleGAN2 needs a power of two >= 8 (e.g. 32, 64, 256, 1024)")
    return {2**i: max(1, min(channel_base // 2**i, channel_max)) for i in range(2, log2 + 1)}


def normalize_2nd_moment(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Scale each row to unit mean square (the mapping network's input normalisation)."""
    return x * (x.square().mean(dim=1, keepdim=True) + eps).rsqrt()


class MappingNetwork(nn.Module):
    """z -> w: normalised z, ``layers`` equalised FC layers with lr multiplier 0.01, and the
    running mean ``w_avg`` (decay 0.995) that truncation pulls towards."""

    def __init__(self, z_dim: int, w_dim: int, num_ws: int, layers: int = 8, lr_mul: float = 0.01,
                 w_avg_beta: float = 0.995):
        super().__init__()
        self.z_dim, self.w_dim, self.num_ws, self.w_avg_beta = z_dim, w_dim, num_ws, w_avg_beta
        dims = [z_dim] + [w_dim] * layers
        self.fcs = nn.ModuleList(EqualizedLinear(a, b, lr_mul=lr_mul, act="lrelu") for a, b in zip(dims, dims[1:]))
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(self, z: torch.Tensor, truncation_psi: float = 1.0, update_w_avg: bool | None = None) -> torch.Tensor:
        """``[N, num_ws, w_dim]`` (the same w broadcast to every layer); ``truncation_psi < 1``
        interpolates towards ``w_avg``. ``w_avg`` is updated in training mode by default."""
        x = normalize_2nd_moment(z)
        for fc in self.fcs:
            x = fc(x)
        if update_w_avg if update_w_avg is not None else self.training:
            self.w_avg.copy_(x.detach().mean(dim=0).lerp(self.w_avg, self.w_avg_beta))
        x = x.unsqueeze(1).repeat(1, self.num_ws, 1)
        if truncation_psi != 1:
            x = self.w_avg.lerp(x, truncation_psi)
        return x


class SynthesisLayer(nn.Module):
    """Modulated 3x3 conv (optionally 2x up), per-pixel noise with a learned strength
    (initialised to 0), bias and leaky ReLU."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, up: int = 1):
        super().__init__()
        self.up, self.resolution = up, resolution
        self.affine = EqualizedLinear(w_dim, in_channels, bias_init=1.0)
        # no weight gain: demodulation normalises the weights anyway (as in the official code)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, 3, 3))
        self.noise_strength = nn.Parameter(torch.zeros([]))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.register_buffer("noise_const", torch.randn(resolution, resolution))
        self.register_buffer("resample_filter", fir_filter(), persistent=False)

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise_mode: str = "random") -> torch.Tensor:
        """One layer for the per-sample style vectors ``w`` ``[N, w_dim]``."""
        styles = self.affine(w)
        x = modulated_conv2d(x, self.weight, styles, demodulate=True, up=self.up, resample_filter=self.resample_filter)
        if noise_mode == "random":
            x = x + torch.randn(x.shape[0], 1, self.resolution, self.resolution, device=x.device, dtype=x.dtype) * self.noise_strength
        elif noise_mode == "const":
            x = x + self.noise_const * self.noise_strength
        return bias_act(x, self.bias, "lrelu")


class ToRGB(nn.Module):
    """Modulated 1x1 conv to image channels, without demodulation or activation."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int):
        super().__init__()
        self.affine = EqualizedLinear(w_dim, in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, 1, 1))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.weight_gain = 1.0 / math.sqrt(in_channels)

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """RGB contribution of feature map ``x`` under style ``w``."""
        styles = self.affine(w) * self.weight_gain
        return bias_act(modulated_conv2d(x, self.weight, styles, demodulate=False), self.bias, "linear")


class SynthesisBlock(nn.Module):
    """One resolution of the skip generator: (constant input at 4x4 |) conv0 (2x up), conv1,
    toRGB; the running image is upsampled with the FIR filter and the new RGB added."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, img_channels: int):
        super().__init__()
        self.resolution = resolution
        if resolution == 4:
            self.const = nn.Parameter(torch.randn(out_channels, 4, 4))
            self.conv0 = None
        else:
            self.conv0 = SynthesisLayer(in_channels, out_channels, w_dim, resolution, up=2)
        self.conv1 = SynthesisLayer(out_channels, out_channels, w_dim, resolution)
        self.torgb = ToRGB(out_channels, img_channels, w_dim)
        self.num_conv = 1 if resolution == 4 else 2
        self.register_buffer("resample_filter", fir_filter(), persistent=False)

    def forward(self, x, img, ws: torch.Tensor, noise_mode: str = "random"):
        """``ws``: ``[N, num_conv + 1, w_dim]`` (the last one is toRGB's, shared with the next block's first conv)."""
        if self.conv0 is None:
            x = self.const.unsqueeze(0).expand(ws.shape[0], -1, -1, -1)
            x = self.conv1(x, ws[:, 0], noise_mode)
        else:
            x = self.conv0(x, ws[:, 0], noise_mode)
            x = self.conv1(x, ws[:, 1], noise_mode)
        y = self.torgb(x, ws[:, self.num_conv])
        img = y if img is None else upsample2d(img, self.resample_filter) + y
        return x, img


class SynthesisNetwork(nn.Module):
    """ws ``[N, num_ws, w_dim]`` -> image, one :class:`SynthesisBlock` per resolution."""

    def __init__(self, w_dim: int, resolution: int, img_channels: int, channels: dict[int, int]):
        super().__init__()
        self.resolutions = sorted(channels)
        self.blocks = nn.ModuleList(
            SynthesisBlock(channels.get(res // 2, 0), channels[res], w_dim, res, img_channels) for res in self.resolutions
        )
        self.num_ws = sum(b.num_conv for b in self.blocks) + 1
        # layer index -> resolution, for the sampling tools (coarse/middle/fine styles)
        self.ws_resolution = [b.resolution for b in self.blocks for _ in range(b.num_conv)] + [self.resolutions[-1]]

    def forward(self, ws: torch.Tensor, noise_mode: str = "random") -> torch.Tensor:
        """The image for per-layer styles ``ws``."""
        if noise_mode not in NOISE_MODES:
            raise GanforgeError(f"noise={noise_mode!r}: expected one of {list(NOISE_MODES)}")
        x = img = None
        idx = 0
        for block in self.blocks:
            x, img = block(x, img, ws[:, idx : idx + block.num_conv + 1], noise_mode)
            idx += block.num_conv
        return img


def mix_styles(ws: torch.Tensor, ws2: torch.Tensor, cutoff: int) -> torch.Tensor:
    """Layers ``< cutoff`` from ``ws``, layers ``>= cutoff`` from ``ws2`` (style mixing)."""
    out = ws.clone()
    out[:, cutoff:] = ws2[:, cutoff:]
    return out


class StyleGAN2Generator(nn.Module):
    """Mapping + synthesis. ``forward(z)`` draws images; ``style_mixing`` (training) picks,
    with that probability, a crossover layer uniformly in ``[1, num_ws)`` for the batch and
    takes the later layers' styles from a second z (mixing regularisation)."""

    def __init__(self, z_dim: int, w_dim: int, resolution: int, img_channels: int, channel_base: int,
                 channel_max: int, mapping_layers: int = 8, mapping_lr_mul: float = 0.01):
        super().__init__()
        self.z_dim, self.w_dim, self.resolution, self.img_channels = z_dim, w_dim, resolution, img_channels
        self.channels = channel_plan(resolution, channel_base, channel_max)
        self.synthesis = SynthesisNetwork(w_dim, resolution, img_channels, self.channels)
        self.num_ws = self.synthesis.num_ws
        self.mapping = MappingNetwork(z_dim, w_dim, self.num_ws, mapping_layers, mapping_lr_mul)

    def styles(self, z: torch.Tensor, truncation_psi: float = 1.0, style_mixing: float = 0.0) -> torch.Tensor:
        """Per-layer styles ``[N, num_ws, w_dim]`` for ``z``, with optional mixing regularisation."""
        ws = self.mapping(z, truncation_psi)
        if style_mixing > 0 and torch.rand([]).item() < style_mixing:
            cutoff = int(torch.randint(1, self.num_ws, ()).item())
            ws = mix_styles(ws, self.mapping(torch.randn_like(z), truncation_psi, update_w_avg=False), cutoff)
        return ws

    def forward(self, z: torch.Tensor, truncation_psi: float = 1.0, noise_mode: str = "random",
                style_mixing: float = 0.0) -> torch.Tensor:
        """Images ``[N, C, R, R]`` (linear output, data range about [-1, 1])."""
        return self.synthesis(self.styles(z, truncation_psi, style_mixing), noise_mode)


class DiscriminatorBlock(nn.Module):
    """Residual block: (fromRGB at the top resolution,) conv0, conv1 with 2x down, and a 1x1
    downsampling skip; both paths are scaled by sqrt(0.5)."""

    def __init__(self, in_channels: int, tmp_channels: int, out_channels: int, img_channels: int):
        super().__init__()
        self.fromrgb = EqualizedConv2d(img_channels, tmp_channels, 1) if in_channels == 0 else None
        self.conv0 = EqualizedConv2d(tmp_channels, tmp_channels, 3)
        self.conv1 = EqualizedConv2d(tmp_channels, out_channels, 3, down=2, gain=math.sqrt(0.5))
        self.skip = EqualizedConv2d(tmp_channels, out_channels, 1, bias=False, act="linear", down=2, gain=math.sqrt(0.5))

    def forward(self, x: torch.Tensor | None, img: torch.Tensor) -> torch.Tensor:
        """Features at half the resolution."""
        if self.fromrgb is not None:
            x = self.fromrgb(img)
        return self.skip(x) + self.conv1(self.conv0(x))


class StyleGAN2Discriminator(nn.Module):
    """Residual discriminator: blocks from the image resolution down to 8x8, then minibatch
    stddev, a 3x3 conv, an FC layer and the output FC (one logit per image)."""

    def __init__(self, resolution: int, img_channels: int, channel_base: int, channel_max: int, mbstd_group: int = 4):
        super().__init__()
        channels = channel_plan(resolution, channel_base, channel_max)
        blocks = []
        for res in sorted(channels, reverse=True)[:-1]:
            in_ch = channels[res] if res < resolution else 0
            blocks.append(DiscriminatorBlock(in_ch, channels[res], channels[res // 2], img_channels))
        self.blocks = nn.ModuleList(blocks)
        c4 = channels[4]
        self.mbstd = MinibatchStd(mbstd_group, 1)
        self.conv = EqualizedConv2d(c4 + 1, c4, 3)
        self.fc = EqualizedLinear(c4 * 16, c4, act="lrelu")
        self.out = EqualizedLinear(c4, 1)

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        """Logits ``[N, 1]``."""
        x = None
        for block in self.blocks:
            x = block(x, img)
        x = self.conv(self.mbstd(x))
        return self.out(self.fc(x.flatten(1)))


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameter values (what stylegan2-ada-pytorch's summary prints)."""
    return int(np.sum([p.numel() for p in module.parameters()]))
