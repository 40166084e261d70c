"""pix2pix (Isola et al. 2017): U-Net generator, PatchGAN discriminator on (input, output) pairs,
adversarial + lambda * L1 loss (lambda = 100)."""

from __future__ import annotations

from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from ganforge_images.export import with_column_labels
from ganforge_images.models.translation import TranslationModel, side_by_side
from ganforge_images.nets.dcgan import init_dcgan_weights
from ganforge_images.nets.patchgan import PatchGANDiscriminator
from ganforge_images.nets.unet import UNetGenerator, default_unet_depth

#: column labels of pix2pix sample sheets
PIX2PIX_COLUMNS = ("input", "output", "target")


class Pix2Pix(TranslationModel):
    """Paired image-to-image translation; batches are ``(A, B)``, the generator maps A to B.

    Config (``model``): ``g_width``, ``g_depth`` (null: from ``data.size``), ``dropout``,
    ``d_width``, ``d_layers`` (3 = 70x70 PatchGAN), ``d_norm``, ``l1_weight`` (100),
    ``loss`` (``bce`` as in the paper), ``preview_count``.
    ``gan-sample RUN input=DIR`` translates the images in DIR.
    """

    data_kind = "paired"
    DIRECTIONS = ("AtoB",)
    SAMPLE_OPTIONS = ("input",)

    def __init__(self, cfg: Any, spec: Mapping[str, Any]):
        super().__init__(cfg, spec)
        m = self.cfg.model
        c_in, c_out, size = int(spec["channels_in"]), int(spec["channels"]), int(spec["size"])
        self.channels_in = c_in
        self.generator = UNetGenerator(
            c_in, c_out, depth=int(m.get("g_depth") or default_unet_depth(size)), base=int(m.get("g_width", 64)),
            dropout=float(m.get("dropout", 0.5)), norm=str(m.get("g_norm", "batch")),
        )
        self.discriminator = PatchGANDiscriminator(
            c_in + c_out, base=int(m.get("d_width", 64)), n_layers=int(m.get("d_layers", 3)),
            norm=str(m.get("d_norm", "batch")), image_size=size,
        )
        self.generator.apply(init_dcgan_weights)
        self.discriminator.apply(init_dcgan_weights)
        self.l1_weight = float(m.get("l1_weight", 100.0))
        self.register_previews(c_in, c_out, size)

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
