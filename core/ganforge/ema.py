"""Exponential moving average of generator weights, used for sampling and metrics."""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


class EMA(nn.Module):
    """Holds a frozen copy of a network whose weights track an exponential moving average.

    ``update(source)`` blends parameters: ``shadow = d * shadow + (1 - d) * source`` with
    ``d = min(decay, (1 + t) / (10 + t))`` after ``t`` steps past ``start_step``.
    BatchNorm running statistics (``running_mean``/``running_var``) are averaged with the
    same ``d``, so the averaged weights are normalised with statistics of the same
    window of training rather than with the live network's latest ones;
    ``num_batches_tracked`` and every other buffer are copied. Before ``start_step``
    updates the copy simply follows the source.
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
        self._update_buffers(source, decay)

    def _update_buffers(self, source: nn.Module, decay: float) -> None:
        # Why average BatchNorm statistics instead of copying them or recomputing them:
        # * copying pairs the *averaged* weights with statistics of the *live* weights;
        #   a GAN generator's weights oscillate, so the two can differ widely and the
        #   EMA samples come out shifted/over- or under-scaled (issue 14).
        # * recomputing ("standing statistics") is exact but needs the network's inputs
        #   at sampling time: noise for some generators, labels or real images for
        #   conditional and translation ones, data that gan-sample and the exporters do
        #   not have, plus extra forward passes every time the weights change.
        # * averaging with the same decay as the weights costs nothing, works for every
        #   domain, and is right to first order: a layer's activation mean is linear
        #   in its weights, so over the averaging window (where EMA weights are
        #   meaningful at all, the weights move little) the statistics of the averaged
        #   weights are the average of the statistics. BigGAN-PyTorch's and timm's
        #   ModelEmaV2 likewise average every state entry, buffers included.
        #   Checkpoints and exported generators carry the averaged statistics.
        # Other buffers (counters, StyleGAN's tracked w_avg, fixed noise) are copied:
        # they are not functions of the weights being averaged.
        averaged: set[int] = set()
        for s_mod, src_mod in zip(self.shadow.modules(), source.modules()):
            if isinstance(s_mod, _BatchNorm) and s_mod.track_running_stats and s_mod.running_mean is not None:
                for name in ("running_mean", "running_var"):
                    s_buf, src_buf = getattr(s_mod, name), getattr(src_mod, name)
                    s_buf.lerp_(src_buf.detach().to(s_buf.dtype), 1.0 - decay)
                    averaged.add(id(s_buf))
        for s, b in zip(self.shadow.buffers(), source.buffers()):
            if id(s) not in averaged:
                s.copy_(b)

    def forward(self, *args, **kwargs):
        """Run the averaged network."""
        return self.shadow(*args, **kwargs)

    def train(self, mode: bool = True):
        """The shadow copy always stays in eval mode (it is only used for sampling)."""
        super().train(mode)
        self.shadow.eval()
        return self
