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
from torch.utils.data import DataLoader, Dataset, TensorDataset

from ganforge.errors import GanforgeError, choices_error
from ganforge.plugin import DataSpecMixin
from ganforge.utils import loader_worker_init
from ganforge_images.data.embedded import load_digits
from ganforge_images.data.folder import MIN_IMAGE_SIZE, load_folder, prepare_array, resize_center_crop, scan_folder
from ganforge_images.data.mnist import checked_npz_images, find_idx_pair, load_idx_folder, load_npz
from ganforge_images.data.streaming import (
    DEFAULT_EVAL_IMAGES,
    ImageFiles,
    ImageJitter,
    TensorJitter,
    eval_subset,
    jitter_settings,
    materialise,
    streams_files,
)

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


def load_image_data(
    data_cfg: Any, split: str = "train", size: int | None = None
) -> tuple[torch.Tensor, torch.Tensor | None, list[str] | None]:
    """Images ``[N, C, S, S]`` in [-1, 1] (``S`` = ``size``, default ``data.size``), labels ``[N]`` or None, class names or None."""
    size = int(size or data_cfg.get("size"))
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


def streams(data_cfg: Any) -> bool:
    """Whether ``data`` is read lazily: a folder source unless ``data.cache=memory`` (arrays are in RAM anyway)."""
    path = data_cfg.get("path")
    if not streams_files(data_cfg) or path is None:
        return False
    path = Path(str(path)).expanduser()
    fmt = str(data_cfg.get("format") or "auto")
    return path.is_dir() and (fmt == "folder" or (fmt == "auto" and detect_format(path) == "folder"))


def scan_labelled_folder(root: Path, channels: int | None, min_size: int) -> tuple[list[Path], torch.Tensor, list[str], int]:
    """Usable files below ``root/<class>/...``, their class ids (sorted names -> ids), the names and channels."""
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    if not classes:
        raise GanforgeError(f"data.path={root}: no class sub-folders; expected one sub-folder of images per class")
    files, labels = [], []
    for i, name in enumerate(classes):
        kept, channels = scan_folder(root / name, channels, min_size)
        files += kept
        labels += [i] * len(kept)
    return files, torch.tensor(labels, dtype=torch.long), classes, int(channels)


class ImageDataModule(DataSpecMixin, pl.LightningDataModule):
    """Image data with optional class labels, streamed from a folder or held in memory.

    Folders are scanned once and decoded per batch (``data.num_workers`` loader workers);
    ``data.cache=memory`` and array sources (embedded, IDX, .npz) keep floats in RAM.
    ``data.load_size``/``data.flip`` add random resize-crop and flip jitter.
    :attr:`images`/:attr:`labels` are the un-jittered real images metrics use (at most
    ``data.eval_images`` of a streamed folder, a fixed random subset).

    Spec: ``channels``, ``size``, ``num_classes`` (0 when unlabelled), ``class_names``, ``num_images``.
    """

    def __init__(self, data_cfg: Any):
        super().__init__()
        self.data_cfg = data_cfg
        self.dataset: Dataset | None = None
        self._eval: tuple[torch.Tensor, torch.Tensor | None] | None = None
        self._eval_source: Dataset | None = None
        self._test: tuple[torch.Tensor, torch.Tensor | None] | None = None

    def setup(self, stage: str | None = None) -> None:
        """Scan (streaming) or load (memory) the training data once (idempotent)."""
        if self.dataset is not None:
            return
        size, load_size, flip = jitter_settings(self.data_cfg)
        limit = self.data_cfg.get("limit")
        limit = int(limit) if limit else None
        if streams(self.data_cfg):
            root = Path(str(self.data_cfg.get("path"))).expanduser()
            channels = self.data_cfg.get("channels")
            channels = None if channels in (None, "auto") else int(channels)
            min_size = int(self.data_cfg.get("min_image_size", MIN_IMAGE_SIZE))
            if self.data_cfg.get("labels_from_folders"):
                files, labels, names, channels = scan_labelled_folder(root, channels, min_size)
            else:
                (files, channels), labels, names = scan_folder(root, channels, min_size), None, None
            files, labels = files[:limit], (None if labels is None else labels[:limit])
            self.dataset = ImageFiles(files, channels, ImageJitter(size, load_size, flip), labels)
            self._eval_source = ImageFiles(files, channels, ImageJitter(size, train=False), labels)
            n = len(files)
        else:
            images, labels, names = load_image_data(self.data_cfg, "train", size=load_size or size)
            if limit:
                images, labels = images[:limit], (labels[:limit] if labels is not None else None)
            if images.shape[0] == 0:
                raise GanforgeError(f"data.path={self.data_cfg.get('path')}: the data set is empty")
            channels, n = int(images.shape[1]), int(images.shape[0])
            jitter = ImageJitter(size, load_size, flip, resize=False)
            tensors = (images,) if labels is None else (images, labels)
            self.dataset = TensorJitter(tensors, jitter) if jitter.active else TensorDataset(*tensors)
            self._eval = (images.contiguous() if load_size is None else resize_center_crop(images, size), labels)
        labelled = bool(names) and labels is not None
        self._spec = {
            "channels": int(channels),
            "size": size,
            "num_classes": len(names) if labelled else 0,
            "class_names": list(names) if labelled else [],
            "num_images": n,
        }

    def _eval_data(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self._eval is None:  # streamed: decode a bounded, fixed subset once
            limit = int(self.data_cfg.get("eval_images") or DEFAULT_EVAL_IMAGES)
            idx = eval_subset(len(self._eval_source), limit)
            fields = materialise(self._eval_source, idx)
            self._eval = (fields[0], fields[1] if len(fields) > 1 else None)
        return self._eval

    @property
    def images(self) -> torch.Tensor | None:
        """Real training images ``[N, C, S, S]`` in [-1, 1] without jitter (for metrics); None before setup."""
        return None if self.dataset is None else self._eval_data()[0]

    @property
    def labels(self) -> torch.Tensor | None:
        """Class ids of :attr:`images`, or None when unlabelled."""
        return None if self.dataset is None else self._eval_data()[1]

    def test_data(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Held-out images for metrics: the test split when the source has one, else the training images."""
        if self._test is None:
            if streams(self.data_cfg):  # a plain folder has no test split
                self._test = (self.images, self.labels)
            else:
                try:
                    self._test = load_image_data(self.data_cfg, "test")[:2]
                except GanforgeError:
                    self._test = (self.images, self.labels)
        return self._test

    def train_dataloader(self) -> DataLoader:
        """Shuffled batches ``(images,)`` or ``(images, labels)``; last partial batch dropped."""
        batch_size = int(self.data_cfg.get("batch_size"))
        n_workers = int(self.data_cfg.get("num_workers") or 0)
        return DataLoader(
            self.dataset,
            batch_size=min(batch_size, len(self.dataset)),
            shuffle=True,
            drop_last=True,
            num_workers=n_workers,
            persistent_workers=n_workers > 0,
            worker_init_fn=loader_worker_init if n_workers > 0 else None,
        )
