"""DiffAugment (Zhao et al. 2020) for every image GAN here, and ADA's adaptive probability.

``model.diffaugment=color+translation+cutout`` (any subset, applied in that order; from
Python, a list of names works too)
makes the discriminator see augmented images -- real and fake alike, in the D step, the G
step and inside gradient penalties -- through differentiable transforms, so G gets
gradients through them and learns the un-augmented distribution. It is attached in one
place, :func:`attach_diffaugment` (called by the images domain's ``build_module`` with the
``model`` keys, or by hand on a model built in Python), as a
forward pre-hook on the model's discriminator network(s) (the mechanism and ADA are the
core's :mod:`ganforge.augment`; this module supplies the image transforms); model code is unchanged.

* ``color``: brightness +U(-0.5, 0.5), saturation x U(0, 2), contrast x U(0.5, 1.5);
* ``translation``: shift by up to 1/8 of the image size, zero fill;
* ``cutout``: one zeroed square of half the image size at a random position.

``model.augment_p`` (1 in ``domain/images.yaml``, DiffAugment's setting) applies each transform to each
image with that probability. ``model.ada_target`` (e.g. 0.6; models that report their
real logits, i.e. stylegan2) adapts that probability with ADA's heuristic (Karras et al.
2020b): every ``model.ada_interval`` (4; default in :mod:`ganforge_images.schemas`) D steps, ``r_t = E[sign(D(real))]``; p moves by
``sign(r_t - target) * batch * interval / (ada_kimg * 1000)`` (ada_kimg 500: p can go
from 0 to 1 in 500k images), clamped to [0, 1], starting at 0.

Hand-written because kornia's/torchvision's augmentations are not the DiffAugment
transforms (different ranges, and no per-sample differentiable translation with zero fill).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ganforge import augment as core_augment


def brightness(x: torch.Tensor) -> torch.Tensor:
    """Add U(-0.5, 0.5) per image."""
    return x + (torch.rand(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype) - 0.5)


def saturation(x: torch.Tensor) -> torch.Tensor:
    """Scale the deviation from the per-pixel channel mean by U(0, 2) per image."""
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) * (torch.rand(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype) * 2) + mean


def contrast(x: torch.Tensor) -> torch.Tensor:
    """Scale the deviation from the image mean by U(0.5, 1.5) per image."""
    mean = x.mean(dim=[1, 2, 3], keepdim=True)
    return (x - mean) * (torch.rand(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype) + 0.5) + mean


def translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Shift each image by integers in ``[-s, s]`` (``s = round(ratio * size)``), filling with zeros."""
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    ty = torch.randint(-sh, sh + 1, (n, 1, 1), device=x.device)
    tx = torch.randint(-sw, sw + 1, (n, 1, 1), device=x.device)
    ys = torch.arange(h, device=x.device).reshape(1, h, 1) + ty + sh  # source rows in the padded image
    xs = torch.arange(w, device=x.device).reshape(1, 1, w) + tx + sw
    padded = nn.functional.pad(x, [sw, sw, sh, sh]).permute(0, 2, 3, 1)  # [N, H', W', C]
    batch = torch.arange(n, device=x.device).reshape(n, 1, 1)
    return padded[batch, ys, xs].permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """Zero one square of side ``round(ratio * size)`` per image, centred anywhere (clipped at the border)."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    oy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device) - ch // 2
    ox = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device) - cw // 2
    ys = torch.arange(h, device=x.device).reshape(1, h, 1)
    xs = torch.arange(w, device=x.device).reshape(1, 1, w)
    inside = (ys >= oy) & (ys < oy + ch) & (xs >= ox) & (xs < ox + cw)
    return x * (~inside).unsqueeze(1).to(x.dtype)


POLICIES = {"color": (brightness, saturation, contrast), "translation": (translation,), "cutout": (cutout,)}


def parse_policy(value: Any) -> list[str]:
    """``"color,translation,cutout"``, ``"color+cutout"`` or a list -> names; empty/``none``/null -> []."""
    return core_augment.parse_policy(value, POLICIES)


class DiffAugment(core_augment.DiffAugment):
    """The images domain's augmentation in front of the discriminator (:data:`POLICIES`);
    ``p`` is a buffer (checkpointed). See :class:`ganforge.augment.DiffAugment`."""

    def __init__(self, policy: list[str], p: float = 1.0, ada_target: float | None = None,
                 ada_interval: int = 4, ada_kimg: float = 500.0):
        super().__init__(POLICIES, policy, p, ada_target, ada_interval, ada_kimg)


def attach_diffaugment(module: nn.Module, policy: Any, *, p: float, ada_target: float | None,
                       ada_interval: int, ada_kimg: float) -> core_augment.DiffAugment | None:
    """Hook DiffAugment with ``policy`` (``"color+translation+cutout"``, a list of names, or
    null/empty: nothing) in front of ``module``'s discriminator(s), active only while they are
    in training mode; sets ``module.diffaugment``. ``p``, ``ada_target``, ``ada_interval`` and
    ``ada_kimg`` are :class:`DiffAugment`'s (the images domain's builder passes the ``model``
    keys of the same names; errors name those keys). ADA needs a model that reports its real
    logits (stylegan2)."""
    return core_augment.attach_diffaugment(module, POLICIES, policy, p=p, ada_target=ada_target,
                                           ada_interval=ada_interval, ada_kimg=ada_kimg)
