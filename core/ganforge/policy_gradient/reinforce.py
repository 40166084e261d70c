"""The REINFORCE loss of a token policy: ``-sum_t log p(y_t | y_<t) * A_t``."""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor


def policy_gradient_loss(
    log_probs: Tensor,
    advantages: Tensor,
    mask: Tensor | None = None,
    reduction: Literal["sum", "mean", "sequence_mean"] = "sum",
) -> Tensor:
    """REINFORCE loss ``-sum log p(y_t|y_<t) * A_t`` (advantages are treated as constants).

    Args:
        log_probs: ``[B, T]`` log-probabilities of the sampled tokens (with grad).
        advantages: ``[B, T]`` action values minus baseline.
        mask: optional ``[B, T]`` 0/1 weights (e.g. to ignore padding).
        reduction: ``sum`` over batch and time (the official SeqGAN code), ``mean`` over
            all (unmasked) tokens, or ``sequence_mean`` (sum over time, mean over batch).
    """
    if log_probs.shape != advantages.shape:
        raise ValueError(f"log_probs {tuple(log_probs.shape)} and advantages {tuple(advantages.shape)} differ")
    term = log_probs * advantages.detach().to(log_probs.dtype)
    if mask is not None:
        term = term * mask.to(term.dtype)
    if reduction == "sum":
        return -term.sum()
    if reduction == "sequence_mean":
        return -term.sum() / log_probs.shape[0]
    if reduction == "mean":
        count = mask.sum().clamp_min(1) if mask is not None else torch.tensor(term.numel(), device=term.device)
        return -term.sum() / count
    raise ValueError(f"unknown reduction '{reduction}'; valid choices: mean, sequence_mean, sum")
