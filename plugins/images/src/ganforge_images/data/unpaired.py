"""Unpaired image domains for CycleGAN: two folders of images with no correspondence.

``data.path`` holds ``trainA/`` and ``trainB/`` (and optionally ``testA/``/``testB/``),
the CycleGAN release layout (horse2zebra, summer2winter_yosemite ...), or just ``A/`` and
``B/``; alternatively ``data.path_a`` and ``data.path_b`` name the two folders directly.
When ``testA`` and ``testB`` hold files of the same names they are taken as true pairs
and L1/SSIM are reported. ``data.path=null`` (and no ``path_a``/``path_b``) uses the
embedded digits <-> bold ink domains (see :mod:`ganforge_images.data.embedded_translation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import torch
from torch.utils.data import DataLoader, Dataset

from ganforge.errors import GanforgeError
from ganforge.plugin import DataSpecMixin
from ganforge_images.data.embedded_translation import EMBEDDED_UNPAIRED, digits2boldink
from ganforge_images.data.folder import list_images, load_folder, prepare_array
from ganforge_images.data.translation_files import config_channels, load_matching_folders


@dataclass
class UnpairedData:
    """Images of domain A and domain B; ``paired`` when ``b[i]`` is the true translation of ``a[i]``."""

    a: torch.Tensor
    b: torch.Tensor
    labels_a: torch.Tensor | None
    labels_b: torch.Tensor | None
    paired: bool
    split: str


def domain_folders(data_cfg: Any, split: str) -> tuple[Path, Path] | None:
    """The (A, B) folders of ``split``, or None when the source has no such split."""
    path_a, path_b = data_cfg.get("path_a"), data_cfg.get("path_b")
    if path_a is not None or path_b is not None:
        if path_a is None or path_b is None:
            raise GanforgeError("data.path_a/data.path_b: give both folders (domain A and domain B)")
        return (Path(str(path_a)).expanduser(), Path(str(path_b)).expanduser()) if split == "train" else None
    root = Path(str(data_cfg.get("path"))).expanduser()
    if not root.is_dir():
        raise GanforgeError(f"data.path={root}: not a directory; expected sub-folders trainA/ and trainB/ (or A/ and B/)")
    for a, b in ((f"{split}A", f"{split}B"), ("A", "B") if split == "train" else (None, None)):
        if a and (root / a).is_dir() and (root / b).is_dir():
            return root / a, root / b
    if split == "train":
        raise GanforgeError(
            f"data.path={root}: expected sub-folders trainA/ and trainB/ (CycleGAN layout) or A/ and B/ "
            "with the images of each domain"
        )
    return None


def load_unpaired(data_cfg: Any, split: str) -> UnpairedData | None:
    """Both domains of ``split``; None when the source has no such split."""
    size = int(data_cfg.get("size", 32))
    channels = config_channels(data_cfg)
    if data_cfg.get("path") is None and data_cfg.get("path_a") is None and data_cfg.get("path_b") is None:
        a, b, la, lb, paired = digits2boldink(split)
        return UnpairedData(
            prepare_array(a, size, channels or 1), prepare_array(b, size, channels or 1),
            torch.from_numpy(la), torch.from_numpy(lb), paired, split,
        )
    folders = domain_folders(data_cfg, split)
    if folders is None:
        return None
    folder_a, folder_b = folders
    names_a = {p.relative_to(folder_a).with_suffix("").as_posix() for p in list_images(folder_a)}
    names_b = {p.relative_to(folder_b).with_suffix("").as_posix() for p in list_images(folder_b)}
    if split != "train" and names_a == names_b:
        a, b, _ = load_matching_folders(folder_a, folder_b, size, channels)
        return UnpairedData(a, b, None, None, True, split)
    a, _ = load_folder(folder_a, size, channels)
    b, _ = load_folder(folder_b, size, channels)
    return UnpairedData(a, b, None, None, False, split)


class UnpairedDataset(Dataset):
    """Item ``i``: A image ``i`` with a B image drawn at random (as CycleGAN's loader does)."""

    def __init__(self, a: torch.Tensor, b: torch.Tensor):
        self.a, self.b = a, b

    def __len__(self) -> int:
        return max(len(self.a), len(self.b))

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        # the global RNG: Lightning seeds it, and each loader worker gets its own seed
        j = int(torch.randint(len(self.b), ()))
        return self.a[index % len(self.a)], self.b[j]


class UnpairedImageDataModule(DataSpecMixin, pl.LightningDataModule):
    """Batches ``(A, B)`` of unrelated images from the two domains.

    Spec: ``channels_a``, ``channels_b``, ``size``, ``num_images_a``, ``num_images_b``,
    ``dataset`` (``digits2boldink`` for the embedded default, else ``folder``).
    """

    def __init__(self, data_cfg: Any):
        super().__init__()
        self.data_cfg = data_cfg
        self.train: UnpairedData | None = None
        self._test: UnpairedData | None = None

    def setup(self, stage: str | None = None) -> None:
        """Load both training domains once."""
        if self.train is not None:
            return
        train = load_unpaired(self.data_cfg, "train")
        limit = self.data_cfg.get("limit")
        if limit:
            n = int(limit)
            cut = lambda t: None if t is None else t[:n]  # noqa: E731
            train = UnpairedData(train.a[:n], train.b[:n], cut(train.labels_a), cut(train.labels_b), False, "train")
        if train.a.shape[-1] != train.b.shape[-1]:  # pragma: no cover - both resized to data.size
            raise GanforgeError("data.size: domains A and B were read at different sizes")
        self.train = train
        embedded = self.data_cfg.get("path") is None and self.data_cfg.get("path_a") is None
        self._spec = {
            "channels_a": int(train.a.shape[1]),
            "channels_b": int(train.b.shape[1]),
            "size": int(train.a.shape[-1]),
            "num_images_a": int(train.a.shape[0]),
            "num_images_b": int(train.b.shape[0]),
            "dataset": EMBEDDED_UNPAIRED if embedded else "folder",
        }

    def test_data(self) -> UnpairedData:
        """Held-out domains (``testA``/``testB``) for metrics; the training domains when there are none."""
        if self._test is None:
            self._test = load_unpaired(self.data_cfg, "test") or self.train
        return self._test

    def train_dataloader(self) -> DataLoader:
        """Shuffled ``(A, B)`` batches; the last partial batch is dropped."""
        batch_size = int(self.data_cfg.get("batch_size", 1))
        n_workers = int(self.data_cfg.get("num_workers", 0))
        dataset = UnpairedDataset(self.train.a, self.train.b)
        return DataLoader(
            dataset,
            batch_size=min(batch_size, len(dataset)),
            shuffle=True,
            drop_last=True,
            num_workers=n_workers,
            persistent_workers=n_workers > 0,
        )
