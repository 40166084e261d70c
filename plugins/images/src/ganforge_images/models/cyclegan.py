"""CycleGAN (Zhu et al. 2017): two ResNet generators, two PatchGAN discriminators, LSGAN loss,
cycle-consistency (lambda 10) and identity (0.5 * lambda) losses, image history buffers of 50."""

from __future__ import annotations

from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from ganforge import GANSettings
from ganforge_images.export import with_column_labels
from ganforge_images.image_pool import ImageHistoryBuffer
from ganforge_images.models.translation import TranslationModel, side_by_side
from ganforge_images.nets.dcgan import init_dcgan_weights
from ganforge_images.nets.patchgan import PatchGANDiscriminator
from ganforge_images.nets.resnet import ResnetGenerator

#: column labels of CycleGAN sample sheets
CYCLEGAN_COLUMNS = ("A", "A->B", "A->B->A", "B", "B->A", "B->A->B")


class CycleGAN(TranslationModel):
    """Unpaired translation between domains A and B; batches are ``(A, B)`` of unrelated images.

    ``self.generator`` is a ModuleDict ``{"AtoB", "BtoA"}`` and ``self.discriminator``
    ``{"A", "B"}``; each pair shares one optimizer, as in the reference code.

    Args:
        channels_a, channels_b, size: channels of domains A and B, and the image side.
        g_width, n_blocks, n_down, g_norm: the ResNet generators (``n_blocks`` 9 at 256 px, 6 at 128 px).
        d_width, d_layers, d_norm: the PatchGAN discriminators.
        cycle_weight: lambda of the cycle-consistency loss (10).
        identity_weight: the identity loss's weight relative to ``cycle_weight`` (0.5; off when
            the domains' channels differ).
        pool_size: image history buffer per domain (50).
        preview_count, settings: see :class:`~ganforge_images.models.translation.TranslationModel`
            (``loss`` ``lsgan`` in the paper).

    ``gan-sample RUN direction=AtoB|BtoA input=DIR`` translates a folder.
    """

    data_kind = "unpaired"
    DIRECTIONS = ("AtoB", "BtoA")
    SAMPLE_OPTIONS = ("direction", "input")

    def __init__(self, *, channels_a: int, channels_b: int, size: int, g_width: int, n_blocks: int, n_down: int,
                 g_norm: str, d_width: int, d_layers: int, d_norm: str, cycle_weight: float, identity_weight: float,
                 pool_size: int, preview_count: int, settings: GANSettings):
        super().__init__(preview_count=preview_count, settings=settings)
        ca, cb = channels_a, channels_b
        self.channels = {"A": ca, "B": cb}
        g_args = dict(base=g_width, n_blocks=n_blocks, n_down=n_down, norm=g_norm)
        self.generator = nn.ModuleDict({"AtoB": ResnetGenerator(ca, cb, **g_args), "BtoA": ResnetGenerator(cb, ca, **g_args)})
        d_args = dict(base=d_width, n_layers=d_layers, norm=d_norm, image_size=size)
        self.discriminator = nn.ModuleDict({"A": PatchGANDiscriminator(ca, **d_args), "B": PatchGANDiscriminator(cb, **d_args)})
        self.generator.apply(init_dcgan_weights)
        self.discriminator.apply(init_dcgan_weights)
        self.cycle_weight = float(cycle_weight)
        # identity loss needs G_AB(b) to be comparable with b: only when channels agree
        self.identity_weight = float(identity_weight) if ca == cb else 0.0
        self.pools = {"A": ImageHistoryBuffer(pool_size), "B": ImageHistoryBuffer(pool_size)}
        self.register_previews(ca, cb, size)

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> CycleGAN:
        """Builder: the ``model`` keys of ``cyclegan.yaml``; channels and size from the data spec."""
        m = cfg.model
        return cls(
            channels_a=int(spec["channels_a"]), channels_b=int(spec["channels_b"]), size=int(spec["size"]),
            g_width=int(m.g_width), n_blocks=int(m.n_blocks), n_down=int(m.n_down), g_norm=str(m.g_norm),
            d_width=int(m.d_width), d_layers=int(m.d_layers), d_norm=str(m.d_norm),
            cycle_weight=float(m.cycle_weight), identity_weight=float(m.identity_weight), pool_size=int(m.pool_size),
            preview_count=int(m.preview_count), settings=GANSettings.from_config(cfg),
        )

    def translator(self, generator: nn.Module, direction: str) -> nn.Module:
        """``generator[direction]``."""
        return generator[direction]

    def input_channels(self, direction: str) -> int:
        """Channels of the source domain of ``direction``."""
        return self.channels[direction[0]]

    def discriminator_loss(self, batch: Any) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """LSGAN losses of D_A and D_B; fakes come through the history buffers."""
        a, b = batch[0], batch[1]
        with torch.no_grad():
            fake_b = self.pools["B"].query(self.generator["AtoB"](a))
            fake_a = self.pools["A"].query(self.generator["BtoA"](b))
        real_b, fake_b_logits = self.discriminator["B"](b), self.discriminator["B"](fake_b)
        real_a, fake_a_logits = self.discriminator["A"](a), self.discriminator["A"](fake_a)
        loss_b = self.loss_fn.d_loss(real_b, fake_b_logits)
        loss_a = self.loss_fn.d_loss(real_a, fake_a_logits)
        loss = loss_a + loss_b
        logs = {
            "loss/d": loss.detach(), "loss/d_A": loss_a.detach(), "loss/d_B": loss_b.detach(),
            "d/real": 0.5 * (real_a.detach().mean() + real_b.detach().mean()),
            "d/fake": 0.5 * (fake_a_logits.detach().mean() + fake_b_logits.detach().mean()),
        }
        return loss, logs

    def generator_loss(self, batch: Any) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Adversarial + cycle-consistency + identity losses of both generators."""
        a, b = batch[0], batch[1]
        g_ab, g_ba = self.generator["AtoB"], self.generator["BtoA"]
        fake_b, fake_a = g_ab(a), g_ba(b)
        adversarial = self.loss_fn.g_loss(self.discriminator["B"](fake_b)) + self.loss_fn.g_loss(
            self.discriminator["A"](fake_a)
        )
        cycle = F.l1_loss(g_ba(fake_b), a) + F.l1_loss(g_ab(fake_a), b)
        loss = adversarial + self.cycle_weight * cycle
        logs = {"loss/g_adv": adversarial.detach(), "loss/cycle": cycle.detach()}
        if self.identity_weight > 0:
            identity = F.l1_loss(g_ab(b), b) + F.l1_loss(g_ba(a), a)
            loss = loss + self.cycle_weight * self.identity_weight * identity
            logs["loss/identity"] = identity.detach()
        logs["loss/g"] = loss.detach()
        return loss, logs

    def preview_sheet(self, generator: nn.Module, n: int) -> torch.Tensor:
        """Cells ``A | G_AB(A) | G_BA(G_AB(A)) | B | G_BA(B) | G_AB(G_BA(B))`` (one per
        held-out pair, ``n // 2`` of them), labelled ``A | A->B | A->B->A | B | B->A | B->A->B``
        in the saved sheet."""
        half = max(1, n // 2)
        a, b = self.previews("A")[:half], self.previews("B")[:half]
        k = min(len(a), len(b))
        a, b = a[:k], b[:k]
        ab, ba = generator["AtoB"](a), generator["BtoA"](b)
        cells = side_by_side(a, ab, generator["BtoA"](ab), b, ba, generator["AtoB"](ba))
        return with_column_labels(cells, CYCLEGAN_COLUMNS)
