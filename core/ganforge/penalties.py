"""Gradient regularisers for discriminators: WGAN-GP and R1."""

from __future__ import annotations

from collections.abc import Callable

import torch


def _flat_grad_norm_sq(outputs: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    (grad,) = torch.autograd.grad(
        outputs=outputs.sum(), inputs=inputs, create_graph=True, retain_graph=True
    )
    return grad.reshape(grad.shape[0], -1).pow(2).sum(dim=1)


def interpolate(real: torch.Tensor, fake: torch.Tensor, alpha: torch.Tensor | None = None) -> torch.Tensor:
    """Random points on straight lines between paired real and fake samples.

    ``alpha`` (shape ``[batch]``) defaults to U(0, 1) per sample. Works for any tensor
    rank, and for one-hot/relaxed token tensors as well as images and waveforms.
    """
    if alpha is None:
        alpha = torch.rand(real.shape[0], device=real.device, dtype=real.dtype)
    alpha = alpha.reshape(-1, *([1] * (real.dim() - 1)))
    return (alpha * real + (1.0 - alpha) * fake).requires_grad_(True)


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    alpha: torch.Tensor | None = None,
    target: float = 1.0,
) -> torch.Tensor:
    """WGAN-GP penalty (Gulrajani et al. 2017): E[(||grad critic(x_hat)|| - target)^2].

    ``critic`` maps a batch to scores; extra conditioning is closed over by the caller
    (e.g. ``lambda x: D(x, labels)``). The caller multiplies by the weight (lambda=10).
    """
    x_hat = interpolate(real.detach(), fake.detach(), alpha)
    norms = _flat_grad_norm_sq(critic(x_hat), x_hat).add(1e-12).sqrt()
    return ((norms - target) ** 2).mean()


def r1_penalty(critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor) -> torch.Tensor:
    """R1 penalty (Mescheder et al. 2018): E[||grad critic(x_real)||^2] (caller scales by gamma/2)."""
    x = real.detach().requires_grad_(True)
    return _flat_grad_norm_sq(critic(x), x).mean()
