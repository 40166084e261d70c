"""DCGAN: the unconditional image GAN of Radford et al. (2016)."""

from __future__ import annotations

from typing import Any, Mapping

from ganforge import GANSettings
from ganforge_images.models.base import ImageModel
from ganforge_images.nets.dcgan import DCGANDiscriminator, DCGANGenerator


class DCGAN(ImageModel):
    """Transposed-conv generator + conv discriminator for ``channels x size x size`` images.

    Args:
        channels, size: the images (``size`` a power of two >= 8).
        g_width, d_width: base widths of G and D (``model.g_width``/``d_width``).
        d_norm: D's normalisation (``batch``, ``instance``, ``layer``, ``spectral``, ``none``).
        settings: the loop's settings (``latent_dim``, ``loss``, ``n_critic``, ``gp_weight`` ...).

    Samples are image tensors in [-1, 1].
    """

    def __init__(self, *, channels: int, size: int, g_width: int, d_width: int, d_norm: str, settings: GANSettings):
        super().__init__(settings)
        self.generator = DCGANGenerator(self.latent_dim, channels, size, g_width)
        self.discriminator = DCGANDiscriminator(channels, size, d_width, d_norm)

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> DCGAN:
        """Builder: ``model.g_width``/``d_width``/``d_norm`` and the data's channels and size."""
        m = cfg.model
        return cls(channels=int(spec["channels"]), size=int(spec["size"]), g_width=int(m.g_width),
                   d_width=int(m.d_width), d_norm=str(m.d_norm), settings=GANSettings.from_config(cfg))
