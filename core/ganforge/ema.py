"""Exponential moving average of generator weights, used for sampling and metrics."""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA(nn.Module):
    """Holds a frozen copy of a network whose weights track an exponential moving average.

    ``update(source)`` blends parameters: ``shadow = d * shadow + (1 - d) * source`` with
    ``d = min(decay, (1 + t) / (10 + t))`` after ``t`` steps past ``start_step``;
    buffers (BatchNorm running statistics) are copied, since averaging them has no
    meaning. Before ``start_step`` updates the copy simply follows the source.
    """

    def __init__(self, source: nn.Module, decay: float = 0.999, start_step: int = 0):
        super().__init__()
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"ema.decay must be in [0, 1), got {decay}")
        self.decay = float(decay)
        self.start_step = int(start_step)
        self.shadow = copy.deepcopy(source)
        self.shadow.requires_grad_(False)
        self.shadow.eval()

    @torch.no_grad()
    def update(self, source: nn.Module, step: int) -> None:
        """Blend ``source``'s current weights into the shadow copy (``step`` = generator steps done)."""
        # warm-up: early on the average would mostly remember the random initial
        # weights, so the effective decay grows as (1 + t) / (10 + t) up to ``decay``
        t = step - self.start_step
        decay = min(self.decay, (1.0 + t) / (10.0 + t)) if step >= self.start_step else 0.0
        for s, p in zip(self.shadow.parameters(), source.parameters()):
            s.lerp_(p.detach().to(s.dtype), 1.0 - decay)
        for s, b in zip(self.shadow.buffers(), source.buffers()):
            s.copy_(b)

    def forward(self, *args, **kwargs):
        """Run the averaged network."""
        return self.shadow(*args, **kwargs)

    def train(self, mode: bool = True):
        """The shadow copy always stays in eval mode (it is only used for sampling)."""
        super().train(mode)
        self.shadow.eval()
        return self
