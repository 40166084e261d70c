"""Normalisation layers chosen by name in the translation networks' configs."""

from __future__ import annotations

from typing import Callable

from torch import nn

from ganforge.errors import choices_error

NORMS: dict[str, Callable[[int], nn.Module]] = {
    "batch": nn.BatchNorm2d,
    # CycleGAN's choice: statistics per image, no running averages (affine=False default).
    "instance": nn.InstanceNorm2d,
    "none": lambda channels: nn.Identity(),
}


def norm_layer(name: str, channels: int, key: str = "model.norm") -> nn.Module:
    """Build the normalisation layer ``name`` (``batch``, ``instance`` or ``none``)."""
    if name not in NORMS:
        raise choices_error("norm", name, NORMS, where=key)
    return NORMS[name](channels)


def uses_bias(name: str) -> bool:
    """Convolutions before BatchNorm need no bias (BN's shift replaces it)."""
    return name != "batch"
