"""What ``gan-export`` writes for each image model: the sampling (EMA) generator and
example inputs of its ``forward``.

* dcgan, wgan-gp: ``z [N, latent_dim]`` (standard normal) -> images in [-1, 1].
* cgan: ``z`` and integer class labels ``[N]`` -> images of those classes.
* pix2pix, cyclegan: an image ``[N, C, size, size]`` in [-1, 1] -> its translation
  (cyclegan: ``direction=AtoB|BtoA``, default AtoB).
* stylegan2: ``z`` -> images, with the truncation psi (``truncation=PSI``, default
  ``model.truncation``) and constant per-pixel noise baked in, so the file is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ganforge import GanforgeError


class _StyleGANFixed(nn.Module):
    """A StyleGAN2 generator with psi and the noise mode fixed (a deterministic z -> image map)."""

    def __init__(self, generator: nn.Module, psi: float):
        super().__init__()
        self.generator, self.psi = generator, float(psi)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.generator(z, truncation_psi=self.psi, noise_mode="const")


def _check(options: Mapping[str, Any], valid: tuple[str, ...], model: str) -> None:
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise GanforgeError(f"unknown gan-export option(s) {unknown} for model '{model}'; valid: {list(valid) or 'none'}")


def images_generator_for_export(module: Any, n: int, options: Mapping[str, Any]) -> tuple[nn.Module, tuple]:
    """``(network, example inputs)`` of ``module``'s sampling generator for ``n`` images."""
    from ganforge_images.models.stylegan2 import StyleGAN2
    from ganforge_images.models.translation import TranslationModel

    model = module.settings.model.name or type(module).__name__  # for messages
    generator = module.sampling_generator()
    if isinstance(module, TranslationModel):  # pix2pix, cyclegan
        _check(options, ("direction",) if len(module.DIRECTIONS) > 1 else (), model)
        direction = module.check_direction(options.get("direction"))
        size = module.image_size
        image = torch.rand(n, module.input_channels(direction), size, size) * 2 - 1
        return module.translator(generator, direction), (image,)
    if isinstance(module, StyleGAN2):
        _check(options, ("truncation",), model)
        psi = module._psi(options.get("truncation"))
        return _StyleGANFixed(generator, psi), (module.sample_noise(n),)
    _check(options, (), model)
    if module.conditional:  # cgan: one image per class in turn
        labels = torch.arange(n, device=module.device) % int(module.num_classes)
        return generator, (module.sample_noise(n), labels)
    return generator, (module.sample_noise(n),)
