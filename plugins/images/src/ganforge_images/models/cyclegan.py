"""CycleGAN (Zhu et al. 2017): two ResNet generators, two PatchGAN discriminators, LSGAN loss,
cycle-consistency (lambda 10) and identity (0.5 * lambda) losses, image history buffers of 50."""

from __future__ import annotations

from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn

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
    Config (``model``): ``g_width``, ``n_blocks`` (9 at 256px, 6 at 128px), ``n_down``,
    ``d_width``, ``d_layers``, ``cycle_weight`` (10), ``identity_weight`` (0.5, relative
    to ``cycle_weight``), ``pool_size`` (50), ``loss`` (``lsgan``), ``preview_count``.
    ``gan-sample RUN direction=AtoB|BtoA input=DIR`` translates a folder.
    """

    data_kind = "unpaired"
    DIRECTIONS = ("AtoB", "BtoA")
    SAMPLE_OPTIONS = ("direction", "input")

    def __init__(self, cfg: Any, spec: Mapping[str, Any]):
        super().__init__(cfg, spec)
        m = self.cfg.model
        ca, cb, size = int(spec["channels_a"]), int(spec["channels_b"]), int(spec["size"])
        self.channels = {"A": ca, "B": cb}
        g_args = dict(
            base=int(m.get("g_width", 64)), n_blocks=int(m.get("n_blocks", 9)), n_down=int(m.get("n_down", 2)),
            norm=str(m.get("g_norm", "instance")),
        )
        self.generator = nn.ModuleDict({"AtoB": ResnetGenerator(ca, cb, **g_args), "BtoA": ResnetGenerator(cb, ca, **g_args)})
        d_args = dict(
            base=int(m.get("d_width", 64)), n_layers=int(m.get("d_layers", 3)), norm=str(m.get("d_norm", "instance")),
            image_size=size,
        )
        self.discriminator = nn.ModuleDict({"A": PatchGANDiscriminator(ca, **d_args), "B": PatchGANDiscriminator(cb, **d_args)})
        self.generator.apply(init_dcgan_weights)
        self.discriminator.apply(init_dcgan_weights)
        self.cycle_weight = float(m.get("cycle_weight", 10.0))
        # identity loss needs G_AB(b) to be comparable with b: only when channels agree
        self.identity_weight = float(m.get("identity_weight", 0.5)) if ca == cb else 0.0
        pool = int(m.get("pool_size", 50))
        self.pools = {"A": ImageHistoryBuffer(pool), "B": ImageHistoryBuffer(pool)}
        self.register_previews(ca, cb, size)

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
