"""Reading folders of images (PNG/JPEG, recursive) into normalised tensors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, UnidentifiedImageError

from ganforge.errors import GanforgeError

log = logging.getLogger("ganforge.images")

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


def list_images(folder: str | Path) -> list[Path]:
    """All image files below ``folder`` (recursive, sorted for determinism)."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise GanforgeError(f"data.path={folder}: not a directory; expected a folder of PNG/JPEG images")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise GanforgeError(f"data.path={folder}: no image files ({', '.join(IMAGE_SUFFIXES)}) found (searched recursively)")
    return files


def read_image(path: Path, channels: int) -> np.ndarray | None:
    """One image as ``[H, W, C]`` uint8 with ``channels`` 1 or 3; ``None`` if unreadable."""
    try:
        with Image.open(path) as im:
            im = im.convert("L" if channels == 1 else "RGB")
            arr = np.asarray(im, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        log.warning("skipping unreadable image %s (%s)", path, exc)
        return None
    return arr[:, :, None] if arr.ndim == 2 else arr


def detect_channels(files: Sequence[Path]) -> int:
    """1 if every one of the first images is grayscale, else 3."""
    for path in files[:32]:
        try:
            with Image.open(path) as im:
                if im.mode not in ("L", "1", "I;16", "I"):
                    return 3
        except (UnidentifiedImageError, OSError):
            continue
    return 1


def to_model_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 ``[N, C, H, W]`` (0..255) -> float in [-1, 1] (the generators' tanh range)."""
    return images.float().div_(127.5).sub_(1.0)


def from_model_range(images: torch.Tensor) -> torch.Tensor:
    """float in [-1, 1] -> float in [0, 1] for saving."""
    return images.detach().float().add(1.0).mul(0.5).clamp_(0.0, 1.0)


def resize_center_crop(images: torch.Tensor, size: int) -> torch.Tensor:
    """Resize so the shorter side is ``size`` (antialiased bilinear), then center-crop to square.

    Works on a float batch ``[N, C, H, W]``.
    """
    h, w = images.shape[-2:]
    if (h, w) != (size, size):
        scale = size / min(h, w)
        nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
        images = F.interpolate(images, size=(nh, nw), mode="bilinear", antialias=True, align_corners=False)
        top, left = (nh - size) // 2, (nw - size) // 2
        images = images[..., top : top + size, left : left + size]
    return images


def prepare_array(images: np.ndarray, size: int, channels: int) -> torch.Tensor:
    """uint8 ``[N, H, W]`` or ``[N, H, W, C]`` -> float ``[N, channels, size, size]`` in [-1, 1]."""
    t = torch.from_numpy(np.ascontiguousarray(images))
    if t.dim() == 3:
        t = t.unsqueeze(-1)
    t = t.permute(0, 3, 1, 2)
    if t.shape[1] == 1 and channels == 3:
        t = t.expand(-1, 3, -1, -1)
    elif t.shape[1] == 3 and channels == 1:
        # ITU-R 601 luma, as PIL's convert("L")
        t = 0.299 * t[:, 0:1].float() + 0.587 * t[:, 1:2].float() + 0.114 * t[:, 2:3].float()
    out = []
    for chunk in torch.split(t, 1024):  # bounded memory for large sets
        out.append(resize_center_crop(to_model_range(chunk), size))
    return torch.cat(out)


def load_folder(folder: str | Path, size: int, channels: int | None = None) -> tuple[torch.Tensor, list[Path]]:
    """All readable images below ``folder`` as ``[N, C, size, size]`` floats in [-1, 1].

    Images of different sizes are each resized and center-cropped. Unreadable files are
    logged by name and skipped; if none is readable the error names the folder.
    """
    files = list_images(folder)
    channels = channels or detect_channels(files)
    tensors, kept = [], []
    for path in files:
        arr = read_image(path, channels)
        if arr is None:
            continue
        tensors.append(prepare_array(arr[None], size, channels))
        kept.append(path)
    skipped = len(files) - len(kept)
    if skipped:
        log.warning("%d of %d files in %s could not be read and were skipped", skipped, len(files), folder)
    if not tensors:
        raise GanforgeError(f"data.path={folder}: none of the {len(files)} image files could be read")
    return torch.cat(tensors), kept
