"""WaveGAN generator and discriminator (Donahue, McAuley & Puckette, ICLR 2019).

Generator: ``z ~ U(-1, 1)^100 -> dense -> [16 x C0] -> 1-D upsampling convs (kernel 25)
-> tanh``. For the paper's 16384-sample window that is five stride-4 layers with
channels 16d, 8d, 4d, 2d, d -> 1; 32768 and 65536 add a sixth layer of stride 2 or 4
(and start from 32d). Smaller windows (``16 * 4**k``, e.g. the 4096-sample CPU profile)
drop layers from the top, keeping the channel schedule ``d * 2**i`` counted from the
output.

Discriminator: the mirror image with strided 1-D convs (kernel 25), LeakyReLU 0.2 and
phase shuffle after each of the first four layers (never after the last), then a dense
layer to one logit.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganforge import MinibatchStd, PackSamples
from ganforge.errors import GanforgeError, choices_error

KERNEL = 25
UPSAMPLE_MODES = ("transpose", "nearest")
PAPER_WINDOWS = (16384, 32768, 65536)


def layer_strides(window: int) -> list[int]:
    """Strides of the generator's upsampling layers (input side first) for ``window``.

    The dense layer produces 16 time steps; 16384 = 16 * 4**5 (five stride-4 layers),
    32768 = 16 * 4**5 * 2 and 65536 = 16 * 4**6, as in the paper's released code.
    """
    strides: list[int] = []
    length = 16
    while length * 4 <= window:
        length *= 4
        strides.append(4)
    if length * 2 == window:
        strides.append(2)
        length *= 2
    if length != window or len(strides) < 2:
        raise GanforgeError(
            f"data.window={window}: WaveGAN needs 16 * 4**k samples (k >= 2) or twice that, "
            f"e.g. 1024, 4096, 16384, 32768, 65536"
        )
    return strides


def _transpose_padding(stride: int) -> tuple[int, int]:
    # Chosen so that a kernel-25 transposed conv maps length L to exactly stride * L
    # ("same" padding of the reference TensorFlow code).
    output_padding = (KERNEL - stride) % 2
    return (KERNEL - stride + output_padding) // 2, output_padding


class Upsample1d(nn.Module):
    """Upsample by ``stride`` with a kernel-25 conv: transposed conv or nearest + conv."""

    def __init__(self, in_ch: int, out_ch: int, stride: int, mode: str = "transpose"):
        super().__init__()
        if mode not in UPSAMPLE_MODES:
            raise choices_error("upsampling", mode, UPSAMPLE_MODES, where="model.upsample")
        self.mode = mode
        self.stride = stride
        if mode == "transpose":
            pad, out_pad = _transpose_padding(stride)
            self.conv = nn.ConvTranspose1d(in_ch, out_ch, KERNEL, stride, padding=pad, output_padding=out_pad)
        else:
            self.conv = nn.Conv1d(in_ch, out_ch, KERNEL, 1, padding=KERNEL // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, in_ch, L] -> [B, out_ch, stride * L]``."""
        if self.mode == "nearest":
            x = F.interpolate(x, scale_factor=self.stride, mode="nearest")
        return self.conv(x)


