"""ganforge-images: the images domain (DCGAN, ...) for ganforge."""

from ganforge_images.domain import ImagesDomain

__all__ = ["ImagesDomain"]
