"""Opt-in speed features a GPU user expects: ``trainer.compile`` and ``trainer.channels_last``
(mixed precision is Lightning's ``trainer.precision``: ``bf16-mixed``, ``16-mixed`` with its
GradScaler, and ganforge's ``auto``: see :mod:`ganforge._internal.precision`).

Both act on the networks in place, so nothing else changes: parameters stay the same
objects (optimizers keep them) and checkpoints keep their keys (``nn.Module.compile`` wraps
the call, not the module, unlike ``torch.compile(module)`` whose ``_orig_mod.`` prefix
would break loading). channels_last is applied at ``setup``, before the module builds its
EMA copy (which inherits the layout) and before a DDP wrapper builds its gradient buckets
(whose strides must match the parameters'); compile at the start of fit, after the EMA copy,
which stays an eager module for sampling.
"""

from __future__ import annotations

import logging
from typing import Any

import lightning.pytorch as pl
import torch
from torch import nn

log = logging.getLogger("ganforge")


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


def match_state_layout(optimizer: torch.optim.Optimizer) -> int:
    """Give every per-parameter state tensor (Adam's moments) its parameter's memory layout;
    returns how many were converted.

    Why: torch's fused CPU Adam (what ``optim.fused=auto`` picks) pairs a parameter with its
    moments as flat memory, so moments in another layout than the parameter -- restored from a
    checkpoint of a run with the other ``trainer.channels_last`` -- would be updated against the
    wrong elements without any error (measured with torch 2.14); ``Optimizer.load_state_dict``
    keeps the saved strides.
    """
    converted = 0
    for group in optimizer.param_groups:
        for param in group["params"]:
            for key, value in optimizer.state.get(param, {}).items():
                if torch.is_tensor(value) and value.shape == param.shape and value.stride() != param.stride():
                    optimizer.state[param][key] = torch.empty_like(param, dtype=value.dtype).copy_(value)
                    converted += 1
    return converted


class SpeedOptions(pl.Callback):
    """Applies ``trainer.channels_last`` (4-D weights in NHWC order, the layout tensor cores
    and oneDNN prefer for convolutions) and ``trainer.compile`` (``nn.Module.compile`` of each
    network) at the start of fit."""

    def __init__(self, compile: bool = False, channels_last: bool = False):
        self.compile = bool(compile)
        self.channels_last = bool(channels_last)
        self.compiled: list[nn.Module] = []

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        """Callbacks' setup runs before the module's (EMA copy) and before the strategy wraps it (DDP)."""
        if self.channels_last:
            for net in _networks(pl_module):
                net.to(memory_format=torch.channels_last)  # in place: same Parameter objects

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """After a checkpoint's optimizer state is restored: moments in their parameters' layout."""
        converted = sum(match_state_layout(optimizer) for optimizer in trainer.optimizers)
        if converted:
            log.info("resumed optimizer state: %d moment tensors converted to their weights' memory layout", converted)

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """After the EMA copy and any checkpoint restore, before the first batch."""
        if self.compile:
            for net in _networks(pl_module):
                net.compile()
                self.compiled.append(net)
