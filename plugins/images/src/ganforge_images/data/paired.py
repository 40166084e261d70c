"""Paired image data for pix2pix: ``(A, B)`` pairs from side-by-side images or two matching folders.

``data.path`` may hold (optionally inside ``train/`` and ``test/`` or ``val/`` sub-folders):

* images with A and B side by side (the pix2pix release format, e.g. facades' 512x256
  files: left half A, right half B) -- ``data.layout=side_by_side``;
* sub-folders ``A/`` and ``B/`` whose files pair up by name -- ``data.layout=folders``.

``data.layout=auto`` picks ``folders`` when ``A/`` and ``B/`` exist. ``data.direction``
``BtoA`` swaps the roles. ``data.path=null`` uses the embedded edges->digits pairs (see
:mod:`ganforge_images.data.embedded_translation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from ganforge.errors import GanforgeError, choices_error
from ganforge.plugin import DataSpecMixin
from ganforge_images.data.embedded_translation import EMBEDDED_PAIRED, edges2digits
from ganforge_images.data.folder import prepare_array
from ganforge_images.data.translation_files import config_channels, load_matching_folders, load_side_by_side

LAYOUTS = ("auto", "side_by_side", "folders")
DIRECTIONS = ("AtoB", "BtoA")
SPLIT_FOLDERS = {"train": ("train",), "test": ("test", "val")}


@dataclass
class PairedData:
    """Aligned source images ``a`` and targets ``b`` (``[N, C, S, S]`` in ``[-1, 1]``)."""

    a: torch.Tensor
    b: torch.Tensor
    labels: torch.Tensor | None
    split: str


def split_folder(root: Path, split: str) -> Path | None:
    """``root/train`` (or ``root`` itself when it has no split folders) / ``root/test|val``."""
    for name in SPLIT_FOLDERS[split]:
        if (root / name).is_dir():
            return root / name
    if split == "train" and not any((root / n).is_dir() for n in SPLIT_FOLDERS["test"]):
        return root
    return None


def load_paired(data_cfg: Any, split: str) -> PairedData | None:
    """The ``split`` pairs described by ``data_cfg``; None when the source has no such split."""
    size = int(data_cfg.get("size", 32))
    channels = config_channels(data_cfg)
    direction = str(data_cfg.get("direction", "AtoB"))
    if direction not in DIRECTIONS:
        raise choices_error("direction", direction, DIRECTIONS, where="data.direction")
    layout = str(data_cfg.get("layout", "auto"))
    if layout not in LAYOUTS:
        raise choices_error("layout", layout, LAYOUTS, where="data.layout")
    path = data_cfg.get("path")
    labels = None
    if path is None:
        edges, digits, digit_labels = edges2digits(split)
        a, b = prepare_array(edges, size, channels or 1), prepare_array(digits, size, channels or 1)
        labels = torch.from_numpy(digit_labels)
    else:
        root = Path(str(path)).expanduser()
        if not root.is_dir():
            raise GanforgeError(
                f"data.path={root}: not a directory; expected side-by-side A|B images or sub-folders A/ and B/"
            )
        folder = split_folder(root, split)
        if folder is None:
            return None
        use_folders = layout == "folders" or (layout == "auto" and (folder / "A").is_dir() and (folder / "B").is_dir())
        if use_folders:
            if not ((folder / "A").is_dir() and (folder / "B").is_dir()):
                raise GanforgeError(f"data.path={root}: data.layout=folders needs sub-folders A/ and B/ in {folder}")
            a, b, _ = load_matching_folders(folder / "A", folder / "B", size, channels)
        else:
            a, b, _ = load_side_by_side(folder, size, channels)
    if direction == "BtoA":
        a, b = b, a
    return PairedData(a.contiguous(), b.contiguous(), labels, split)


class PairedImageDataModule(DataSpecMixin, pl.LightningDataModule):
    """Batches ``(A, B)`` of aligned pairs for pix2pix.

    Spec: ``channels_in`` (A), ``channels`` (B, the generated side), ``size``,
    ``num_images``, ``dataset`` (``edges2digits`` for the embedded default, else ``folder``).
    """

    def __init__(self, data_cfg: Any):
        super().__init__()
        self.data_cfg = data_cfg
        self.train: PairedData | None = None
        self._test: PairedData | None = None

    def setup(self, stage: str | None = None) -> None:
        """Load the training pairs once."""
        if self.train is not None:
            return
        train = load_paired(self.data_cfg, "train")
        if train is None or len(train.a) == 0:
            raise GanforgeError(f"data.path={self.data_cfg.get('path')}: no training pairs found")
        limit = self.data_cfg.get("limit")
        if limit:
            n = int(limit)
            train = PairedData(train.a[:n], train.b[:n], None if train.labels is None else train.labels[:n], "train")
        self.train = train
        self._spec = {
            "channels_in": int(train.a.shape[1]),
            "channels": int(train.b.shape[1]),
            "size": int(train.a.shape[-1]),
            "num_images": int(train.a.shape[0]),
            "dataset": EMBEDDED_PAIRED if self.data_cfg.get("path") is None else "folder",
        }

    def test_data(self) -> PairedData:
        """Held-out pairs (``test``/``val`` split) for metrics; the training pairs when there are none."""
        if self._test is None:
            self._test = load_paired(self.data_cfg, "test") or self.train
        return self._test

    def train_dataloader(self) -> DataLoader:
        """Shuffled ``(A, B)`` batches; the last partial batch is dropped."""
        batch_size = int(self.data_cfg.get("batch_size", 1))
        n_workers = int(self.data_cfg.get("num_workers", 0))
        return DataLoader(
            TensorDataset(self.train.a, self.train.b),
            batch_size=min(batch_size, len(self.train.a)),
            shuffle=True,
            drop_last=True,
            num_workers=n_workers,
            persistent_workers=n_workers > 0,
        )
