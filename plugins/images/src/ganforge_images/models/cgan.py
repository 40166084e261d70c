"""Class-conditional GAN: label-embedding generator and projection discriminator.

(``cgan-concat``, :mod:`ganforge_images.models.cgan_concat`, is the classic variant whose
discriminator sees the label concatenated to its input.)

``gan-sample RUN label=7`` (or ``label=[1,2,3]``, ``label=1,2,3``, a class name) draws
samples of those classes; without ``label`` the classes are cycled in order, so sheets
show every class.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch
from torch import nn

from ganforge.errors import GanforgeError
from ganforge_images.models.base import ImageModel
from ganforge_images.models.labels import cycle_labels, parse_labels
from ganforge_images.nets.conditional import ConditionalGenerator, ProjectionDiscriminator


class CGAN(ImageModel):
    """Conditional GAN over labelled images (batches ``(images, labels)``).

    Config (``model``): ``latent_dim``, ``embed_dim``, ``g_width``, ``d_width``, ``loss``
    (``hinge`` by default, as used with projection discriminators), ``n_critic``.
    """

    data_kind = "images"
    conditional = True
    SAMPLE_OPTIONS = ("label",)

    def __init__(self, cfg: Any, spec: Mapping[str, Any]):
        super().__init__(cfg, spec)
        self.model_name = str(self.cfg.model.get("name") or "cgan")
        self.num_classes = int(spec.get("num_classes") or 0)
        if self.num_classes < 2:
            raise GanforgeError(
                f"model={self.model_name} needs labelled data with at least 2 classes (found num_classes={self.num_classes}); "
                "use the embedded digits (data.path=null), an MNIST/Fashion-MNIST IDX folder, an npz with labels, "
                "or data.labels_from_folders=true with one sub-folder per class"
            )
        self.class_names = [str(c) for c in spec.get("class_names") or range(self.num_classes)]
        m = self.cfg.model
        channels, size = int(spec["channels"]), int(spec["size"])
        self.generator = ConditionalGenerator(
            self.latent_dim, self.num_classes, channels, size, int(m.get("g_width", 64)),
            embed_dim=int(m.get("embed_dim", 32)),
        )
        self.discriminator = self.build_discriminator(channels, size)

    def build_discriminator(self, channels: int, size: int) -> nn.Module:
        """The label-aware discriminator: here the projection one (spectral norm)."""
        return ProjectionDiscriminator(self.num_classes, channels, size, int(self.cfg.model.get("d_width", 64)))

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
