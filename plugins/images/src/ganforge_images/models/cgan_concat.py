"""The classic conditional GAN of Mirza & Osindero (2014): the label joins both inputs.

G gets ``[z, embed(y)]`` (the same generator as ``cgan``; an embedding is a learned
linear map of the one-hot ``y``, which is what the paper's first layer applies to its
concatenated ``[z, y]``); D gets the image with ``y`` as one-hot planes stacked onto its
channels (:class:`~ganforge_images.nets.conditional.ConcatDiscriminator`), trained with
the paper's minimax (BCE) loss. ``gan-sample RUN label=7`` works as for ``cgan``.
"""

from __future__ import annotations

from torch import nn

from ganforge_images.models.cgan import CGAN
from ganforge_images.nets.conditional import ConcatDiscriminator


class CGANConcat(CGAN):
    """Conditional GAN with label concatenation in G and D (batches ``(images, labels)``).

    Config (``model``): ``latent_dim``, ``embed_dim``, ``g_width``, ``d_width``, ``d_norm``
    (``batch`` by default), ``loss`` (``bce``), ``n_critic``.
    """

    def build_discriminator(self, channels: int, size: int) -> nn.Module:
        """The input-concat discriminator (one-hot label planes + DCGAN conv stack)."""
        m = self.cfg.model
        return ConcatDiscriminator(
            self.num_classes, channels, size, int(m.get("d_width", 64)), str(m.get("d_norm", "batch"))
        )
