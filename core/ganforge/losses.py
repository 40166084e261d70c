"""Adversarial losses selected by name in config (``model.loss``).

Every loss works on raw discriminator outputs ("logits" or critic scores) of any
shape; values are averaged over all elements, so PatchGAN maps work unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from ganforge.errors import choices_error


class GANLoss:
    """A pair of discriminator/generator objectives over discriminator outputs."""

    name: str = "base"

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """Discriminator (critic) loss given its outputs on real and generated data."""
        raise NotImplementedError

    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        """Generator loss given the discriminator's outputs on generated data."""
        raise NotImplementedError


class NonSaturatingLoss(GANLoss):
    """Goodfellow et al.'s GAN with the non-saturating generator loss (BCE on logits)."""

    name = "bce"

    def d_loss(self, real, fake):
        return F.softplus(-real).mean() + F.softplus(fake).mean()

    def g_loss(self, fake):
        return F.softplus(-fake).mean()


class HingeLoss(GANLoss):
    """Hinge loss (Lim & Ye 2017; used by SAGAN/BigGAN)."""

    name = "hinge"

    def d_loss(self, real, fake):
        return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()

    def g_loss(self, fake):
        return -fake.mean()


class LeastSquaresLoss(GANLoss):
    """LSGAN (Mao et al. 2017) with targets real=1, fake=0; used by CycleGAN."""

    name = "lsgan"

    def d_loss(self, real, fake):
        return 0.5 * ((real - 1.0) ** 2).mean() + 0.5 * (fake**2).mean()

    def g_loss(self, fake):
        return ((fake - 1.0) ** 2).mean()


class WassersteinLoss(GANLoss):
    """Wasserstein critic loss (Arjovsky et al. 2017); pair with a gradient penalty."""

    name = "wgan"

    def d_loss(self, real, fake):
        return fake.mean() - real.mean()

    def g_loss(self, fake):
        return -fake.mean()


LOSSES: dict[str, Callable[[], GANLoss]] = {
    "bce": NonSaturatingLoss,
    "nonsaturating": NonSaturatingLoss,
    "dcgan": NonSaturatingLoss,
    "hinge": HingeLoss,
    "lsgan": LeastSquaresLoss,
    "wgan": WassersteinLoss,
}


def get_loss(name: str) -> GANLoss:
    """Return the loss called ``name`` (``bce``/``nonsaturating``/``dcgan``, ``hinge``,
    ``lsgan``, ``wgan``); an unknown name raises a one-line error listing the choices."""
    try:
        return LOSSES[str(name).lower()]()
    except KeyError:
        raise choices_error("loss", name, LOSSES, where="model.loss") from None
