"""The classic conditional GAN of Mirza & Osindero (2014): the label joins both inputs.

G gets ``[z, embed(y)]`` (the same generator as ``cgan``; an embedding is a learned
linear map of the one-hot ``y``, which is what the paper's first layer applies to its
concatenated ``[z, y]``); D gets the image with ``y`` as one-hot planes stacked onto its
channels (:class:`~ganforge_images.nets.conditional.ConcatDiscriminator`), trained with
the paper's minimax (BCE) loss. ``gan-sample RUN label=7`` works as for ``cgan``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Mapping, Sequence

from torch import nn

from ganforge import GANSettings
from ganforge_images.models.cgan import CGAN
from ganforge_images.nets.conditional import ConcatDiscriminator


class CGANConcat(CGAN):
    """Conditional GAN with label concatenation in G and D (batches ``(images, labels)``).

    Args: those of :class:`~ganforge_images.models.cgan.CGAN`, and ``d_norm`` -- the
    discriminator's normalisation (``batch`` in ``cgan-concat.yaml``). ``loss`` is ``bce``
    (the paper's minimax) in the YAML.
    """

    model_name: ClassVar[str] = "cgan-concat"

    def __init__(self, *, channels: int, size: int, num_classes: int, class_names: Sequence[str] | None,
                 g_width: int, d_width: int, embed_dim: int, d_norm: str, settings: GANSettings):
        # set before the base builds its networks: it calls build_discriminator after the
        # generator, the order seeded runs depend on (a plain attribute, allowed before Module.__init__)
        self.d_norm = str(d_norm)
        super().__init__(channels=channels, size=size, num_classes=num_classes, class_names=class_names,
                         g_width=g_width, d_width=d_width, embed_dim=embed_dim, settings=settings)

    @classmethod
    def config_arguments(cls, cfg: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
        """CGAN's arguments and ``model.d_norm``."""
        return {**super().config_arguments(cfg, spec), "d_norm": str(cfg.model.d_norm)}

    def build_discriminator(self, channels: int, size: int, d_width: int) -> nn.Module:
        """The input-concat discriminator (one-hot label planes + DCGAN conv stack)."""
        return ConcatDiscriminator(self.num_classes, channels, size, d_width, self.d_norm)
