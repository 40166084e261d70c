"""Perceptual path length (Karras et al. 2019, StyleGAN2's ``ppl_wend``) in a local feature space.

The paper measures how much the image changes for a small step in W: for random pairs
``(w0, w1)``, ``d = ||f(G(lerp(w0, w1, t))) - f(G(lerp(w0, w1, t + eps)))||^2 / eps^2`` with
``t = 0`` ("end" sampling), constant noise, ``f`` the LPIPS/VGG16 embedding; the mean of the
values between the 1st and 99th percentiles. No VGG weights ship with ganforge (and nothing
is downloaded), so ``f`` here is a feature network that is there -- the reference classifier
(or Inception when configured) -- with per-sample unit-normalised features, as LPIPS
normalises its channels. The figures are comparable between runs on the same data and
feature network, not with the paper's LPIPS numbers. torchmetrics' PPL needs LPIPS weights
and a generator with its own ``sample`` interface, hence this short implementation.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

from ganforge.utils import seeded


@torch.no_grad()
def path_lengths(generator: Any, features: Callable[[torch.Tensor], torch.Tensor], n: int, z_dim: int,
                 eps: float = 1e-4, batch: int = 100, normalize: bool = True, seed: int = 0,
                 device: torch.device | str = "cpu") -> np.ndarray:
    """``n`` path-length samples of ``generator`` (it has ``mapping(z, psi)`` -> ws and
    ``synthesis(ws, noise_mode)`` -> images, as StyleGAN2's does)."""
    out = []
    with seeded(seed, device):
        for start in range(0, n, batch):
            k = min(batch, n - start)
            z = torch.randn(2 * k, z_dim, device=device)
            ws = generator.mapping(z, 1.0)
            w0, w1 = ws[:k], ws[k:]
            pair = torch.cat([w0, w0.lerp(w1, eps)])  # t = 0 and t + eps ("end" sampling)
            f = features(generator.synthesis(pair, "const")).flatten(1).double()
            if normalize:
                f = f / f.norm(dim=1, keepdim=True).clamp_min(1e-12)
            out.append(((f[:k] - f[k:]).square().sum(1) / eps**2).cpu())
    return torch.cat(out).numpy()


def perceptual_path_length(values: np.ndarray) -> float:
    """The paper's summary: the mean of the samples between the 1st and 99th percentiles."""
    lo, hi = np.percentile(values, 1, method="lower"), np.percentile(values, 99, method="higher")
    return float(values[(values >= lo) & (values <= hi)].mean())
