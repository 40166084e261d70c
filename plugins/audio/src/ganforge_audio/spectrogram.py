"""SpecGAN's spectrogram representation and its inversion with Griffin-Lim.

Forward: STFT (window 256, hop 128, Hann) -> magnitude -> ``log(|X| + 1e-6)``; the
Nyquist bin and the frame added by centring are dropped, so a 16384-sample window gives a
128 x 128 image. Each frequency bin is normalised by the data set's mean and standard
deviation of that bin, divided by 3 and clipped to [-1, 1] (i.e. clipped at 3 sigma), the
range of the generator's tanh. Inverse: undo the normalisation, exponentiate, append the
dropped bin/frame and run torchaudio's Griffin-Lim.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torchaudio.functional as AF
from torch import nn

from ganforge.errors import GanforgeError

LOG_EPS = 1e-6


class SpectrogramCodec(nn.Module):
    """Waveform <-> normalised log-magnitude spectrogram ``[B, 1, n_fft/2, frames]``.

    The per-bin moments are buffers, so they travel with the model's checkpoint.

    Args:
        window: waveform length (a multiple of ``hop``).
        n_fft: STFT size (256 -> 128 frequency bins).
        hop: STFT hop (128).
        clip_sigmas: normalised values are clipped at this many standard deviations.
        griffin_lim_iters: iterations of Griffin-Lim when inverting.
    """

    def __init__(
        self,
        window: int = 16384,
        n_fft: int = 256,
        hop: int = 128,
        clip_sigmas: float = 3.0,
        griffin_lim_iters: int = 16,
    ):
        super().__init__()
        if window % hop:
            raise GanforgeError(f"data.window={window}: SpecGAN needs a multiple of the STFT hop {hop}")
        self.window, self.n_fft, self.hop = window, n_fft, hop
        self.clip_sigmas, self.griffin_lim_iters = float(clip_sigmas), int(griffin_lim_iters)
        self.bins, self.frames = n_fft // 2, window // hop
        self.register_buffer("stft_window", torch.hann_window(n_fft), persistent=False)
        self.register_buffer("mean", torch.zeros(self.bins))
        self.register_buffer("std", torch.ones(self.bins))

    # -------------------------------------------------------------- analysis
    def log_magnitude(self, wave: torch.Tensor) -> torch.Tensor:
        """``[B, 1, window]`` waveform -> ``[B, 1, bins, frames]`` log-magnitude."""
        if wave.shape[-1] != self.window:
            raise GanforgeError(f"SpecGAN: expected waveforms of {self.window} samples, got {wave.shape[-1]}")
        x = wave.reshape(-1, self.window)
        spec = torch.stft(
            x, self.n_fft, self.hop, window=self.stft_window.to(x.dtype), center=True, return_complex=True
        )
        mag = spec.abs()[:, : self.bins, : self.frames]
        return torch.log(mag + LOG_EPS).unsqueeze(1)

    def set_moments(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        """Store per-bin moments (lists or tensors of length ``bins``)."""
        mean = torch.as_tensor(mean, dtype=torch.float32).reshape(-1)
        std = torch.as_tensor(std, dtype=torch.float32).reshape(-1)
        if mean.numel() != self.bins or std.numel() != self.bins:
            raise GanforgeError(
                f"SpecGAN moments: expected {self.bins} values per bin, got mean {mean.numel()}, std {std.numel()}"
            )
        self.mean.copy_(mean)
        # A bin that is constant over the data set (e.g. digital silence) would divide by 0.
        self.std.copy_(std.clamp_min(1e-3))

    def normalise(self, log_mag: torch.Tensor) -> torch.Tensor:
        """Per-bin standardisation, scaled so that +-``clip_sigmas`` maps to +-1, then clipped."""
        z = (log_mag - self.mean.view(1, 1, -1, 1)) / self.std.view(1, 1, -1, 1)
        return (z / self.clip_sigmas).clamp(-1.0, 1.0)

    def denormalise(self, norm: torch.Tensor) -> torch.Tensor:
        """Inverse of :meth:`normalise` (exact for values that were not clipped)."""
        return norm * self.clip_sigmas * self.std.view(1, 1, -1, 1) + self.mean.view(1, 1, -1, 1)

    def encode(self, wave: torch.Tensor) -> torch.Tensor:
        """Waveform -> normalised spectrogram in [-1, 1] (what SpecGAN's D sees)."""
        return self.normalise(self.log_magnitude(wave))

    # -------------------------------------------------------------- synthesis
    def magnitude(self, norm: torch.Tensor) -> torch.Tensor:
        """Normalised spectrogram -> linear magnitude ``[B, bins + 1, frames + 1]`` for ISTFT."""
        mag = torch.exp(self.denormalise(norm)).squeeze(1)
        # The dropped Nyquist bin and trailing frame carry (almost) no energy: zeros.
        mag = torch.nn.functional.pad(mag, (0, 1, 0, 1))
        return mag

    def decode(self, norm: torch.Tensor, n_iter: int | None = None) -> torch.Tensor:
        """Normalised spectrogram ``[B, 1, bins, frames]`` -> waveform ``[B, 1, window]`` (Griffin-Lim)."""
        mag = self.magnitude(norm.float())
        wave = AF.griffinlim(
            mag,
            window=self.stft_window.to(mag.dtype),
            n_fft=self.n_fft,
            hop_length=self.hop,
            win_length=self.n_fft,
            power=1.0,
            n_iter=int(n_iter or self.griffin_lim_iters),
            momentum=0.99,
            length=self.window,
            rand_init=True,
        )
        return wave.clamp(-1.0, 1.0).unsqueeze(1)


def dataset_moments(codec: SpectrogramCodec, batches: Iterable[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-frequency-bin mean and standard deviation of the log-magnitude over a data set.

    ``batches`` yields waveforms ``[B, 1, window]``; moments are accumulated in float64
    so that long data sets do not lose precision.
    """
    total = torch.zeros(codec.bins, dtype=torch.float64)
    total_sq = torch.zeros(codec.bins, dtype=torch.float64)
    count = 0
    with torch.no_grad():
        for wave in batches:
            lm = codec.log_magnitude(wave).double()  # [B, 1, bins, frames]
            total += lm.sum(dim=(0, 1, 3))
            total_sq += (lm**2).sum(dim=(0, 1, 3))
            count += lm.shape[0] * lm.shape[3]
    if count == 0:
        raise GanforgeError("SpecGAN moments: the data set is empty")
    mean = total / count
    var = (total_sq / count - mean**2).clamp_min(0.0)
    return mean.float(), var.sqrt().float()
