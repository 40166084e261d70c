"""WGAN-GP (Gulrajani et al. 2017): Wasserstein critic with a gradient penalty, 5 critic steps per G step."""

from __future__ import annotations

from typing import Any, Mapping

from ganforge.errors import GanforgeError
from ganforge_images.models.base import ImageModel
from ganforge_images.nets.wgan import UpsamplingGenerator, WGANCritic


class WGANGP(ImageModel):
    """Upsampling generator + BatchNorm-free critic, for any ``data.size`` of the form ``start * 2**n``
    (28 for MNIST as in the paper, 32, 64 ...).

    Config (``model``): ``latent_dim``, ``g_width``, ``d_width``, ``critic_norm`` (``layer``
    or ``none``), ``loss`` (``wgan``), ``n_critic`` (5), ``gp_weight`` (10). The penalty
    itself is the core's :func:`ganforge.gradient_penalty`, applied by the base class.
    """

    data_kind = "images"

    def __init__(self, cfg: Any, spec: Mapping[str, Any]):
        super().__init__(cfg, spec)
        m = self.cfg.model
        if self.gp_weight <= 0:
            raise GanforgeError(f"model.gp_weight={self.gp_weight}: WGAN-GP needs a positive penalty weight (paper: 10)")
        self.generator = UpsamplingGenerator(
            self.latent_dim, int(spec["channels"]), int(spec["size"]), int(m.get("g_width", 64))
        )
        self.discriminator = WGANCritic(
            int(spec["channels"]), int(spec["size"]), int(m.get("d_width", 64)), norm=str(m.get("critic_norm", "layer"))
        )
