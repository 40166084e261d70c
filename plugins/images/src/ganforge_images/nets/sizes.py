"""Size arithmetic shared by the image networks (start sizes, padding to a multiple)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganforge.errors import GanforgeError


def upsampling_plan(image_size: int, min_start: int = 3, max_start: int = 7) -> tuple[int, int]:
    """Split ``image_size`` into ``start * 2**n`` with ``min_start <= start <= max_start``.

    Generators start from a ``start x start`` map and double it ``n`` times, so one
    architecture covers 28 (7*2^2), 32 (4*2^3), 64 (4*2^4) and 256 (4*2^6).
    """
    size = int(image_size)
    if size < min_start:
        raise GanforgeError(f"data.size={image_size}: expected at least {min_start}")
    start, n = size, 0
    while start % 2 == 0 and start // 2 >= min_start:
        start //= 2
        n += 1
    if start > max_start:
        raise GanforgeError(
            f"data.size={image_size}: expected start*2^n with {min_start}<=start<={max_start} "
            "(e.g. 28, 32, 48, 64, 128, 256)"
        )
    return start, n


def downsampled_size(size: int, kernel: int = 4, stride: int = 2, padding: int = 1) -> int:
    """Output length of one convolution (the formula of ``nn.Conv2d``)."""
    return (size + 2 * padding - kernel) // stride + 1


def pad_to_multiple(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, tuple[int, int]]:
    """Pad H and W (bottom/right, replicated edge) up to a multiple; return the original (H, W).

    Encoder-decoder generators need sizes divisible by their total stride; padding and
    cropping back keeps "output size equals input size" for any input (e.g. 28x28).
    """
    h, w = x.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        x = F.pad(x, (0, pw, 0, ph), mode="replicate")
    return x, (h, w)


def crop_to(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Crop H and W back to ``size`` (inverse of :func:`pad_to_multiple`)."""
    return x[..., : size[0], : size[1]]
