"""Readers for MNIST-style data: IDX files (optionally gzipped) and npz archives."""

from __future__ import annotations

import gzip
import logging
import zipfile
from pathlib import Path

import numpy as np

from ganforge.errors import GanforgeError

log = logging.getLogger("ganforge.images")

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (the MNIST/Fashion-MNIST format), gzipped or not.

    Hand-written because the format is 10 lines and torchvision's reader is private API.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as exc:
        raise GanforgeError(f"{path}: cannot read IDX file ({exc})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise GanforgeError(f"{path}: not an IDX file (bad magic number {data[:4].hex()}); expected MNIST-style idx(.gz)")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    arr = np.frombuffer(data, dtype=np.dtype(_IDX_DTYPES[data[2]]), offset=offset)
    if arr.size != int(np.prod(dims)):
        raise GanforgeError(f"{path}: truncated IDX file ({arr.size} values, header says {dims})")
    return arr.reshape(dims)


IDX_SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def find_idx_pair(folder: Path, split: str) -> tuple[Path, Path] | None:
    """The (images, labels) IDX files of ``split`` in ``folder`` (``.gz`` or plain), if present."""
    names = IDX_SPLITS[split]
    found = []
    for stem in names:
        for candidate in (folder / f"{stem}.gz", folder / stem):
            if candidate.is_file():
                found.append(candidate)
                break
    return (found[0], found[1]) if len(found) == 2 else None


def load_idx_folder(folder: str | Path, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Images ``[N, H, W]`` uint8 and labels ``[N]`` of an MNIST-style folder.

    Falls back to the test split when a folder only has that one (e.g. a test-only copy).
    """
    folder = Path(folder)
    pair = find_idx_pair(folder, split) or find_idx_pair(folder, "test" if split == "train" else "train")
    if pair is None:
        raise GanforgeError(
            f"{folder}: no MNIST IDX files; expected train-images-idx3-ubyte(.gz) + train-labels-idx1-ubyte(.gz)"
        )
    images, labels = read_idx(pair[0]), read_idx(pair[1])
    if images.ndim != 3 or labels.shape[0] != images.shape[0]:
        raise GanforgeError(f"{pair[0]}: expected [N, H, W] images matching {labels.shape[0]} labels, got {images.shape}")
    return images, labels.astype(np.int64)


def load_npz(path: str | Path, split: str = "train") -> tuple[np.ndarray, np.ndarray | None]:
    """Images and optional labels from an npz (keys ``x_train``/``y_train`` as Keras' mnist.npz,
    ``train_images``/``train_labels``, or ``images``/``labels``)."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = set(z.files)
            for xi, yi in ((f"x_{split}", f"y_{split}"), (f"{split}_images", f"{split}_labels"), ("images", "labels"), ("x", "y")):
                if xi in keys:
                    return z[xi], (z[yi].astype(np.int64) if yi in keys else None)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise GanforgeError(f"{path}: cannot read npz ({exc}); expected an .npz written by numpy.savez") from None
    raise GanforgeError(
        f"{path}: no image array for split '{split}'; expected keys x_{split}/y_{split}, {split}_images/{split}_labels "
        f"or images/labels, found {sorted(keys)}"
    )


def checked_npz_images(
    path: Path, images: np.ndarray, labels: np.ndarray | None, min_size: int = 8
) -> tuple[np.ndarray, np.ndarray | None]:
    """Validate an npz (or IDX) image array and bring it to uint8 ``[N, H, W(, C)]``.

    uint8 is used as is; uint16 is scaled by 1/257; float arrays must be finite and are read
    as [0, 1] (scaled by 255) when they fit in it, else as 0..255. Images that are constant are
    dropped with a warning (with their labels); NaN/inf values, other dtypes, a wrong shape,
    too-small images, no images at all or mismatched labels reject the file.
    """
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (1, 3, 4)):
        raise GanforgeError(f"{path}: expected images [N, H, W] or [N, H, W, C] with C in 1/3/4, got shape {images.shape}")
    if images.shape[0] == 0:
        raise GanforgeError(f"{path}: the image array is empty (shape {images.shape}); expected at least one image")
    if labels is not None and labels.shape[:1] != images.shape[:1]:
        raise GanforgeError(f"{path}: {labels.shape[0]} labels for {images.shape[0]} images; expected one label per image")
    if images.ndim == 4 and images.shape[-1] == 4:
        images = images[..., :3]  # drop alpha
    h, w = images.shape[1:3]
    if min_size > 0 and min(h, w) < min_size:
        raise GanforgeError(f"{path}: images are {w}x{h} pixels; expected at least {min_size}x{min_size} (data.min_image_size)")
    if images.dtype == np.uint8:
        out = images
    elif images.dtype == np.uint16:
        out = np.rint(images / 257.0).astype(np.uint8)
    elif np.issubdtype(images.dtype, np.floating):
        bad = int(np.count_nonzero(~np.isfinite(images)))
        if bad:
            raise GanforgeError(f"{path}: {bad} NaN/inf value(s) in the image array; expected finite pixel values")
        lo, hi = float(images.min()), float(images.max())
        if lo < 0.0 or hi > 255.0:
            raise GanforgeError(f"{path}: float pixel values span [{lo:g}, {hi:g}]; expected [0, 1] or [0, 255]")
        out = np.rint(images * (255.0 if hi <= 1.0 else 1.0)).astype(np.uint8)
    else:
        raise GanforgeError(f"{path}: images of dtype {images.dtype}; expected uint8, uint16 or float")
    flat = out.reshape(out.shape[0], -1)
    constant = flat.max(axis=1) == flat.min(axis=1)
    if min_size > 0 and constant.any():
        if constant.all():
            raise GanforgeError(f"{path}: all {out.shape[0]} images are constant (one value per image); expected images with content")
        log.warning("%s: dropped %d constant image(s) of %d (e.g. index %d)", path, int(constant.sum()), out.shape[0],
                    int(np.flatnonzero(constant)[0]))
        out = out[~constant]
        labels = labels[~constant] if labels is not None else None
    return out, labels
