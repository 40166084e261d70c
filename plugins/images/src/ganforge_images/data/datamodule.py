"""``ImageDataModule``: unconditional/labelled image data for the images domain.

``data.path`` may be: ``null`` (the embedded digits), a folder of images (recursive;
sub-folders name the classes when ``data.labels_from_folders`` is true), a folder with
MNIST/Fashion-MNIST IDX files, or an ``.npz`` file. Everything is resized and
center-cropped to ``data.size`` and scaled to [-1, 1]. 16-bit and float images are scaled
to 8 bits (not clipped); unreadable, constant and too-small images (``data.min_image_size``)
are skipped with a warning naming them, and NaN/inf in an ``.npz`` rejects the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from omegaconf import DictConfig
from torch.utils.data import Dataset, TensorDataset

from ganforge.errors import GanforgeError, choices_error
from ganforge_images.data.base import ImageDataBase, data_node
from ganforge_images.data.embedded import load_digits
from ganforge_images.data.folder import MIN_IMAGE_SIZE, load_folder, prepare_array, resize_center_crop, scan_folder
from ganforge_images.data.mnist import checked_npz_images, find_idx_pair, load_idx_folder, load_npz
from ganforge_images.data.streaming import (
    ImageFiles,
    ImageJitter,
    TensorJitter,
    eval_subset,
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


class ImageDataModule(ImageDataBase):
    """Image data with optional class labels, streamed from a folder or held in memory.

    Folders are scanned once and decoded per batch (``num_workers`` loader workers);
    ``cache=memory`` and array sources (embedded, IDX, .npz) keep floats in RAM.
    ``load_size``/``flip`` add random resize-crop and flip jitter. :attr:`images`/:attr:`labels`
    are the un-jittered real images metrics use (at most ``eval_images`` of a streamed
    folder, a fixed random subset).

    Args: those of :class:`~ganforge_images.data.base.ImageDataBase`, and
        format: ``auto`` | ``folder`` | ``idx`` | ``npz``.
        labels_from_folders: the sub-folders of a folder source name the classes.
        min_image_size: skip (with a warning) smaller images and constant ones; 0 keeps all.

    Spec: ``channels``, ``size``, ``num_classes`` (0 when unlabelled), ``class_names``, ``num_images``.
    """

    def __init__(self, *, path: str | None, format: str, size: int, channels: int | str, labels_from_folders: bool,
                 limit: int | None, min_image_size: int, cache: str, load_size: int | None, flip: bool,
                 eval_images: int, batch_size: int, num_workers: int):
        super().__init__(path=path, size=size, channels=channels, limit=limit, cache=cache, load_size=load_size,
                         flip=flip, eval_images=eval_images, batch_size=batch_size, num_workers=num_workers)
        self.format = str(format)
        self.labels_from_folders = bool(labels_from_folders)
        self.min_image_size = min_image_size  # checked (an integer >= 0) when the data is read
        self._eval: tuple[torch.Tensor, torch.Tensor | None] | None = None
        self._eval_source: Dataset | None = None
        self._test: tuple[torch.Tensor, torch.Tensor | None] | None = None

    @classmethod
    def from_config(cls, data_cfg: DictConfig | Mapping[str, Any]) -> ImageDataModule:
        """Builder: the ``data`` node's keys, each read once (defaults: ``conf/domain/images.yaml``)."""
        data = data_node(data_cfg)
        return cls(**cls.common_args(data), format=data.format, labels_from_folders=data.labels_from_folders,
                   min_image_size=data.min_image_size)

    def _min_size(self) -> int:
        min_size = self.min_image_size
        if not isinstance(min_size, int) or isinstance(min_size, bool) or min_size < 0:
            raise GanforgeError(f"data.min_image_size={min_size}: expected an integer >= 0 (0 disables the check)")
        return min_size

    def load_split(
        self, split: str = "train", size: int | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None, list[str] | None]:
        """Images ``[N, C, S, S]`` in [-1, 1] (``S`` = ``size``, default :attr:`size`), labels ``[N]`` or None, class names or None."""
        size = int(size or self.size)
        if size < MIN_SIZE:
            raise GanforgeError(f"data.size={size}: expected at least {MIN_SIZE}")
        channels = self.parsed_channels()
        fmt = self.format
        if fmt not in FORMATS:
            raise choices_error("data.format", fmt, FORMATS)
        min_size = self._min_size()
        if self.path is None:
            images, labels = load_digits(split)
            return prepare_array(images, size, channels or 1), torch.from_numpy(labels), [str(i) for i in range(10)]
        path = Path(self.path).expanduser()
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
        if self.labels_from_folders:
            return load_labelled_folder(path, size, channels, min_size)
        images, _ = load_folder(path, size, channels, min_size)
        return images, None, None

    def streams(self) -> bool:
        """Whether the data is read lazily: a folder source unless ``cache=memory`` (arrays are in RAM anyway)."""
        if not streams_files(self.cache) or self.path is None:
            return False
        path = Path(self.path).expanduser()
        return path.is_dir() and (self.format == "folder" or (self.format == "auto" and detect_format(path) == "folder"))

    def setup(self, stage: str | None = None) -> None:
        """Scan (streaming) or load (memory) the training data once (idempotent)."""
        if self.dataset is not None:
            return
        size, load_size, flip = self.jitter_settings()
        limit = self.limit
        if self.streams():
            root = Path(self.path).expanduser()
            channels, min_size = self.parsed_channels(), self._min_size()
            if self.labels_from_folders:
                files, labels, names, channels = scan_labelled_folder(root, channels, min_size)
            else:
                (files, channels), labels, names = scan_folder(root, channels, min_size), None, None
            files, labels = files[:limit], (None if labels is None else labels[:limit])
            self.dataset = ImageFiles(files, channels, ImageJitter(size, load_size, flip), labels)
            self._eval_source = ImageFiles(files, channels, ImageJitter(size, train=False), labels)
            n = len(files)
        else:
            images, labels, names = self.load_split("train", size=load_size or size)
            if limit:
                images, labels = images[:limit], (labels[:limit] if labels is not None else None)
            if images.shape[0] == 0:
                raise GanforgeError(f"data.path={self.path}: the data set is empty")
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
            idx = eval_subset(len(self._eval_source), self.eval_images)
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
            if self.streams():  # a plain folder has no test split
                self._test = (self.images, self.labels)
            else:
                try:
                    self._test = self.load_split("test")[:2]
                except GanforgeError:
                    self._test = (self.images, self.labels)
        return self._test
