"""Class-conditional GAN: label-embedding generator and projection discriminator.

(``cgan-concat``, :mod:`ganforge_images.models.cgan_concat`, is the classic variant whose
discriminator sees the label concatenated to its input.)

``gan-sample RUN label=7`` (or ``label=[1,2,3]``, ``label=1,2,3``, a class name) draws
samples of those classes; without ``label`` the classes are cycled in order, so sheets
show every class.
"""

from __future__ import annotations

from typing import Any, ClassVar, Mapping, Sequence

import torch
from torch import nn

from ganforge import GANSettings
from ganforge.errors import GanforgeError
from ganforge_images.models.base import ImageModel
from ganforge_images.models.labels import cycle_labels, parse_labels
from ganforge_images.nets.conditional import ConditionalGenerator, ProjectionDiscriminator


class CGAN(ImageModel):
    """Conditional GAN over labelled images (batches ``(images, labels)``).

    Args:
        channels, size: the images.
        num_classes: classes of the labels (at least 2); ``class_names`` their names for
            ``label=NAME`` (``None``: the indices).
        g_width, d_width, embed_dim: widths of G and D, size of G's label embedding.
        settings: the loop's settings (``latent_dim``, ``loss`` -- ``hinge`` in ``cgan.yaml``,
            as used with projection discriminators -- ``n_critic`` ...).
    """

    data_kind = "images"
    conditional = True
    SAMPLE_OPTIONS = ("label",)
    #: the name in messages (``model=cgan needs labelled data ...``)
    model_name: ClassVar[str] = "cgan"

    def __init__(self, *, channels: int, size: int, num_classes: int, class_names: Sequence[str] | None,
                 g_width: int, d_width: int, embed_dim: int, settings: GANSettings):
        super().__init__(settings)
        self.num_classes = int(num_classes)
        if self.num_classes < 2:
            raise GanforgeError(
                f"model={self.model_name} needs labelled data with at least 2 classes (found num_classes={self.num_classes}); "
                "use the embedded digits (data.path=null), an MNIST/Fashion-MNIST IDX folder, an npz with labels, "
                "or data.labels_from_folders=true with one sub-folder per class"
            )
        self.class_names = [str(c) for c in class_names or range(self.num_classes)]
        self.generator = ConditionalGenerator(self.latent_dim, self.num_classes, channels, size, g_width,
                                              embed_dim=embed_dim)
        self.discriminator = self.build_discriminator(channels, size, d_width)

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> CGAN:
        """Builder: ``model.g_width``/``d_width``/``embed_dim``; channels, size, classes from the data spec
        (``num_classes`` absent or 0: unlabelled data, a one-line error)."""
        return cls(**cls.config_arguments(cfg, spec), settings=GANSettings.from_config(cfg))

    @classmethod
    def config_arguments(cls, cfg: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
        """The constructor's arguments (all but ``settings``) read from ``cfg`` and ``spec``."""
        m = cfg.model
        return dict(channels=int(spec["channels"]), size=int(spec["size"]), num_classes=int(spec.get("num_classes") or 0),
                    class_names=spec.get("class_names"), g_width=int(m.g_width), d_width=int(m.d_width),
                    embed_dim=int(m.embed_dim))

    def build_discriminator(self, channels: int, size: int, d_width: int) -> nn.Module:
        """The label-aware discriminator: here the projection one (spectral norm)."""
        return ProjectionDiscriminator(self.num_classes, channels, size, d_width)

    def batch_labels(self, batch: Any) -> torch.Tensor:
        """The class labels of a training batch."""
        if not isinstance(batch, (list, tuple)) or len(batch) < 2:
            raise GanforgeError(f"model={self.model_name}: the data gave no labels; expected (images, labels) batches")
        return batch[1]

    def generator_forward(self, generator: nn.Module, batch: Any) -> torch.Tensor:
        """Fakes of the same classes as the real batch."""
        labels = self.batch_labels(batch)
        return generator(self.sample_noise(len(labels)), labels)

    def discriminate(self, x: torch.Tensor, batch: Any) -> torch.Tensor:
        """Discriminator logits of ``x`` under the batch's labels."""
        return self.discriminator(x, self.batch_labels(batch))

    def generate(self, generator: nn.Module, n: int, label: Any = None, **options: Any) -> torch.Tensor:
        """``n`` images of class(es) ``label`` (cycled), or of all classes in turn."""
        if options:
            raise GanforgeError(f"model={self.model_name}: unknown sampling option(s) {sorted(options)}; valid: label")
        labels = self.sample_labels(n, label)
        return generator(self.sample_noise(n), labels)

    def sample_labels(self, n: int, label: Any = None) -> torch.Tensor:
        """The labels :meth:`generate` uses for ``n`` samples and a ``label`` option."""
        wanted = range(self.num_classes) if label is None else parse_labels(label, self.num_classes, self.class_names)
        return cycle_labels(wanted, n, self.device)
