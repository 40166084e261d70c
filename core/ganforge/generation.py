"""Latent-space generation tools behind ``gan-sample interpolate=K`` and ``truncation=PSI``.

Both work for every model that draws its latent through
:meth:`~ganforge.module.AdversarialModule.sample_noise` (DCGAN, WGAN-GP, CGAN,
WaveGAN, SpecGAN, third-party models on the default hooks): the tools substitute the
latent batch the model asks for, whatever its shape or distribution. A model without a
continuous latent (translation, token sequences, CELL) gets a one-line error, detected
by the model never asking for a latent. Models with their own implementation (StyleGAN2
interpolates and truncates in w space) list the option in ``SAMPLE_OPTIONS`` and get it
passed through unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import torch

from ganforge.errors import GanforgeError

#: rejection rounds before truncation gives up (psi so small nothing is ever accepted)
MAX_TRUNCATION_ROUNDS = 10_000


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation between rows of ``a`` and ``b`` (flattened per row) at
    fractions ``t`` (``[steps]``): ``[rows, steps, *shape]``. Keeps the norm typical of
    high-dimensional Gaussian latents, where a straight line passes through the
    low-density region near the origin (White, 2016)."""
    fa, fb = a.flatten(1), b.flatten(1)
    cos = (fa * fb).sum(1) / (fa.norm(dim=1) * fb.norm(dim=1)).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1 + 1e-7, 1 - 1e-7))[:, None]  # [rows, 1]
    t = t.to(a)[None, :]  # [1, steps]
    so = torch.sin(omega)
    wa, wb = torch.sin((1 - t) * omega) / so, torch.sin(t * omega) / so  # [rows, steps]
    out = wa[..., None] * fa[:, None] + wb[..., None] * fb[:, None]
    return out.reshape(a.shape[0], t.shape[1], *a.shape[1:])


def truncate(draw: Callable[[int], torch.Tensor], n: int, psi: float) -> torch.Tensor:
    """``n`` latents from ``draw`` with every entry redrawn until ``|z| <= psi`` (the
    truncation trick of BigGAN: a truncated normal for Gaussian latents, U(-psi, psi)
    for uniform ones). Smaller psi: less variety, more typical samples."""
    if not psi > 0:
        raise GanforgeError(f"truncation={psi}: expected a positive threshold (e.g. 0.5 .. 2)")
    z = draw(n)
    for _ in range(MAX_TRUNCATION_ROUNDS):
        bad = z.abs() > psi
        if not bool(bad.any()):
            return z
        z = torch.where(bad, draw(n), z)
    raise GanforgeError(f"truncation={psi}: too small for this model's latent distribution (no draws within it)")


def interpolation_latents(draw: Callable[[int], torch.Tensor], paths: int, steps: int) -> torch.Tensor:
    """``paths * steps`` latents: ``paths`` great-circle paths of ``steps`` points between
    two random latents each, path-major (row ``i`` of a sheet is path ``i``)."""
    a, b = draw(paths), draw(paths)
    return slerp(a, b, torch.linspace(0, 1, steps)).flatten(0, 1)


@contextlib.contextmanager
def latent_override(module: Any, make: Callable[[Callable[[int], torch.Tensor], int], torch.Tensor],
                    option: str) -> Iterator[None]:
    """While active, ``module.sample_noise(n)`` returns ``make(original_draw, n)``.

    Raises a one-line error afterwards when the model never drew a latent (the option
    would silently have done nothing)."""
    original = module.sample_noise
    calls = [0]

    def sample_noise(n: int) -> torch.Tensor:
        calls[0] += 1
        return make(original, n)

    module.sample_noise = sample_noise  # instance attribute shadows the method
    try:
        yield
    finally:
        del module.sample_noise
    if not calls[0]:
        model = module.settings.model.name or type(module).__name__
        raise GanforgeError(
            f"{option}: model '{model}' has no continuous latent per sample to work on (its samples are not drawn "
            "from one latent through sample_noise); models with one: dcgan, wgan-gp, cgan, stylegan2, wavegan, specgan"
        )


def parse_steps(value: str) -> int:
    """``interpolate=K``: an integer K >= 2."""
    try:
        steps = int(value)
    except ValueError:
        steps = 0
    if steps < 2:
        raise GanforgeError(f"interpolate={value}: expected an integer number of steps >= 2 (e.g. interpolate=8)")
    return steps


def parse_psi(value: str) -> float:
    """``truncation=PSI``: a positive number."""
    try:
        psi = float(value)
    except ValueError:
        psi = float("nan")
    if not psi > 0:
        raise GanforgeError(f"truncation={value}: expected a positive number (e.g. truncation=0.7)")
    return psi
