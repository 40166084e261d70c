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
from ganforge.progress import track

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


#: Images whose shorter side is below this many pixels are rejected (``data.min_image_size``).
MIN_IMAGE_SIZE = 8
#: PIL modes of one-channel images (16-bit and float ones included).
GREY_MODES = ("L", "1", "LA", "La", "I", "F", "I;16", "I;16B", "I;16L", "I;16N")
#: Files named one by one in warnings about skipped images; the rest are only counted.
NAMED_SKIPS = 5


def _grey_to_uint8(im: Image.Image, path: Path) -> np.ndarray:
    """A 16-bit, 32-bit integer or float grey image as uint8 ``[H, W]``, scaled (not clipped).

    PIL's ``convert("L")`` clips ``I;16`` values above 255, which turns a 16-bit PNG almost
    white; here 0..65535 maps to 0..255. Float images in [0, 1] are scaled by 255, other
    float ranges are clipped to 0..255; NaN/inf pixels reject the file.
    """
    arr = np.asarray(im)
    if im.mode == "F":
        arr = arr.astype(np.float64)
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        if bad:
            raise ValueError(f"{bad} NaN/inf pixel(s); expected finite values")
        if arr.size and arr.min() >= 0.0 and arr.max() <= 1.0:
            arr = arr * 255.0
        return np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    # I;16* are 0..65535; mode I (32-bit) is what older Pillows give for 16-bit PNGs
    arr = np.clip(arr.astype(np.int64), 0, 65535)
    return np.rint(arr / 257.0).astype(np.uint8)


def decode_image(path: Path, channels: int) -> np.ndarray:
    """One image as ``[H, W, C]`` uint8 with ``channels`` 1 or 3 (16-bit and float images scaled).

    Raises ``ValueError``/``OSError`` (with a reason) for a file that is not a readable image.
    """
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in ("I", "F") or im.mode.startswith("I;16"):
                grey = Image.fromarray(_grey_to_uint8(im, path))
                im = grey if channels == 1 else grey.convert("RGB")
            else:
                im = im.convert("L" if channels == 1 else "RGB")
            arr = np.array(im, dtype=np.uint8)  # a writable copy
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not a readable image ({exc})") from None
    return arr[:, :, None] if arr.ndim == 2 else arr


def degenerate_reason(arr: np.ndarray, min_size: int = MIN_IMAGE_SIZE) -> str | None:
    """Why a decoded ``[H, W, C]`` image is unusable as training data, or ``None`` if it is fine.

    Too small (shorter side under ``min_size`` pixels: upscaling a 1x1 image to the model's
    size only trains a flat colour) or constant (every pixel the same value).
    """
    h, w = arr.shape[:2]
    if min(h, w) < min_size:
        return f"is {w}x{h} pixels; expected at least {min_size}x{min_size} (data.min_image_size)"
    if arr.size and int(arr.max()) == int(arr.min()):
        return f"is constant (every pixel = {int(arr.flat[0])}); expected an image with content"
    return None


def read_image(path: Path, channels: int, min_size: int = 0) -> np.ndarray | None:
    """One image as ``[H, W, C]`` uint8 with ``channels`` 1 or 3; ``None`` (logged by name) if unusable.

    ``min_size`` > 0 also rejects degenerate images (see :func:`degenerate_reason`).
    """
    try:
        arr = decode_image(path, channels)
    except (OSError, ValueError) as exc:
        log.warning("skipping unreadable image %s (%s)", path, exc)
        return None
    reason = degenerate_reason(arr, min_size) if min_size > 0 else None
    if reason:
        log.warning("skipping image %s: it %s", path, reason)
        return None
    return arr


def detect_channels(files: Sequence[Path]) -> int:
    """1 if every image is grayscale (8-bit, 16-bit or float), else 3 (a mixed folder is read as colour).

    Only headers are read (PIL opens lazily), which is cheap next to decoding every file.
    """
    for path in files:
        try:
            with Image.open(path) as im:
                if im.mode not in GREY_MODES:
                    return 3
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
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


def usable_images(folder: str | Path, channels: int | None = None, min_size: int = MIN_IMAGE_SIZE):
    """Check every image below ``folder`` once; returns ``(channels, [(path, [H, W, C] uint8), ...])`` lazily.

    The second item is a generator: each usable image is decoded once and handed over
    (the caller keeps it or drops it, which is what keeps a streaming scan's memory flat).
    Files that cannot be decoded and degenerate images (smaller than ``min_size`` pixels,
    or constant) are skipped with a warning naming them (the first few by name, then a
    count); if none is usable the error names the folder and the first rejected file.
    A bar shows the scan of large folders (:func:`ganforge.progress.track`).
    """
    files = list_images(folder)
    channels = channels or detect_channels(files)

    def scan():
        rejected, kept = [], 0
        for path in track(files, f"checking {len(files)} images in {Path(folder).name}"):
            try:
                arr = decode_image(path, channels)
                reason = degenerate_reason(arr, min_size) if min_size > 0 else None
            except (OSError, ValueError) as exc:
                arr, reason = None, f"is not a readable image ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
            if reason:
                rejected.append((path, reason))
                if len(rejected) <= NAMED_SKIPS:
                    log.warning("skipping %s: it %s", path, reason)
                continue
            kept += 1
            yield path, arr
        if not kept:
            first, why = rejected[0]
            raise GanforgeError(f"data.path={folder}: none of the {len(files)} image files is usable; e.g. {first} {why}")
        if rejected:
            log.warning(
                "skipped %d of %d image files in %s (unreadable, smaller than %dx%d or constant)",
                len(rejected), len(files), folder, min_size, min_size,
            )

    return channels, scan()


def load_folder(
    folder: str | Path, size: int, channels: int | None = None, min_size: int = MIN_IMAGE_SIZE
) -> tuple[torch.Tensor, list[Path]]:
    """All usable images below ``folder`` as ``[N, C, size, size]`` floats in [-1, 1] (in memory).

    Images of different sizes are each resized and center-cropped; unusable files are
    skipped as :func:`usable_images` says.
    """
    channels, images = usable_images(folder, channels, min_size)
    tensors, kept = [], []
    for path, arr in images:
        tensors.append(prepare_array(arr[None], size, channels))
        kept.append(path)
    return torch.cat(tensors), kept


def scan_folder(folder: str | Path, channels: int | None = None, min_size: int = MIN_IMAGE_SIZE) -> tuple[list[Path], int]:
    """The usable image files below ``folder`` and their channel count, keeping no pixels (streaming)."""
    channels, images = usable_images(folder, channels, min_size)
    return [path for path, _ in images], channels
