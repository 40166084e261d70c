"""Unpaired image domains for CycleGAN: two folders of images with no correspondence.

``data.path`` holds ``trainA/`` and ``trainB/`` (and optionally ``testA/``/``testB/``),
the CycleGAN release layout (horse2zebra, summer2winter_yosemite ...), or just ``A/`` and
``B/``; alternatively ``data.path_a`` and ``data.path_b`` name the two folders directly.
When ``testA`` and ``testB`` hold files of the same names they are taken as true pairs
and L1/SSIM are reported. ``data.path=null`` (and no ``path_a``/``path_b``) uses the
embedded digits <-> bold ink domains (see :mod:`ganforge_images.data.embedded_translation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from omegaconf import DictConfig
from torch.utils.data import Dataset, TensorDataset

from ganforge.errors import GanforgeError
from ganforge_images.data.base import ImageDataBase, data_node
from ganforge_images.data.embedded_translation import EMBEDDED_UNPAIRED, digits2boldink
from ganforge_images.data.folder import list_images, load_folder, prepare_array, resize_center_crop, scan_folder
from ganforge_images.data.streaming import (
    ImageFiles,
    ImageJitter,
    TensorJitter,
    eval_subset,
    materialise,
    streams_files,
)
from ganforge_images.data.translation_files import matching_pairs, read_pairs


@dataclass
class UnpairedData:
    """Images of domain A and domain B; ``paired`` when ``b[i]`` is the true translation of ``a[i]``."""

    a: torch.Tensor
    b: torch.Tensor
    labels_a: torch.Tensor | None
    labels_b: torch.Tensor | None
    paired: bool
    split: str


def read_domain(folder: Path, size: int, channels: int | None, limit: int) -> torch.Tensor:
    """At most ``limit`` usable images of ``folder`` (a fixed random subset), un-jittered, in memory."""
    files, channels = scan_folder(folder, channels)
    (images,) = materialise(ImageFiles(files, channels, ImageJitter(size, train=False)), eval_subset(len(files), limit))
    return images


class UnpairedDataset(Dataset):
    """Item ``i``: A image ``i`` with a B image drawn at random (as CycleGAN's loader does).

    ``a`` and ``b`` are datasets whose items start with the image (tensors in memory or
    streamed files, each with its own jitter).
    """

    def __init__(self, a: Dataset, b: Dataset):
        self.a, self.b = a, b

    def __len__(self) -> int:
        return max(len(self.a), len(self.b))

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        # the global RNG: Lightning seeds it, and each loader worker gets its own seed
        j = int(torch.randint(len(self.b), ()))
        return self.a[index % len(self.a)][0], self.b[j][0]


class UnpairedImageDataModule(ImageDataBase):
    """Batches ``(A, B)`` of unrelated images from the two domains, streamed from folders or in memory.

    Folders are checked once and decoded per batch unless ``cache=memory``;
    ``load_size``/``flip`` jitter each image. :attr:`train` holds the un-jittered images
    metrics use (at most ``eval_images`` a domain when streamed).

    Args: those of :class:`~ganforge_images.data.base.ImageDataBase`, and
        path_a, path_b: the two domains' folders (both or neither; they replace ``path``).

    Spec: ``channels_a``, ``channels_b``, ``size``, ``num_images_a``, ``num_images_b``,
    ``dataset`` (``digits2boldink`` for the embedded default, else ``folder``).
    """

    def __init__(self, *, path: str | None, path_a: str | None, path_b: str | None, size: int,
                 channels: int | str, limit: int | None, cache: str, load_size: int | None, flip: bool,
                 eval_images: int, batch_size: int, num_workers: int):
        super().__init__(path=path, size=size, channels=channels, limit=limit, cache=cache, load_size=load_size,
                         flip=flip, eval_images=eval_images, batch_size=batch_size, num_workers=num_workers)
        self.path_a = None if path_a is None else str(path_a)
        self.path_b = None if path_b is None else str(path_b)
        self.dataset: UnpairedDataset | None = None
        self._train: UnpairedData | None = None
        self._eval_sources: tuple[ImageFiles, ImageFiles] | None = None
        self._test: UnpairedData | None = None

    @classmethod
    def from_config(cls, data_cfg: DictConfig | Mapping[str, Any]) -> UnpairedImageDataModule:
        """Builder: the ``data`` node's keys, each read once (defaults: ``conf/domain/images.yaml``,
        ``path_a``/``path_b`` in ``conf/model/cyclegan.yaml``)."""
        data = data_node(data_cfg)
        return cls(**cls.common_args(data), path_a=data.path_a, path_b=data.path_b)

    def domain_folders(self, split: str) -> tuple[Path, Path] | None:
        """The (A, B) folders of ``split``, or None when the source has no such split."""
        path_a, path_b = self.path_a, self.path_b
        if path_a is not None or path_b is not None:
            if path_a is None or path_b is None:
                raise GanforgeError("data.path_a/data.path_b: give both folders (domain A and domain B)")
            return (Path(path_a).expanduser(), Path(path_b).expanduser()) if split == "train" else None
        root = Path(str(self.path)).expanduser()
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

    def load_split(self, split: str, size: int | None = None, limit: int | None = None) -> UnpairedData | None:
        """Both domains of ``split`` in memory at ``size`` (default :attr:`size`, at most ``limit`` images
        a domain); None when the source has no such split."""
        size = int(size or self.size)
        channels = self.parsed_channels()
        if self._embedded():
            a, b, la, lb, paired = digits2boldink(split)
            return UnpairedData(
                prepare_array(a, size, channels or 1), prepare_array(b, size, channels or 1),
                torch.from_numpy(la), torch.from_numpy(lb), paired, split,
            )
        folders = self.domain_folders(split)
        if folders is None:
            return None
        folder_a, folder_b = folders
        names_a = {p.relative_to(folder_a).with_suffix("").as_posix() for p in list_images(folder_a)}
        names_b = {p.relative_to(folder_b).with_suffix("").as_posix() for p in list_images(folder_b)}
        if split != "train" and names_a == names_b:
            pairs, channels = matching_pairs(folder_a, folder_b, channels)
            a, b = read_pairs(pairs[:limit], channels, size)
            return UnpairedData(a, b, None, None, True, split)
        if limit is not None:  # a bounded view of a streamed source
            return UnpairedData(read_domain(folder_a, size, channels, limit), read_domain(folder_b, size, channels, limit),
                                None, None, False, split)
        a, _ = load_folder(folder_a, size, channels)
        b, _ = load_folder(folder_b, size, channels)
        return UnpairedData(a, b, None, None, False, split)

    def _embedded(self) -> bool:
        return self.path is None and self.path_a is None and self.path_b is None

    def _streaming(self) -> bool:
        return not self._embedded() and streams_files(self.cache)

    def setup(self, stage: str | None = None) -> None:
        """Check (streaming) or load (memory) both training domains once."""
        if self.dataset is not None:
            return
        size, load_size, flip = self.jitter_settings()
        limit = self.limit
        if self._streaming():
            channels = self.parsed_channels()
            scans = [scan_folder(folder, channels) for folder in self.domain_folders("train")]
            (files_a, ch_a), (files_b, ch_b) = [(files[:limit], ch) for files, ch in scans]
            jitter = ImageJitter(size, load_size, flip)
            self.dataset = UnpairedDataset(ImageFiles(files_a, ch_a, jitter), ImageFiles(files_b, ch_b, jitter))
            plain = ImageJitter(size, train=False)
            self._eval_sources = (ImageFiles(files_a, ch_a, plain), ImageFiles(files_b, ch_b, plain))
            (ch_a, n_a), (ch_b, n_b) = (ch_a, len(files_a)), (ch_b, len(files_b))
        else:
            train = self.load_split("train", size=load_size or size)
            if limit:
                cut = lambda t: None if t is None else t[:limit]  # noqa: E731
                train = UnpairedData(train.a[:limit], train.b[:limit], cut(train.labels_a), cut(train.labels_b), False, "train")
            jitter = ImageJitter(size, load_size, flip, resize=False)
            wrap = (lambda t: TensorJitter([t], jitter)) if jitter.active else TensorDataset
            self.dataset = UnpairedDataset(wrap(train.a), wrap(train.b))
            if load_size is not None:
                train = UnpairedData(resize_center_crop(train.a, size), resize_center_crop(train.b, size),
                                     train.labels_a, train.labels_b, train.paired, "train")
            self._train = train
            (ch_a, n_a), (ch_b, n_b) = (int(train.a.shape[1]), len(train.a)), (int(train.b.shape[1]), len(train.b))
        self._spec = {
            "channels_a": int(ch_a),
            "channels_b": int(ch_b),
            "size": size,
            "num_images_a": int(n_a),
            "num_images_b": int(n_b),
            "dataset": EMBEDDED_UNPAIRED if self._embedded() else "folder",
        }

    @property
    def train(self) -> UnpairedData | None:
        """Both training domains without jitter (bounded fixed subsets when streamed); None before setup."""
        if self._train is None and self._eval_sources is not None:
            a, b = [materialise(src, eval_subset(len(src), self.eval_images))[0] for src in self._eval_sources]
            self._train = UnpairedData(a, b, None, None, False, "train")
        return self._train

    def test_data(self) -> UnpairedData:
        """Held-out domains (``testA``/``testB``) for metrics; the training domains when there are none."""
        if self._test is None:
            limit = self.eval_images if self._streaming() else None
            self._test = self.load_split("test", limit=limit) or self.train
        return self._test
