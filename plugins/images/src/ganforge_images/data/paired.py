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
from torch.utils.data import DataLoader, Dataset, TensorDataset

from ganforge.errors import GanforgeError, choices_error
from ganforge.plugin import DataSpecMixin
from ganforge.utils import loader_worker_init
from ganforge_images.data.embedded_translation import EMBEDDED_PAIRED, edges2digits
from ganforge_images.data.folder import prepare_array, resize_center_crop
from ganforge_images.data.streaming import (
    DEFAULT_EVAL_IMAGES,
    ImageJitter,
    PairFiles,
    TensorJitter,
    eval_subset,
    jitter_settings,
    materialise,
    streams_files,
)
from ganforge_images.data.translation_files import config_channels, matching_pairs, read_pairs, side_by_side_files

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


def pair_source(data_cfg: Any, split: str) -> tuple[list, tuple[int, int]] | None:
    """Checked pair files of ``split`` of a folder source and A's/B's channels; None when there is no such split."""
    layout = str(data_cfg.get("layout") or "auto")
    if layout not in LAYOUTS:
        raise choices_error("layout", layout, LAYOUTS, where="data.layout")
    root = Path(str(data_cfg.get("path"))).expanduser()
    if not root.is_dir():
        raise GanforgeError(f"data.path={root}: not a directory; expected side-by-side A|B images or sub-folders A/ and B/")
    folder = split_folder(root, split)
    if folder is None:
        return None
    channels = config_channels(data_cfg)
    if layout == "folders" or (layout == "auto" and (folder / "A").is_dir() and (folder / "B").is_dir()):
        if not ((folder / "A").is_dir() and (folder / "B").is_dir()):
            raise GanforgeError(f"data.path={root}: data.layout=folders needs sub-folders A/ and B/ in {folder}")
        return matching_pairs(folder / "A", folder / "B", channels)
    return side_by_side_files(folder, channels)


def swapped(data_cfg: Any) -> bool:
    """``data.direction`` as a flag: True for ``BtoA``."""
    direction = str(data_cfg.get("direction") or "AtoB")
    if direction not in DIRECTIONS:
        raise choices_error("direction", direction, DIRECTIONS, where="data.direction")
    return direction == "BtoA"


def load_paired(data_cfg: Any, split: str, size: int | None = None, limit: int | None = None) -> PairedData | None:
    """The ``split`` pairs in memory at ``size`` (default ``data.size``); None when the source has no such split."""
    size = int(size or data_cfg.get("size"))
    swap = swapped(data_cfg)
    if data_cfg.get("path") is None:
        channels = config_channels(data_cfg)
        edges, digits, digit_labels = edges2digits(split)
        a, b = prepare_array(edges, size, channels or 1), prepare_array(digits, size, channels or 1)
        a, b = (b, a) if swap else (a, b)
        return PairedData(a.contiguous(), b.contiguous(), torch.from_numpy(digit_labels), split)
    source = pair_source(data_cfg, split)
    if source is None:
        return None
    items, channels = source
    a, b = read_pairs(items[:limit], channels, size, swap)
    return PairedData(a, b, None, split)


class PairedImageDataModule(DataSpecMixin, pl.LightningDataModule):
    """Batches ``(A, B)`` of aligned pairs for pix2pix, streamed from files or held in memory.

    A folder source is checked once and decoded per batch unless ``data.cache=memory``;
    ``data.load_size``/``data.flip`` jitter both images of a pair identically. :attr:`train`
    holds the un-jittered pairs metrics use (at most ``data.eval_images`` when streamed).

    Spec: ``channels_in`` (A), ``channels`` (B, the generated side), ``size``,
    ``num_images``, ``dataset`` (``edges2digits`` for the embedded default, else ``folder``).
    """

    def __init__(self, data_cfg: Any):
        super().__init__()
        self.data_cfg = data_cfg
        self.dataset: Dataset | None = None
        self._train: PairedData | None = None
        self._eval_source: PairFiles | None = None
        self._test: PairedData | None = None

    def _streaming(self) -> bool:
        return self.data_cfg.get("path") is not None and streams_files(self.data_cfg)

    def setup(self, stage: str | None = None) -> None:
        """Check (streaming) or load (memory) the training pairs once."""
        if self.dataset is not None:
            return
        size, load_size, flip = jitter_settings(self.data_cfg)
        limit = int(self.data_cfg.get("limit") or 0) or None
        if self._streaming():
            source = pair_source(self.data_cfg, "train")
            if source is None or not source[0]:
                raise GanforgeError(f"data.path={self.data_cfg.get('path')}: no training pairs found")
            items, channels = source[0][:limit], source[1]
            swap = swapped(self.data_cfg)
            self.dataset = PairFiles(items, channels, ImageJitter(size, load_size, flip), swap)
            self._eval_source = PairFiles(items, channels, ImageJitter(size, train=False), swap)
            channels_in, channels_out = channels[::-1] if swap else channels
            n = len(items)
        else:
            train = load_paired(self.data_cfg, "train", size=load_size or size)
            if train is None or len(train.a) == 0:
                raise GanforgeError(f"data.path={self.data_cfg.get('path')}: no training pairs found")
            if limit:
                train = PairedData(train.a[:limit], train.b[:limit], None if train.labels is None else train.labels[:limit], "train")
            jitter = ImageJitter(size, load_size, flip, resize=False)
            self.dataset = TensorJitter([train.a, train.b], jitter, paired=True) if jitter.active else TensorDataset(train.a, train.b)
            if load_size is not None:
                train = PairedData(resize_center_crop(train.a, size), resize_center_crop(train.b, size), train.labels, "train")
            self._train = train
            channels_in, channels_out, n = int(train.a.shape[1]), int(train.b.shape[1]), int(train.a.shape[0])
        self._spec = {
            "channels_in": int(channels_in),
            "channels": int(channels_out),
            "size": size,
            "num_images": n,
            "dataset": EMBEDDED_PAIRED if self.data_cfg.get("path") is None else "folder",
        }

    @property
    def train(self) -> PairedData | None:
        """The training pairs without jitter (a bounded fixed subset when streamed); None before setup."""
        if self._train is None and self._eval_source is not None:
            limit = int(self.data_cfg.get("eval_images") or DEFAULT_EVAL_IMAGES)
            a, b = materialise(self._eval_source, eval_subset(len(self._eval_source), limit))
            self._train = PairedData(a, b, None, "train")
        return self._train

    def test_data(self) -> PairedData:
        """Held-out pairs (``test``/``val`` split) for metrics; the training pairs when there are none."""
        if self._test is None:
            limit = int(self.data_cfg.get("eval_images") or DEFAULT_EVAL_IMAGES) if self._streaming() else None
            self._test = load_paired(self.data_cfg, "test", limit=limit) or self.train
        return self._test

    def train_dataloader(self) -> DataLoader:
        """Shuffled ``(A, B)`` batches; the last partial batch is dropped."""
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
