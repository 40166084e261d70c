"""Writing image samples as PNG files (grids for run dirs, one file each for gan-sample)."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torchvision.utils import save_image

from ganforge_images.data.folder import from_model_range


def save_grid(images: torch.Tensor, path: Path, nrow: int | None = None) -> Path:
    """Save ``[N, C, H, W]`` images in [-1, 1] as one PNG grid (square-ish by default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nrow = nrow or max(1, int(math.ceil(math.sqrt(images.shape[0]))))
    save_image(from_model_range(images.cpu()), str(path), nrow=nrow, padding=2)
    return path


def save_individual(images: torch.Tensor, out_dir: Path, stem: str) -> list[Path]:
    """Save each image of ``[N, C, H, W]`` (in [-1, 1]) as ``<stem>_<i>.png``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    width = max(4, len(str(images.shape[0] - 1)))
    for i, img in enumerate(from_model_range(images.cpu())):
        p = out_dir / f"{stem}_{i:0{width}d}.png"
        save_image(img, str(p))
        paths.append(p)
    return paths


def export_images(images: torch.Tensor, out_dir: Path, stem: str, individual: bool) -> list[Path]:
    """Grid ``<stem>.png`` or one PNG per image."""
    if individual:
        return save_individual(images, out_dir, stem)
    return [save_grid(images, out_dir / f"{stem}.png")]
