"""Streaming image data: files decoded per item (in DataLoader workers) with torchvision v2 jitter.

A folder source is scanned once (each file decoded, checked, and dropped), then read
again per batch, so memory stays flat as the folder grows; ``data.cache=memory`` keeps
the old all-in-RAM tensors instead. Augmentation (``data.load_size``, ``data.flip``) is
the pix2pix/CycleGAN recipe: resize the shorter side to ``load_size`` (e.g. 286), random
crop ``size`` (256), random horizontal flip. Both images of an aligned pair go through
*one* call of the transform, so they get the same crop and flip (v2 transforms draw their
parameters once per call).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import torch
from torch.utils.data import Dataset
from torchvision import tv_tensors
from torchvision.transforms import v2

from ganforge.errors import GanforgeError, choices_error
from ganforge.utils import seeded
from ganforge_images.data.folder import decode_image

#: ``data.cache``: ``auto`` streams folders and keeps arrays in RAM, ``none`` streams, ``memory`` loads all.
CACHE_MODES = ("auto", "none", "memory")


def streams_files(cache: str) -> bool:
    """Whether files named by ``data.path`` are decoded per item: ``data.cache`` (checked) is not ``memory``."""
    cache = str(cache)
    if cache not in CACHE_MODES:
        raise choices_error("data.cache", cache, CACHE_MODES)
    return cache != "memory"


class ImageJitter:
    """Resize (shorter side), crop and flip for one image or an aligned pair, as floats in [-1, 1].

    ``train=False`` gives the deterministic view (resize to ``size``, center crop, no flip)
    used for metrics. Inputs are ``[C, H, W]`` uint8 tensors (decoded files) or floats in
    [-1, 1] already at ``load_size`` (in-memory data, ``resize=False``).
    """

    def __init__(self, size: int, load_size: int | None = None, flip: bool = False, train: bool = True,
                 resize: bool = True):
        jitter = train and load_size is not None and load_size > size
        ops: list[Any] = []
        if resize:
            ops.append(v2.Resize(load_size if jitter else size, antialias=True))
        ops.append(v2.RandomCrop(size) if jitter else v2.CenterCrop(size))
        if flip and train:
            ops.append(v2.RandomHorizontalFlip())
        self.resize = resize
        self.transform = v2.Compose(ops)
        self.active = jitter or (flip and train)

    def __call__(self, *images: torch.Tensor) -> tuple[torch.Tensor, ...]:
        out = self.transform(*(tv_tensors.Image(im) for im in images))
        out = out if isinstance(out, tuple) else (out,)
        plain = [o.as_subclass(torch.Tensor) for o in out]
        if self.resize:  # decoded uint8 -> the generators' [-1, 1]
            plain = [o.float().div_(127.5).sub_(1.0) for o in plain]
        return tuple(plain)


def decode_chw(path: Path, channels: int) -> torch.Tensor:
    """``path`` as a ``[C, H, W]`` uint8 tensor; a file that broke since the scan is a one-line error."""
    try:
        arr = decode_image(path, channels)
    except (OSError, ValueError) as exc:
        raise GanforgeError(f"data.path: {path} became unreadable after the start of the run ({exc})") from None
    return torch.from_numpy(arr).permute(2, 0, 1)


class ImageFiles(Dataset):
    """Item ``i``: ``(image,)`` or ``(image, label)`` decoded from ``files[i]`` and jittered."""

    def __init__(self, files: Sequence[Path], channels: int, jitter: ImageJitter, labels: torch.Tensor | None = None):
        self.files, self.channels, self.jitter, self.labels = list(files), int(channels), jitter, labels

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, ...]:
        (image,) = self.jitter(decode_chw(self.files[index], self.channels))
        return (image,) if self.labels is None else (image, self.labels[index])


class PairFiles(Dataset):
    """Item ``i``: an aligned ``(A, B)`` pair from one side-by-side file or two files, same jitter for both.

    ``channels`` are A's and B's (1 or 3 each; a side-by-side file uses A's for both halves).
    """

    def __init__(self, items: Sequence[Path | tuple[Path, Path]], channels: tuple[int, int], jitter: ImageJitter,
                 swap: bool = False):
        self.items, self.channels, self.jitter, self.swap = list(items), tuple(channels), jitter, swap

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        item = self.items[index]
        if isinstance(item, tuple):
            a, b = (decode_chw(p, ch) for p, ch in zip(item, self.channels))
        else:
            both = decode_chw(item, self.channels[0])
            half = both.shape[-1] // 2
            a, b = both[..., :half], both[..., half : 2 * half]
        if self.swap:
            a, b = b, a
        return self.jitter(a, b)  # one call: one crop and one flip for both


class TensorJitter(Dataset):
    """In-memory tensors (floats at ``load_size``) with per-item jitter; pairs share it."""

    def __init__(self, tensors: Sequence[torch.Tensor | None], jitter: ImageJitter, paired: bool = False):
        self.tensors = [t for t in tensors if t is not None]
        self.jitter, self.paired = jitter, paired

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, index: int) -> tuple[torch.Tensor, ...]:
        items = [t[index] for t in self.tensors]
        if self.paired:
            return self.jitter(items[0], items[1])
        (image,) = self.jitter(items[0])
        return (image, *items[1:])


def eval_subset(n: int, limit: int) -> torch.Tensor:
    """Indices of at most ``limit`` of ``n`` items, a fixed random subset (file lists are sorted by class)."""
    if n <= limit:
        return torch.arange(n)
    with seeded(0):
        return torch.randperm(n)[:limit].sort().values


def materialise(dataset: Dataset, indices: torch.Tensor) -> list[torch.Tensor]:
    """Stack items ``indices`` of ``dataset`` into tensors (one per item field)."""
    rows = [dataset[int(i)] for i in indices]
    return [torch.stack([r[k] for r in rows]) for k in range(len(rows[0]))]
