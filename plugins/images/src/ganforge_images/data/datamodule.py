"""``ImageDataModule``: unconditional/labelled image data for the images domain.

``data.path`` may be: ``null`` (the embedded digits), a folder of images (recursive;
sub-folders name the classes when ``data.labels_from_folders`` is true), a folder with
MNIST/Fashion-MNIST IDX files, or an ``.npz`` file. Everything is resized and
center-cropped to ``data.size`` and scaled to [-1, 1]. 16-bit and float images are scaled
to 8 bits (not clipped); unreadable, constant and too-small images (``data.min_image_size``)
are skipped with a warning naming them, and NaN/inf in an ``.npz`` rejects the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from ganforge.errors import GanforgeError, choices_error
from ganforge.plugin import DataSpecMixin
from ganforge_images.data.embedded import load_digits
from ganforge_images.data.folder import MIN_IMAGE_SIZE, load_folder, prepare_array
from ganforge_images.data.mnist import checked_npz_images, find_idx_pair, load_idx_folder, load_npz

FORMATS = ("auto", "folder", "idx", "npz")
MIN_SIZE = 8


def detect_format(path: Path) -> str:
    """Guess ``folder``/``idx``/``npz`` from what is at ``path``."""
    if path.is_file():
        if path.suffix == ".npz":
            return "npz"
        raise GanforgeError(f"data.path={path}: a file of unknown type; expected a folder, an IDX folder or an .npz")
    if find_idx_pair(path, "train") or find_idx_pair(path, "test"):
        return "idx"
    return "folder"


def load_labelled_folder(
    root: Path, size: int, channels: int | None, min_size: int = MIN_IMAGE_SIZE
) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """Images below ``root/<class>/...`` with the sub-folder name as class (sorted names -> ids)."""
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    if not classes:
        raise GanforgeError(f"data.path={root}: no class sub-folders; expected one sub-folder of images per class")
    xs, ys = [], []
    for i, name in enumerate(classes):
        x, _ = load_folder(root / name, size, channels, min_size)
        channels = channels or x.shape[1]
        xs.append(x)
        ys.append(torch.full((x.shape[0],), i, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys), classes


def load_image_data(data_cfg: Any, split: str = "train") -> tuple[torch.Tensor, torch.Tensor | None, list[str] | None]:
    """Images ``[N, C, S, S]`` in [-1, 1], labels ``[N]`` or None, class names or None."""
    size = int(data_cfg.get("size", 32))
    if size < MIN_SIZE:
        raise GanforgeError(f"data.size={size}: expected at least {MIN_SIZE}")
    channels = data_cfg.get("channels")
    channels = None if channels in (None, "auto") else int(channels)
    if channels not in (None, 1, 3):
        raise GanforgeError(f"data.channels={channels}: expected 1, 3 or auto")
    fmt = str(data_cfg.get("format", "auto"))
    if fmt not in FORMATS:
        raise choices_error("data.format", fmt, FORMATS)
    min_size = data_cfg.get("min_image_size", MIN_IMAGE_SIZE)
    if not isinstance(min_size, int) or isinstance(min_size, bool) or min_size < 0:
        raise GanforgeError(f"data.min_image_size={min_size}: expected an integer >= 0 (0 disables the check)")
    path = data_cfg.get("path")
    if path is None:
        images, labels = load_digits(split)
        return prepare_array(images, size, channels or 1), torch.from_numpy(labels), [str(i) for i in range(10)]
    path = Path(str(path)).expanduser()
    if not path.exists():
        raise GanforgeError(f"data.path={path}: does not exist; expected a folder of images, an IDX folder or an .npz file")
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "idx":
        images, labels = load_idx_folder(path, split)
        images, labels = checked_npz_images(path, images, labels, min_size)
        return prepare_array(images, size, channels or 1), torch.from_numpy(labels), [str(i) for i in range(int(labels.max()) + 1)]
    if fmt == "npz":
        images, labels = load_npz(path, split)
        images, labels = checked_npz_images(path, images, labels, min_size)
        chans = channels or (1 if images.ndim == 3 or images.shape[-1] == 1 else 3)
        lab = torch.from_numpy(labels) if labels is not None else None
        names = [str(i) for i in range(int(labels.max()) + 1)] if labels is not None else None
        return prepare_array(images, size, chans), lab, names
    if data_cfg.get("labels_from_folders", False):
        return load_labelled_folder(path, size, channels, min_size)
    images, _ = load_folder(path, size, channels, min_size)
    return images, None, None


class ImageDataModule(DataSpecMixin, pl.LightningDataModule):
    """In-memory image data (floats in [-1, 1]) with optional class labels.

    Spec: ``channels``, ``size``, ``num_classes`` (0 when unlabelled), ``class_names``.
    """

    def __init__(self, data_cfg: Any):
        super().__init__()
        self.data_cfg = data_cfg
        self.images: torch.Tensor | None = None
        self.labels: torch.Tensor | None = None
        self._test: tuple[torch.Tensor, torch.Tensor | None] | None = None

    def setup(self, stage: str | None = None) -> None:
        """Load and preprocess the data once (idempotent)."""
        if self.images is not None:
            return
        images, labels, names = load_image_data(self.data_cfg, "train")
        limit = self.data_cfg.get("limit")
        if limit:
            images, labels = images[: int(limit)], (labels[: int(limit)] if labels is not None else None)
        if images.shape[0] == 0:
            raise GanforgeError(f"data.path={self.data_cfg.get('path')}: the data set is empty")
        self.images, self.labels = images.contiguous(), labels
        self._spec = {
            "channels": int(images.shape[1]),
            "size": int(images.shape[-1]),
            "num_classes": len(names) if (labels is not None and names) else 0,
            "class_names": list(names) if (labels is not None and names) else [],
            "num_images": int(images.shape[0]),
        }

    def test_data(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Held-out images for metrics: the test split when the source has one, else the training images."""
        if self._test is None:
            try:
                images, labels, _ = load_image_data(self.data_cfg, "test")
            except GanforgeError:
                images, labels = self.images, self.labels
            self._test = (images, labels)
        return self._test

    def train_dataloader(self) -> DataLoader:
        """Shuffled batches ``(images,)`` or ``(images, labels)``; last partial batch dropped."""
        batch_size = int(self.data_cfg.get("batch_size", 64))
        tensors = (self.images,) if self.labels is None else (self.images, self.labels)
        n_workers = int(self.data_cfg.get("num_workers", 0))
        return DataLoader(
            TensorDataset(*tensors),
            batch_size=min(batch_size, len(self.images)),
            shuffle=True,
            drop_last=True,
            num_workers=n_workers,
            persistent_workers=n_workers > 0,
        )
