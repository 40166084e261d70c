"""StyleGAN2 building blocks in plain PyTorch (Karras et al. 2020, config F): equalised
learning rate layers, FIR up/down-sampling and the weight-demodulated modulated convolution.

Why hand-written: torchvision and the field's libraries have no equalised-lr layers, no
upfirdn2d and no modulated convolution; NVlabs' versions are custom CUDA ops. Everything
here is ``conv2d``/``conv_transpose2d`` with a fixed ``[1, 3, 3, 1]`` filter, so it runs on
a CPU and differentiates twice (R1 and path-length regularisation need that).

Equalised learning rate: weights are stored as N(0, 1/lr_mul^2) and scaled at run time
by ``lr_mul / sqrt(fan_in)`` (biases by ``lr_mul``), so Adam's per-parameter step is the
same for every layer and ``lr_mul`` (0.01 in the mapping network) slows a layer down.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

LRELU_GAIN = math.sqrt(2.0)  # keeps the activations' second moment through leaky ReLU(0.2)


def fir_filter(taps=(1.0, 3.0, 3.0, 1.0)) -> torch.Tensor:
    """The separable 2-D low-pass filter ``outer(taps, taps)`` normalised to sum 1."""
    f = torch.tensor(taps, dtype=torch.float32)
    f = torch.outer(f, f)
    return f / f.sum()


def fir(x: torch.Tensor, f: torch.Tensor, pad: tuple[int, int], gain: float = 1.0, stride: int = 1) -> torch.Tensor:
    """Depthwise FIR filtering of ``x`` with zero padding ``(before, after)`` on both axes."""
    c = x.shape[1]
    x = F.pad(x, [pad[0], pad[1], pad[0], pad[1]])
    weight = (f * gain).to(x.dtype)[None, None].expand(c, 1, *f.shape)
    return F.conv2d(x, weight, stride=stride, groups=c)


def upsample2d(x: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    """2x upsampling: zero insertion, then the FIR filter with gain 4 (the upfirdn2d recipe)."""
    n, c, h, w = x.shape
    up = x.new_zeros(n, c, h * 2, w * 2)
    up[:, :, ::2, ::2] = x
    fw = f.shape[-1]
    return fir(up, f, ((fw + 1) // 2, (fw - 2) // 2), gain=4.0)


def downsample2d(x: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    """2x downsampling: the FIR filter, then keep every second sample."""
    fw = f.shape[-1]
    return fir(x, f, ((fw - 1) // 2, (fw - 2) // 2), stride=2)


def bias_act(x: torch.Tensor, bias: torch.Tensor | None, act: str, gain: float = 1.0) -> torch.Tensor:
    """Add a per-channel bias, apply ``lrelu`` (slope 0.2, gain sqrt 2) or ``linear``, scale by ``gain``."""
    if bias is not None:
        x = x + bias.reshape(1, -1, *([1] * (x.dim() - 2)))
    if act == "lrelu":
        return F.leaky_relu(x, 0.2) * (LRELU_GAIN * gain)
    return x * gain if gain != 1.0 else x


class EqualizedLinear(nn.Module):
    """Fully connected layer with equalised learning rate (and an lr multiplier)."""

    def __init__(self, in_features: int, out_features: int, bias_init: float = 0.0, lr_mul: float = 1.0,
                 act: str = "linear"):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init)))
        self.weight_gain = lr_mul / math.sqrt(in_features)
        self.bias_gain = lr_mul
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``act(x @ (W * gain)^T + b * lr_mul)``."""
        x = F.linear(x, self.weight * self.weight_gain)
        return bias_act(x, self.bias * self.bias_gain, self.act)


class EqualizedConv2d(nn.Module):
    """Convolution with equalised learning rate; ``down=2`` filters (FIR) before a stride-2 conv.

    Used by the discriminator (``fromRGB``, the block convolutions and the 1x1 skips).
    ``gain`` scales the output after the activation (``sqrt(0.5)`` on the residual paths).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel: int, bias: bool = True, act: str = "lrelu",
                 down: int = 1, gain: float = 1.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.weight_gain = 1.0 / math.sqrt(in_channels * kernel * kernel)
        self.act, self.down, self.gain, self.kernel = act, down, gain, kernel
        self.register_buffer("resample_filter", fir_filter(), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Convolve (downsampling first when ``down=2``), add bias, activate."""
        w = self.weight * self.weight_gain
        if self.down == 2 and self.kernel == 1:
            x = F.conv2d(downsample2d(x, self.resample_filter), w)
        elif self.down == 2:
            # blur with padding 2 (size H+1), then a VALID stride-2 convolution: H/2
            fw = self.resample_filter.shape[-1]
            pad = (fw - 2 + 1) // 2 + self.kernel // 2
            x = F.conv2d(fir(x, self.resample_filter, (pad, pad)), w, stride=2)
        else:
            x = F.conv2d(x, w, padding=self.kernel // 2)
        return bias_act(x, self.bias, self.act, self.gain)


def modulated_conv2d(x: torch.Tensor, weight: torch.Tensor, styles: torch.Tensor, demodulate: bool = True,
                     up: int = 1, resample_filter: torch.Tensor | None = None) -> torch.Tensor:
    """StyleGAN2's modulated convolution: scale input channels by ``styles``, convolve, and
    (``demodulate``) divide each output channel by the L2 norm of its modulated weights,
    which restores unit output variance for unit-variance inputs (the paper's Eq. 1-3).

    Computed as "scale inputs, shared conv, scale outputs" (mathematically identical to
    per-sample weights and one grouped conv, and much faster on a CPU). ``up=2`` is a
    stride-2 transposed convolution followed by the FIR filter, as in the official code.
    """
    n, in_ch = styles.shape
    out_ch, _, kh, kw = weight.shape
    x = x * styles.reshape(n, in_ch, 1, 1)
    if up == 2:
        x = F.conv_transpose2d(x, weight.transpose(0, 1), stride=2)  # [N, out, 2H+1, 2W+1]
        x = fir(x, resample_filter, (1, 1), gain=4.0)  # -> [N, out, 2H, 2W]
    else:
        x = F.conv2d(x, weight, padding=kh // 2)
    if demodulate:
        x = x * demodulation(weight, styles).reshape(n, out_ch, 1, 1)
    return x


#: compute the demodulation coefficients with one matmul (False: the official code's
#: [N, out, in, kh, kw] product, kept for the benchmark that compares the two)
DEMOD_BY_MATMUL = True


def demodulation(weight: torch.Tensor, styles: torch.Tensor) -> torch.Tensor:
    """``1 / ||w'||`` per sample and output channel, ``w' = weight * style`` (Eq. 3), as ``[N, out]``.

    sum over (in, kh, kw) of (weight * s_in)^2 = sum over in of s_in^2 * (sum over kh, kw of
    weight^2): one ``[N, in] @ [in, out]`` product instead of materialising the modulated
    weights ``[N, out, in, kh, kw]`` (75M floats per 512-channel layer at batch 32) as the
    official code does -- the same value, a fraction of the memory traffic.
    """
    if DEMOD_BY_MATMUL:
        return (styles.square() @ weight.square().sum(dim=[2, 3]).t() + 1e-8).rsqrt()
    n, in_ch = styles.shape
    w = weight.unsqueeze(0) * styles.reshape(n, 1, in_ch, 1, 1)  # [N, out, in, kh, kw]
    return (w.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt()
