"""Opt-in speed features a GPU user expects: ``trainer.compile`` and ``trainer.channels_last``
(mixed precision is Lightning's ``trainer.precision``: ``bf16-mixed``, ``16-mixed`` with its
GradScaler).

Both act on the networks in place, once training starts, so nothing else changes:
parameters stay the same objects (optimizers keep them), checkpoints keep their keys
(``nn.Module.compile`` wraps the call, not the module, unlike ``torch.compile(module)``
whose ``_orig_mod.`` prefix would break loading), and the EMA copy -- built before --
stays an eager module for sampling.
"""

from __future__ import annotations

from typing import Any

import lightning.pytorch as pl
import torch
from torch import nn


def _networks(module: Any) -> list[nn.Module]:
    """The trained networks: ``generator`` and ``discriminator``, or their parts when a model
    keeps several in a ModuleDict/ModuleList (CycleGAN's two of each)."""
    found: list[nn.Module] = []
    for name in ("generator", "discriminator"):
        net = getattr(module, name, None)
        if isinstance(net, (nn.ModuleDict, nn.ModuleList)):
            found += [m for m in (net.values() if isinstance(net, nn.ModuleDict) else net)]
        elif isinstance(net, nn.Module):
            found.append(net)
    return found


class SpeedOptions(pl.Callback):
    """Applies ``trainer.channels_last`` (4-D weights in NHWC order, the layout tensor cores
    and oneDNN prefer for convolutions) and ``trainer.compile`` (``nn.Module.compile`` of each
    network) at the start of fit."""

    def __init__(self, compile: bool = False, channels_last: bool = False):
        self.compile = bool(compile)
        self.channels_last = bool(channels_last)
        self.compiled: list[nn.Module] = []

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """After the EMA copy and any checkpoint restore, before the first batch."""
        if self.channels_last:
            for net in _networks(pl_module):
                net.to(memory_format=torch.channels_last)  # in place: same Parameter objects
        if self.compile:
            for net in _networks(pl_module):
                net.compile()
                self.compiled.append(net)
