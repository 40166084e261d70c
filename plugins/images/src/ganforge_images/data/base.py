"""``ImageDataBase``: the arguments and the loader shared by the images domain's data modules.

The data modules take flat, typed keyword arguments (a notebook builds one without a
config) and have a ``from_config(data_cfg)`` builder that reads each ``data`` key once.
The defaults live in the YAML only: ``conf/domain/images.yaml`` for the keys of every
image model, ``conf/model/pix2pix.yaml`` (``layout``, ``direction``) and
``conf/model/cyclegan.yaml`` (``path_a``, ``path_b``) for the translation data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import lightning.pytorch as pl
from omegaconf import DictConfig, OmegaConf
from torch.utils.data import DataLoader, Dataset

from ganforge.errors import GanforgeError
from ganforge.plugin import DataSpecMixin
from ganforge.utils import loader_worker_init


def data_node(data_cfg: DictConfig | Mapping[str, Any]) -> DictConfig:
    """``data_cfg`` as a DictConfig (a plain mapping is accepted too); a key it lacks is an error when read."""
    return data_cfg if isinstance(data_cfg, DictConfig) else OmegaConf.create(dict(data_cfg))


class ImageDataBase(DataSpecMixin, pl.LightningDataModule):
    """Keys every image data module reads, and its training loader.

    Args:
        path: ``data.path``; None selects the module's embedded data.
        size: images are resized and center-cropped to ``size x size``.
        channels: ``"auto"``, 1 or 3 (checked when the data is read).
        limit: use at most this many images (None or 0: all).
        cache: ``auto`` | ``none`` | ``memory`` (see :func:`~ganforge_images.data.streaming.streams_files`).
        load_size: jitter: resize to this, then random-crop ``size``; None: no crop jitter.
        flip: jitter: random horizontal flips.
        eval_images: real images of a streamed source held in memory for metrics.
        batch_size: training batch size (capped at the data set's size).
        num_workers: loader processes (0: decode in the training process).
    """

    def __init__(self, *, path: str | None, size: int, channels: int | str, limit: int | None, cache: str,
                 load_size: int | None, flip: bool, eval_images: int, batch_size: int, num_workers: int):
        super().__init__()
        self.path = None if path is None else str(path)
        self.size = int(size)
        self.channels = channels
        self.limit = int(limit) if limit else None  # 0 and null both mean "all images"
        self.cache = str(cache)
        self.load_size = None if load_size is None else int(load_size)
        self.flip = bool(flip)
        self.eval_images = int(eval_images)
        self.batch_size = int(batch_size)
        self.num_workers = int(num_workers)
        self.dataset: Dataset | None = None

    @staticmethod
    def common_args(data: DictConfig) -> dict[str, Any]:
        """The shared constructor arguments, each read once from the ``data`` node."""
        return {
            "path": data.path, "size": data.size, "channels": data.channels, "limit": data.limit,
            "cache": data.cache, "load_size": data.load_size, "flip": data.flip,
            "eval_images": data.eval_images, "batch_size": data.batch_size, "num_workers": data.num_workers,
        }

    def parsed_channels(self) -> int | None:
        """:attr:`channels` as 1/3, or None for ``auto``; anything else is a one-line error."""
        if self.channels in (None, "auto"):
            return None
        if str(self.channels) not in ("1", "3"):
            raise GanforgeError(f"data.channels={self.channels}: expected 1, 3 or auto")
        return int(self.channels)

    def jitter_settings(self) -> tuple[int, int | None, bool]:
        """``(size, load_size, flip)``; ``load_size`` below ``size`` is a one-line error."""
        if self.load_size is not None and self.load_size < self.size:
            raise GanforgeError(f"data.load_size={self.load_size}: expected null or at least data.size ({self.size})")
        return self.size, self.load_size, self.flip

    def train_dataloader(self) -> DataLoader:
        """Shuffled batches of :attr:`dataset`; the last partial batch is dropped."""
        n_workers = self.num_workers
        return DataLoader(
            self.dataset,
            batch_size=min(self.batch_size, len(self.dataset)),
            shuffle=True,
            drop_last=True,
            num_workers=n_workers,
            persistent_workers=n_workers > 0,
            worker_init_fn=loader_worker_init if n_workers > 0 else None,
        )
