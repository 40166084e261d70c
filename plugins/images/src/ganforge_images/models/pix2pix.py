"""pix2pix (Isola et al. 2017): U-Net generator, PatchGAN discriminator on (input, output) pairs,
adversarial + lambda * L1 loss (lambda = 100)."""

from __future__ import annotations

from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from ganforge import GANSettings
from ganforge_images.export import with_column_labels
from ganforge_images.models.translation import TranslationModel, side_by_side
from ganforge_images.nets.dcgan import init_dcgan_weights
from ganforge_images.nets.patchgan import PatchGANDiscriminator
from ganforge_images.nets.unet import UNetGenerator, default_unet_depth

#: column labels of pix2pix sample sheets
PIX2PIX_COLUMNS = ("input", "output", "target")


class Pix2Pix(TranslationModel):
    """Paired image-to-image translation; batches are ``(A, B)``, the generator maps A to B.

    Args:
        channels_in, channels, size: channels of A and B, and the image side.
        g_width, g_depth, g_norm, dropout: the U-Net (``g_depth`` ``None``: ``log2(size)``
            stages, 8 at 256 px as in the paper).
        d_width, d_layers, d_norm: the PatchGAN (``d_layers`` 3 = 70x70).
        l1_weight: weight of L1(G(A), B) (100 in the paper).
        preview_count, settings: see :class:`~ganforge_images.models.translation.TranslationModel`
            (``loss`` ``bce`` as in the paper).

    ``gan-sample RUN input=DIR`` translates the images in DIR.
    """

    data_kind = "paired"
    DIRECTIONS = ("AtoB",)
    SAMPLE_OPTIONS = ("input",)

    def __init__(self, *, channels_in: int, channels: int, size: int, g_width: int, g_depth: int | None,
                 g_norm: str, dropout: float, d_width: int, d_layers: int, d_norm: str, l1_weight: float,
                 preview_count: int, settings: GANSettings):
        super().__init__(preview_count=preview_count, settings=settings)
        self.channels_in = channels_in
        self.generator = UNetGenerator(
            channels_in, channels, depth=int(g_depth or default_unet_depth(size)), base=g_width,
            dropout=float(dropout), norm=g_norm,
        )
        self.discriminator = PatchGANDiscriminator(
            channels_in + channels, base=d_width, n_layers=d_layers, norm=d_norm, image_size=size,
        )
        self.generator.apply(init_dcgan_weights)
        self.discriminator.apply(init_dcgan_weights)
        self.l1_weight = float(l1_weight)
        self.register_previews(channels_in, channels, size)

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> Pix2Pix:
        """Builder: the ``model`` keys of ``pix2pix.yaml``; channels and size from the data spec."""
        m = cfg.model
        return cls(
            channels_in=int(spec["channels_in"]), channels=int(spec["channels"]), size=int(spec["size"]),
            g_width=int(m.g_width), g_depth=None if m.g_depth is None else int(m.g_depth), g_norm=str(m.g_norm),
            dropout=float(m.dropout), d_width=int(m.d_width), d_layers=int(m.d_layers), d_norm=str(m.d_norm),
            l1_weight=float(m.l1_weight), preview_count=int(m.preview_count), settings=GANSettings.from_config(cfg),
        )

    def translator(self, generator: nn.Module, direction: str) -> nn.Module:
        """The U-Net."""
        return generator

    def input_channels(self, direction: str) -> int:
        """Channels of A."""
        return self.channels_in

    def real_samples(self, batch: Any) -> torch.Tensor:
        """Targets B are the real data the discriminator sees."""
        return batch[1]

    def generator_forward(self, generator: nn.Module, batch: Any) -> torch.Tensor:
        """G(A)."""
        return generator(batch[0])

    def discriminate(self, x: torch.Tensor, batch: Any) -> torch.Tensor:
        """PatchGAN logits of the pair (A, x): the discriminator is conditioned on the input."""
        return self.discriminator(torch.cat([batch[0], x], dim=1))

    def generator_loss(self, batch: Any) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Adversarial loss + ``l1_weight`` * L1(G(A), B)."""
        a, b = batch[0], batch[1]
        fake = self.generator(a)
        adversarial = self.loss_fn.g_loss(self.discriminate(fake, batch))
        l1 = F.l1_loss(fake, b)
        loss = adversarial + self.l1_weight * l1
        return loss, {"loss/g": loss.detach(), "loss/g_adv": adversarial.detach(), "loss/l1": l1.detach()}

    def preview_sheet(self, generator: nn.Module, n: int) -> torch.Tensor:
        """Cells ``input | output | target`` (``A | G(A) | B``), labelled in the saved sheet."""
        a = self.previews("A")[:n]
        return with_column_labels(side_by_side(a, generator(a), self.previews("B")[: len(a)]), PIX2PIX_COLUMNS)
