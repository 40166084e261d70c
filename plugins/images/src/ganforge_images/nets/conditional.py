"""Class-conditional networks: a label-embedding generator and two discriminators.

Generator: the label's embedding is concatenated to ``z`` (Mirza & Osindero 2014) and
the result goes through a DCGAN-style upsampling stack. Discriminators: the projection
discriminator of Miyato & Koyama (2018), ``D(x, y) = psi(phi(x)) + <embed(y), phi(x)>``,
with spectral normalisation as in that paper (``cgan``); and the classic input-concat
one of Mirza & Osindero, the one-hot label joined to D's input (``cgan-concat``).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ganforge.errors import GanforgeError
from ganforge_images.nets.dcgan import DCGANDiscriminator
from ganforge_images.nets.sizes import downsampled_size
from ganforge_images.nets.wgan import UpsamplingGenerator


def check_labels(labels: torch.Tensor, n_classes: int) -> None:
    """Raise a one-line error when a label is outside ``0..n_classes-1``."""
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)][0].item()
        raise GanforgeError(f"label={bad}: expected a class index in 0..{n_classes - 1}")


class ConditionalGenerator(nn.Module):
    """Maps noise ``z`` ``[N, z_dim]`` and class labels ``[N]`` to images in ``[-1, 1]``.

    The label embedding is concatenated to ``z`` and fed to an :class:`UpsamplingGenerator`.
    """

    def __init__(
        self,
        z_dim: int,
        n_classes: int,
        channels: int,
        image_size: int,
        base: int = 64,
        max_channels: int = 512,
        embed_dim: int = 32,
    ) -> None:
        super().__init__()
        self.z_dim, self.n_classes = z_dim, n_classes
        self.embed = nn.Embedding(n_classes, embed_dim)
        self.body = UpsamplingGenerator(z_dim + embed_dim, channels, image_size, base, max_channels)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Images ``[N, C, H, W]`` for noise ``z`` and integer ``labels``."""
        check_labels(labels, self.n_classes)
        return self.body(torch.cat([z.reshape(z.shape[0], -1), self.embed(labels)], dim=1))


class ProjectionDiscriminator(nn.Module):
    """Spectrally normalised conv net with a class projection; returns logits ``[N]``."""

    def __init__(
        self, n_classes: int, channels: int, image_size: int, base: int = 64, max_channels: int = 512
    ) -> None:
        super().__init__()
        self.n_classes = n_classes
        layers: list[nn.Module] = []
        size, c_in, c_out = int(image_size), channels, base
        while size > 4 or not layers:
            layers += [spectral_norm(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(0.2)]
            size, c_in, c_out = downsampled_size(size), c_out, min(c_out * 2, max_channels)
        layers += [spectral_norm(nn.Conv2d(c_in, c_in, 3, 1, 1)), nn.LeakyReLU(0.2)]
        self.features = nn.Sequential(*layers)
        self.linear = spectral_norm(nn.Linear(c_in, 1))
        self.embed = spectral_norm(nn.Embedding(n_classes, c_in))

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Logits for images ``x`` claimed to be of class ``labels``."""
        check_labels(labels, self.n_classes)
        h = self.features(x).sum(dim=(2, 3))  # global sum pooling, as in the paper
        return self.linear(h).squeeze(1) + (self.embed(labels) * h).sum(dim=1)


class ConcatDiscriminator(nn.Module):
    """The classic CGAN discriminator: the label joins D's input (Mirza & Osindero 2014).

    The paper's D is an MLP over the flattened image with ``y`` (one-hot) concatenated to
    its input. For images the convolutional form of the same idea is used here (as in
    conditional DCGANs): ``y`` becomes ``n_classes`` constant one-hot planes stacked onto
    the image channels, followed by the DCGAN discriminator (``norm``: ``batch``,
    ``instance``, ``layer`` or ``none``). Returns logits ``[N]``.
    """

    def __init__(self, n_classes: int, channels: int, image_size: int, base: int = 64, norm: str = "batch") -> None:
        super().__init__()
        self.n_classes = n_classes
        self.body = DCGANDiscriminator(channels + n_classes, image_size, base, norm)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Logits for images ``x`` claimed to be of class ``labels``."""
        check_labels(labels, self.n_classes)
        planes = nn.functional.one_hot(labels.long(), self.n_classes).to(x.dtype)
        planes = planes[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
        return self.body(torch.cat([x, planes], dim=1))