class PostProcessFilter(nn.Module):
    """Learned FIR filter (one long kernel, no bias) applied to the generator output.

    The paper proposes it to let G remove the periodic artifacts of transposed
    convolutions; its length (512 in the paper) keeps the output length ("same" padding,
    the extra sample of an even kernel going to the right as in TensorFlow).
    """

    def __init__(self, channels: int, length: int = 512):
        super().__init__()
        self.length = length
        self.conv = nn.Conv1d(channels, channels, length, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Filter ``x`` (``[B, C, L]``) keeping its length."""
        return self.conv(F.pad(x, ((self.length - 1) // 2, self.length // 2)))


class WaveGANGenerator(nn.Module):
    """WaveGAN generator: latent vector -> waveform ``[B, channels, window]`` in (-1, 1).

    Args:
        latent_dim: size of z (100 in the paper).
        d: model width (64 in the paper).
        window: output length in samples (16384, 32768, 65536, or 16 * 4**k).
        channels: audio channels (1 = mono).
        upsample: ``transpose`` (paper default) or ``nearest`` (nearest neighbour + conv).
        upsample_last: the output layer's upsampling, ``None`` for ``upsample``. Nearest
            neighbour's sample-and-hold attenuates the images of the layer below (by 13 dB
            and more in the top half of the output band), which is where bright sounds such
            as hi-hats live; a transposed last layer passes them at full strength.
        post_filter: length of the post-processing filter, 0 to disable.
        batchnorm: batch normalisation after the dense and upsampling layers (off for WGAN-GP).
    """

    def __init__(
        self,
        latent_dim: int = 100,
        d: int = 64,
        window: int = 16384,
        channels: int = 1,
        upsample: str = "transpose",
        post_filter: int = 0,
        batchnorm: bool = False,
        upsample_last: str | None = None,
    ):
        super().__init__()
        self.latent_dim, self.window, self.channels = latent_dim, window, channels
        strides = layer_strides(window)
        n = len(strides)
        # Channels from the output backwards are d, 2d, 4d ...: input of layer i.
        in_channels = [d * 2 ** (n - 1 - i) for i in range(n)]
        self.start_channels = in_channels[0]
        self.project = nn.Linear(latent_dim, 16 * in_channels[0])
        self.project_norm = nn.BatchNorm1d(in_channels[0]) if batchnorm else nn.Identity()
        layers: list[nn.Module] = []
        for i, stride in enumerate(strides):
            last = i == n - 1
            out_ch = channels if last else in_channels[i + 1]
            mode = upsample_last if last and upsample_last is not None else upsample
            layers.append(Upsample1d(in_channels[i], out_ch, stride, mode))
            if not last:
                if batchnorm:
                    layers.append(nn.BatchNorm1d(out_ch))
                layers.append(nn.ReLU())
        layers.append(nn.Tanh())
        self.body = nn.Sequential(*layers)
        self.post_filter = PostProcessFilter(channels, post_filter) if post_filter else None

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``z [B, latent_dim] -> [B, channels, window]``."""
        x = self.project(z).view(z.shape[0], self.start_channels, 16)
        x = F.relu(self.project_norm(x))
        x = self.body(x)
        if self.post_filter is not None:
            x = self.post_filter(x)
        return x


class PhaseShuffle(nn.Module):
    """Shift each example's activations by a random ``k`` in ``[-n, n]`` samples.

    The vacated border is filled by reflection, so the output keeps the input's shape.
    Shifts are drawn per example (the reference code draws one per batch) and only in
    training mode; in eval mode this is the identity.
    """

    def __init__(self, n: int = 2):
        super().__init__()
        self.n = int(n)

    def forward(self, x: torch.Tensor, shifts: torch.Tensor | None = None) -> torch.Tensor:
        """Shift ``x [B, C, L]``; ``shifts`` (``[B]`` ints) overrides the random draw."""
        if self.n == 0 or (shifts is None and not self.training):
            return x
        b, c, length = x.shape
        if shifts is None:
            shifts = torch.randint(-self.n, self.n + 1, (b,), device=x.device)
        padded = F.pad(x, (self.n, self.n), mode="reflect")
        # Output position t reads padded[t + n - k]: content moves right by k samples.
        index = torch.arange(length, device=x.device).unsqueeze(0) + self.n - shifts.view(-1, 1)
        return padded.gather(2, index.unsqueeze(1).expand(b, c, length))


