"""WGAN-GP (Gulrajani et al. 2017): Wasserstein critic with a gradient penalty, 5 critic steps per G step."""

from __future__ import annotations

from typing import Any, Mapping

from ganforge import GANSettings
from ganforge.errors import GanforgeError
from ganforge_images.models.base import ImageModel
from ganforge_images.nets.wgan import UpsamplingGenerator, WGANCritic


class WGANGP(ImageModel):
    """Upsampling generator + BatchNorm-free critic, for any ``size`` of the form ``start * 2**n``
    (28 for MNIST as in the paper, 32, 64 ...).

    Args:
        channels, size: the images.
        g_width, d_width: base widths of G and the critic.
        critic_norm: ``layer`` or ``none`` (never batch: it breaks the per-sample penalty).
        settings: the loop's settings; ``loss`` ``wgan``, ``n_critic`` 5 and a positive
            ``gp_weight`` (10) in the paper. The penalty itself is the core's
            :func:`ganforge.gradient_penalty`, applied by the base class.
    """

    data_kind = "images"

    def __init__(self, *, channels: int, size: int, g_width: int, d_width: int, critic_norm: str,
                 settings: GANSettings):
        super().__init__(settings)
        if self.gp_weight <= 0:
            raise GanforgeError(f"model.gp_weight={self.gp_weight}: WGAN-GP needs a positive penalty weight (paper: 10)")
        self.generator = UpsamplingGenerator(self.latent_dim, channels, size, g_width)
        self.discriminator = WGANCritic(channels, size, d_width, norm=critic_norm)

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> WGANGP:
        """Builder: ``model.g_width``/``d_width``/``critic_norm`` and the data's channels and size."""
        m = cfg.model
        return cls(channels=int(spec["channels"]), size=int(spec["size"]), g_width=int(m.g_width),
                   d_width=int(m.d_width), critic_norm=str(m.critic_norm), settings=GANSettings.from_config(cfg))
