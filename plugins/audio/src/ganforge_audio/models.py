"""The audio models as ganforge ``AdversarialModule`` subclasses: ``wavegan`` and ``specgan``.

Both train with the core's adversarial step (WGAN-GP by default: ``model.loss=wgan``,
``model.gp_weight=10``, ``model.n_critic=5``; ``bce`` (the DCGAN loss) and ``lsgan`` are
selectable) and sample :class:`AudioSamples` -- waveforms plus their sample rate, which
is what the domain's exporter writes as WAV.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from ganforge import AdversarialModule, GANSettings
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


class _AudioGAN(AdversarialModule):
    """Shared parts: uniform latent noise (as in both papers) and sample packaging.

    ``sample_rate`` (Hz) is what :meth:`sample` stamps on its :class:`AudioSamples`.
    """

    def __init__(self, *, sample_rate: int, settings: GANSettings):
        super().__init__(settings)
        self.sample_rate = int(sample_rate)

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
        return AudioSamples(self.to_waveform(out).float().cpu(), self.sample_rate)


class WaveGAN(_AudioGAN):
    """WaveGAN (Donahue et al. 2019) on raw waveforms of ``window`` samples.

    Arguments (config ``model``, defaults in ``conf/model/wavegan.yaml``): ``d`` (width,
    64), ``upsample`` (``transpose``/``nearest``), ``upsample_last`` (the output layer's,
    null = ``upsample``), ``post_filter`` (0 = off, paper 512),
    ``phase_shuffle`` (2), ``batchnorm`` (false), ``mbstd_group`` (0 = off: the critic's
    minibatch standard deviation, not in the paper), ``spec_critic`` (0 = off: the FFT size of a
    second critic head on log spectrograms, not in the paper), ``pack`` (1 = off: PacGAN, the
    critic judges that many clips at once, not in the paper); ``sample_rate``, ``window`` and
    ``channels`` come from the data spec; ``loss``, ``gp_weight``, ``n_critic`` and
    ``latent_dim`` from ``settings``.
    """

    def __init__(self, *, sample_rate: int, window: int, channels: int, d: int, upsample: str, post_filter: int,
                 phase_shuffle: int, batchnorm: bool, settings: GANSettings, mbstd_group: int = 0,
                 upsample_last: str | None = None, spec_critic: int = 0, pack: int = 1):
        super().__init__(sample_rate=sample_rate, settings=settings)
        # generator first, then discriminator: the order seeded runs draw their weights in
        self.generator = WaveGANGenerator(
            self.latent_dim, int(d), int(window), int(channels), str(upsample), int(post_filter), bool(batchnorm),
            upsample_last,
        )
        self.discriminator = WaveGANDiscriminator(int(d), int(window), int(channels), int(phase_shuffle),
                                                  bool(batchnorm), int(mbstd_group), int(spec_critic),
                                                  int(pack))

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> WaveGAN:
        """Builder: ``model`` keys of a run config and the data spec, each read once."""
        m = cfg.model
        return cls(
            sample_rate=int(spec["sample_rate"]), window=int(spec["window"]), channels=int(spec["channels"]),
            d=int(m.d), upsample=str(m.upsample), post_filter=int(m.post_filter),
            phase_shuffle=int(m.phase_shuffle), batchnorm=bool(m.batchnorm), settings=GANSettings.from_config(cfg),
            mbstd_group=int(m.mbstd_group), upsample_last=None if m.upsample_last is None else str(m.upsample_last),
            spec_critic=int(m.spec_critic), pack=int(m.pack),
        )


class SpecGAN(_AudioGAN):
    """SpecGAN: a 2-D DCGAN over normalised 128-bin log spectrograms, inverted by Griffin-Lim.

    The discriminator sees real audio through :class:`SpectrogramCodec`, normalised with
    the data set's per-bin moments ``spectrogram_mean``/``spectrogram_std`` (128 values
    each, from the data spec; kept as buffers in the checkpoint). Arguments (config
    ``model``, defaults in ``conf/model/specgan.yaml``): ``d``, ``batchnorm``,
    ``griffin_lim_iters`` (16); ``latent_dim`` and the losses from ``settings``.
    """

    def __init__(self, *, sample_rate: int, window: int, d: int, batchnorm: bool, griffin_lim_iters: int,
                 spectrogram_mean: Sequence[float], spectrogram_std: Sequence[float], settings: GANSettings):
        super().__init__(sample_rate=sample_rate, settings=settings)
        self.codec = SpectrogramCodec(int(window), griffin_lim_iters=int(griffin_lim_iters))
        self.codec.set_moments(spectrogram_mean, spectrogram_std)
        bins, frames = self.codec.bins, self.codec.frames
        self.generator = SpecGANGenerator(self.latent_dim, int(d), bins, frames, 1, bool(batchnorm))
        self.discriminator = SpecGANDiscriminator(int(d), bins, frames, 1, bool(batchnorm))

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> SpecGAN:
        """Builder: ``model`` keys of a run config and the data spec (which must carry the
        spectrogram moments: ``data.spectrogram_moments=true``), each read once."""
        if "spectrogram_mean" not in spec or "spectrogram_std" not in spec:
            raise GanforgeError(
                "specgan needs the data set's spectrogram moments: set data.spectrogram_moments=true "
                "(model/specgan.yaml does)"
            )
        m = cfg.model
        return cls(
            sample_rate=int(spec["sample_rate"]), window=int(spec["window"]), d=int(m.d),
            batchnorm=bool(m.batchnorm), griffin_lim_iters=int(m.griffin_lim_iters),
            spectrogram_mean=list(spec["spectrogram_mean"]), spectrogram_std=list(spec["spectrogram_std"]),
            settings=GANSettings.from_config(cfg),
        )
    def real_samples(self, batch: Any) -> torch.Tensor:
        """Real waveforms -> normalised spectrograms (what D compares with G's output)."""
        wave = batch[0] if isinstance(batch, (list, tuple)) else batch
        with torch.no_grad():
            return self.codec.encode(wave)

    def to_waveform(self, generated: torch.Tensor) -> torch.Tensor:
        """Griffin-Lim inversion of generated spectrograms."""
        return self.codec.decode(generated)


MODELS = {"wavegan": WaveGAN, "specgan": SpecGAN}