class SpectralCritic(nn.Module):
    """A second critic head on the clip's log power spectrogram (not in the paper).

    The waveform critic's kernel-25 strided convolutions see a quiet burst near Nyquist
    (an 8 kHz hi-hat, 38 dB below a kick) barely; on a log spectrogram it is as plain as a
    kick. ``log10(|STFT|^2 + 1e-5)`` (Hann window ``n_fft``, hop ``n_fft / 4``, computed in
    float32 outside autocast: ``torch.stft`` has no bf16 kernel) feeds four stride-2 3x3
    convolutions (widths ``w, 2w, 4w, 8w`` with ``w = max(8, d // 4)``, LeakyReLU 0.2, no
    normalisation, as a WGAN-GP critic wants) and a dense layer to one value, which the
    discriminator adds to the waveform critic's. ``torch.stft`` is differentiable twice, so the gradient penalty
    covers this head too. The quarter width keeps its cost a small share of the waveform
    critic's.
    """

    FLOOR = 1e-5

    def __init__(self, n_fft: int, d: int, window: int, channels: int = 1):
        super().__init__()
        if n_fft < 16 or n_fft > window // 4:
            raise GanforgeError(
                f"model.spec_critic={n_fft}: expected 0 (off) or an FFT size from 16 to data.window/4 = {window // 4}"
            )
        self.n_fft, self.hop = n_fft, n_fft // 4
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)
        layers: list[nn.Module] = []
        in_ch, size = channels, [n_fft // 2 + 1, window // self.hop + 1]
        width = max(8, d // 4)
        for i in range(4):
            out_ch = width * 2**i
            layers += [nn.Conv2d(in_ch, out_ch, 3, 2, padding=1), nn.LeakyReLU(0.2)]
            in_ch, size = out_ch, [(s - 1) // 2 + 1 for s in size]
        self.body = nn.Sequential(*layers)
        self.out = nn.Linear(in_ch * size[0] * size[1], 1)

    def spectrogram(self, x: torch.Tensor) -> torch.Tensor:
        """``x [B, C, L] -> log10 power [B, C, n_fft/2 + 1, L/hop + 1]`` in float32."""
        b, c, length = x.shape
        with torch.autocast(device_type=x.device.type, enabled=False):
            spec = torch.stft(x.float().reshape(b * c, length), self.n_fft, self.hop, window=self.window,
                              return_complex=True)
            power = spec.real.square() + spec.imag.square()
            return torch.log10(power + self.FLOOR).view(b, c, *power.shape[1:])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x [B, C, L] -> [B, 1]``."""
        return self.out(self.body(self.spectrogram(x)).flatten(1))


class WaveGANDiscriminator(nn.Module):
    """WaveGAN discriminator: waveform ``[B, channels, window]`` -> logit ``[B, 1]``.

    Args mirror :class:`WaveGANGenerator`; ``phase_shuffle`` is the radius n (2 in the
    paper, 0 disables it); ``mbstd_group`` > 0 appends a minibatch standard deviation
    feature (groups of that many clips) before the dense layer, which the paper does not
    have: it lets the critic see a batch that lacks a kind of sound (0 disables it);
    ``spec_critic`` > 0 adds a :class:`SpectralCritic` with that FFT size, whose value is
    added to the waveform critic's (not in the paper either; 0 disables it); ``pack`` > 1
    makes it a PacGAN critic (:class:`ganforge.PackSamples`): it scores groups of that many
    clips stacked along the channel axis, one score per group (not in the paper; 1 = off).
    """

    def __init__(
        self,
        d: int = 64,
        window: int = 16384,
        channels: int = 1,
        phase_shuffle: int = 2,
        batchnorm: bool = False,
        mbstd_group: int = 0,
        spec_critic: int = 0,
        pack: int = 1,
    ):
        super().__init__()
        self.window, self.channels = window, channels
        if pack < 1:
            raise GanforgeError(f"model.pack={pack}: expected 1 (off) or the number of clips the critic judges together (2 or more)")
        self.packing = PackSamples(pack)
        if mbstd_group == 1:
            raise GanforgeError("model.mbstd_group=1: expected 0 (off) or a group size of 2 or more")
        # Same order as the generator's list: the reference code's extra stride-2 layer for
        # 32768 samples is the deepest one (8192 -> ... -> 32 -> 16).
        strides = layer_strides(window)
        n = len(strides)
        layers: list[nn.Module] = []
        in_ch = channels * pack
        for i, stride in enumerate(strides):
            out_ch = d * 2**i
            layers.append(nn.Conv1d(in_ch, out_ch, KERNEL, stride, padding=KERNEL // 2))
            if batchnorm and i > 0:
                layers.append(nn.BatchNorm1d(out_ch))
            layers.append(nn.LeakyReLU(0.2))
            if i < min(4, n - 1) and phase_shuffle:
                layers.append(PhaseShuffle(phase_shuffle))
            in_ch = out_ch
        self.body = nn.Sequential(*layers)
        self.mbstd = MinibatchStd(mbstd_group) if mbstd_group else None
        self.out = nn.Linear(16 * (in_ch + (self.mbstd is not None)), 1)
        self.spectral = SpectralCritic(spec_critic, d, window, channels * pack) if spec_critic else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x [B, channels, window] -> [ceil(B / pack), 1]``."""
        if x.shape[-1] != self.window or x.shape[1] != self.channels:
            raise GanforgeError(
                f"WaveGAN discriminator: expected input [B, {self.channels}, {self.window}], got {list(x.shape)}"
            )
        x = self.packing(x)
        h = self.body(x)
        if self.mbstd is not None:
            h = self.mbstd(h)
        out = self.out(h.flatten(1))
        if self.spectral is not None:
            out = out + self.spectral(x)
        return out
