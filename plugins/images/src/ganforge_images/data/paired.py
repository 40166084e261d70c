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

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from omegaconf import DictConfig
from torch.utils.data import TensorDataset

from ganforge.errors import GanforgeError, choices_error
from ganforge_images.data.base import ImageDataBase, data_node
from ganforge_images.data.embedded_translation import EMBEDDED_PAIRED, edges2digits
from ganforge_images.data.folder import prepare_array, resize_center_crop
from ganforge_images.data.streaming import ImageJitter, PairFiles, TensorJitter, eval_subset, materialise, streams_files
from ganforge_images.data.translation_files import matching_pairs, read_pairs, side_by_side_files

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


class PairedImageDataModule(ImageDataBase):
    """Batches ``(A, B)`` of aligned pairs for pix2pix, streamed from files or held in memory.

    A folder source is checked once and decoded per batch unless ``cache=memory``;
    ``load_size``/``flip`` jitter both images of a pair identically. :attr:`train` holds the
    un-jittered pairs metrics use (at most ``eval_images`` when streamed).

    Args: those of :class:`~ganforge_images.data.base.ImageDataBase`, and
        layout: ``auto`` | ``side_by_side`` | ``folders``.
        direction: ``AtoB`` | ``BtoA`` (swaps the roles of A and B).

    Spec: ``channels_in`` (A), ``channels`` (B, the generated side), ``size``,
    ``num_images``, ``dataset`` (``edges2digits`` for the embedded default, else ``folder``).
    """

    def __init__(self, *, path: str | None, size: int, channels: int | str, layout: str, direction: str,
                 limit: int | None, cache: str, load_size: int | None, flip: bool, eval_images: int,
                 batch_size: int, num_workers: int):
        super().__init__(path=path, size=size, channels=channels, limit=limit, cache=cache, load_size=load_size,
                         flip=flip, eval_images=eval_images, batch_size=batch_size, num_workers=num_workers)
        self.layout = str(layout)  # both checked when the data is read
        self.direction = str(direction)
        self._train: PairedData | None = None
        self._eval_source: PairFiles | None = None
        self._test: PairedData | None = None

    @classmethod
    def from_config(cls, data_cfg: DictConfig | Mapping[str, Any]) -> PairedImageDataModule:
        """Builder: the ``data`` node's keys, each read once (defaults: ``conf/domain/images.yaml``,
        ``layout``/``direction`` in ``conf/model/pix2pix.yaml``)."""
        data = data_node(data_cfg)
        return cls(**cls.common_args(data), layout=data.layout, direction=data.direction)

    def swapped(self) -> bool:
        """``direction`` as a flag: True for ``BtoA``."""
        if self.direction not in DIRECTIONS:
            raise choices_error("direction", self.direction, DIRECTIONS, where="data.direction")
        return self.direction == "BtoA"

    def pair_source(self, split: str) -> tuple[list, tuple[int, int]] | None:
        """Checked pair files of ``split`` of a folder source and A's/B's channels; None when there is no such split."""
        layout = self.layout
        if layout not in LAYOUTS:
            raise choices_error("layout", layout, LAYOUTS, where="data.layout")
        root = Path(str(self.path)).expanduser()
        if not root.is_dir():
            raise GanforgeError(f"data.path={root}: not a directory; expected side-by-side A|B images or sub-folders A/ and B/")
        folder = split_folder(root, split)
        if folder is None:
            return None
        channels = self.parsed_channels()
        if layout == "folders" or (layout == "auto" and (folder / "A").is_dir() and (folder / "B").is_dir()):
            if not ((folder / "A").is_dir() and (folder / "B").is_dir()):
                raise GanforgeError(f"data.path={root}: data.layout=folders needs sub-folders A/ and B/ in {folder}")
            return matching_pairs(folder / "A", folder / "B", channels)
        return side_by_side_files(folder, channels)

    def load_split(self, split: str, size: int | None = None, limit: int | None = None) -> PairedData | None:
        """The ``split`` pairs in memory at ``size`` (default :attr:`size`); None when the source has no such split."""
        size = int(size or self.size)
        swap = self.swapped()
        if self.path is None:
            channels = self.parsed_channels()
            edges, digits, digit_labels = edges2digits(split)
            a, b = prepare_array(edges, size, channels or 1), prepare_array(digits, size, channels or 1)
            a, b = (b, a) if swap else (a, b)
            return PairedData(a.contiguous(), b.contiguous(), torch.from_numpy(digit_labels), split)
        source = self.pair_source(split)
        if source is None:
            return None
        items, channels = source
        a, b = read_pairs(items[:limit], channels, size, swap)
        return PairedData(a, b, None, split)

    def _streaming(self) -> bool:
        return self.path is not None and streams_files(self.cache)

    def setup(self, stage: str | None = None) -> None:
        """Check (streaming) or load (memory) the training pairs once."""
        if self.dataset is not None:
            return
        size, load_size, flip = self.jitter_settings()
        limit = self.limit
        if self._streaming():
            source = self.pair_source("train")
            if source is None or not source[0]:
                raise GanforgeError(f"data.path={self.path}: no training pairs found")
            items, channels = source[0][:limit], source[1]
            swap = self.swapped()
            self.dataset = PairFiles(items, channels, ImageJitter(size, load_size, flip), swap)
            self._eval_source = PairFiles(items, channels, ImageJitter(size, train=False), swap)
            channels_in, channels_out = channels[::-1] if swap else channels
            n = len(items)
        else:
            train = self.load_split("train", size=load_size or size)
            if train is None or len(train.a) == 0:
                raise GanforgeError(f"data.path={self.path}: no training pairs found")
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
            "dataset": EMBEDDED_PAIRED if self.path is None else "folder",
        }

    @property
    def train(self) -> PairedData | None:
        """The training pairs without jitter (a bounded fixed subset when streamed); None before setup."""
        if self._train is None and self._eval_source is not None:
            a, b = materialise(self._eval_source, eval_subset(len(self._eval_source), self.eval_images))
            self._train = PairedData(a, b, None, "train")
        return self._train

    def test_data(self) -> PairedData:
        """Held-out pairs (``test``/``val`` split) for metrics; the training pairs when there are none."""
        if self._test is None:
            limit = self.eval_images if self._streaming() else None
            self._test = self.load_split("test", limit=limit) or self.train
        return self._test
