"""The optimizers a model's ``optim.name`` selects, built with ganforge's defaults."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "sgd": torch.optim.SGD,
}


def make_optimizer(name: str, params: Iterable[torch.nn.Parameter], lr: float, weight_decay: float,
                   betas: tuple[float, float] = (0.5, 0.999), fused: Any = "auto") -> torch.optim.Optimizer:
    """``OPTIMIZERS[name]`` over ``params``; Adam/AdamW get ``betas`` and, with ``fused``
    ``true`` (or ``auto`` when every parameter is on a GPU), the fused kernel."""
    params = list(params)
    kwargs = {"lr": float(lr), "weight_decay": float(weight_decay)}
    if name in ("adam", "adamw"):
        kwargs["betas"] = betas
        # one fused kernel per step instead of one per tensor: launch overhead
        # dominates small networks (SeqGAN's D, NetGAN) on a GPU
        on_cuda = bool(params) and all(p.is_cuda for p in params)
        if fused is True or (fused == "auto" and on_cuda):
            kwargs["fused"] = True
    return OPTIMIZERS[name](params, **kwargs)
