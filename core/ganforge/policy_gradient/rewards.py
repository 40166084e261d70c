"""Rewards of complete sequences and the baselines subtracted from them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch
from torch import Tensor, nn

RewardFn = Callable[[Tensor], Tensor]


def discriminator_reward(
    discriminator: Callable[[Tensor], Tensor], kind: Literal["prob", "logit", "log_prob"] = "prob"
) -> RewardFn:
    """Turn a discriminator returning "real" logits into a reward function.

    ``prob`` (the paper): ``sigmoid(logit)``; ``log_prob``: ``log sigmoid(logit)``;
    ``logit``: the raw logit.
    """
    transforms = {
        "prob": torch.sigmoid,
        "log_prob": nn.functional.logsigmoid,
        "logit": lambda z: z,
    }
    if kind not in transforms:
        raise ValueError(f"unknown reward kind '{kind}'; valid choices: {', '.join(sorted(transforms))}")
    fn = transforms[kind]

    def reward(tokens: Tensor) -> Tensor:
        return fn(discriminator(tokens).reshape(-1).float())

    return reward


class RewardBaseline:
    """Baseline ``b_t`` subtracted from the action values (variance reduction).

    ``kind``: ``none`` (the paper), ``batch_mean`` (mean reward of the batch at each
    position) or ``moving_average`` (exponential moving average of the per-position batch
    means over updates, with ``decay``).
    """

    KINDS = ("none", "batch_mean", "moving_average")

    def __init__(self, kind: str = "none", decay: float = 0.9):
        if kind not in self.KINDS:
            raise ValueError(f"unknown baseline '{kind}'; valid choices: {', '.join(self.KINDS)}")
        self.kind = kind
        self.decay = float(decay)
        self.average: Tensor | None = None

    def __call__(self, rewards: Tensor) -> Tensor:
        """Return the advantages ``rewards - b`` (``[B, T]``)."""
        if self.kind == "none":
            return rewards
        mean = rewards.mean(dim=0, keepdim=True)
        if self.kind == "batch_mean":
            return rewards - mean
        if self.average is None or self.average.shape != mean.shape:
            # The first update has no history: use its own batch mean.
            self.average = mean.detach().clone()
        self.average = self.average.to(rewards.device)
        advantages = rewards - self.average
        self.average = self.decay * self.average + (1.0 - self.decay) * mean.detach()
        return advantages
