"""The audio models as ganforge ``AdversarialModule`` subclasses: ``wavegan`` and ``specgan``.

Both train with the core's adversarial step (WGAN-GP by default: ``model.loss=wgan``,
``model.gp_weight=10``, ``model.n_critic=5``; ``dcgan``/``bce`` and ``lsgan`` are
selectable) and sample :class:`AudioSamples` -- waveforms plus their sample rate, which
is what the domain's exporter writes as WAV.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from ganforge import AdversarialModule
from ganforge.errors import GanforgeError
from ganforge_audio.specgan import SpecGANDiscriminator, SpecGANGenerator
from ganforge_audio.spectrogram import SpectrogramCodec
from ganforge_audio.wavegan import WaveGANDiscriminator, WaveGANGenerator


@dataclass
class AudioSamples:
    """Generated audio: ``audio [N, 1, L]`` in [-1, 1] (CPU) at ``sample_rate`` Hz."""

    audio: torch.Tensor
    sample_rate: int

    def __len__(self) -> int:
        return int(self.audio.shape[0])


def _m(cfg: Any, key: str, default: Any) -> Any:
    value = cfg.model.get(key, default)
    return default if value is None else value


class _AudioGAN(AdversarialModule):
    """Shared parts: uniform latent noise (as in both papers) and sample packaging."""

    def sample_noise(self, n: int) -> torch.Tensor:
        """``z ~ U(-1, 1)^latent_dim``."""
        return torch.rand(n, self.latent_dim, device=self.device) * 2 - 1

    def batch_size_of(self, batch: Any) -> int:
        """Examples in a batch, read from the waveforms (no spectrogram needed)."""
        wave = batch[0] if isinstance(batch, (list, tuple)) else batch
        return int(wave.shape[0])

    def to_waveform(self, generated: torch.Tensor) -> torch.Tensor:
        """Generator output -> waveform ``[N, 1, window]`` (identity for WaveGAN)."""
        return generated

    @torch.no_grad()
    def sample(self, n: int, **options: Any) -> AudioSamples:
        """``n`` generated clips (EMA generator in eval mode when EMA is enabled)."""
        out = super().sample(n, **options)
        return AudioSamples(self.to_waveform(out).float().cpu(), int(self.spec["sample_rate"]))


class WaveGAN(_AudioGAN):
    """WaveGAN (Donahue et al. 2019) on raw waveforms of ``spec['window']`` samples.

    Config (``model``): ``latent_dim`` (100), ``d`` (64), ``upsample``
    (``transpose``/``nearest``), ``post_filter`` (0 or e.g. 512), ``phase_shuffle`` (2),
    ``batchnorm`` (false), ``loss``, ``gp_weight``, ``n_critic``.
    """

    def __init__(self, cfg: Any, spec: Mapping[str, Any]):
        super().__init__(cfg, spec)
        d, window = int(_m(self.cfg, "d", 64)), int(spec["window"])
        batchnorm = bool(_m(self.cfg, "batchnorm", False))
        self.generator = WaveGANGenerator(
            self.latent_dim, d, window, int(spec.get("channels", 1)), str(_m(self.cfg, "upsample", "transpose")),
            int(_m(self.cfg, "post_filter", 0)), batchnorm,
        )
        self.discriminator = WaveGANDiscriminator(
            d, window, int(spec.get("channels", 1)), int(_m(self.cfg, "phase_shuffle", 2)), batchnorm
        )


class SpecGAN(_AudioGAN):
    """SpecGAN: a 2-D DCGAN over normalised 128-bin log spectrograms, inverted by Griffin-Lim.

    The discriminator sees real audio through :class:`SpectrogramCodec` (with the data
    set's per-bin moments from the spec, kept as buffers in the checkpoint). Config
    (``model``): ``latent_dim``, ``d``, ``batchnorm``, ``griffin_lim_iters`` (16), losses.
    """

    def __init__(self, cfg: Any, spec: Mapping[str, Any]):
        super().__init__(cfg, spec)
        if "spectrogram_mean" not in spec or "spectrogram_std" not in spec:
            raise GanforgeError(
                "specgan needs the data set's spectrogram moments: set data.spectrogram_moments=true "
                "(model/specgan.yaml does)"
            )
        window, d = int(spec["window"]), int(_m(self.cfg, "d", 64))
        batchnorm = bool(_m(self.cfg, "batchnorm", False))
        self.codec = SpectrogramCodec(window, griffin_lim_iters=int(_m(self.cfg, "griffin_lim_iters", 16)))
        self.codec.set_moments(spec["spectrogram_mean"], spec["spectrogram_std"])
        bins, frames = self.codec.bins, self.codec.frames
        self.generator = SpecGANGenerator(self.latent_dim, d, bins, frames, 1, batchnorm)
        self.discriminator = SpecGANDiscriminator(d, bins, frames, 1, batchnorm)

    def real_samples(self, batch: Any) -> torch.Tensor:
        """Real waveforms -> normalised spectrograms (what D compares with G's output)."""
        wave = batch[0] if isinstance(batch, (list, tuple)) else batch
        with torch.no_grad():
            return self.codec.encode(wave)

    def to_waveform(self, generated: torch.Tensor) -> torch.Tensor:
        """Griffin-Lim inversion of generated spectrograms."""
        return self.codec.decode(generated)


MODELS = {"wavegan": WaveGAN, "specgan": SpecGAN}
