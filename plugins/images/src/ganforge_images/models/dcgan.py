"""DCGAN: the unconditional image GAN of Radford et al. (2016)."""

from __future__ import annotations

from typing import Any, Mapping

from ganforge_images.models.base import ImageModel
from ganforge_images.nets.dcgan import DCGANDiscriminator, DCGANGenerator


class DCGAN(ImageModel):
    """Transposed-conv generator + conv discriminator, sizes from ``data.size``.

    Config (``model``): ``latent_dim``, ``g_width``, ``d_width``, ``d_norm``, ``loss``,
    ``n_critic``, ``gp_weight``. Samples are image tensors in [-1, 1].
    """

    def __init__(self, cfg: Any, spec: Mapping[str, Any]):
        super().__init__(cfg, spec)
        m = self.cfg.model
        self.generator = DCGANGenerator(self.latent_dim, spec["channels"], spec["size"], int(m.get("g_width", 64)))
        self.discriminator = DCGANDiscriminator(
            spec["channels"], spec["size"], int(m.get("d_width", 64)), str(m.get("d_norm", "batch"))
        )
