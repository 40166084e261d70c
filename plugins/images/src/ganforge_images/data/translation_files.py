"""Reading image pairs and image domains from folders (shared by the paired and unpaired data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganforge.errors import GanforgeError
from ganforge_images.data.folder import detect_channels, list_images, prepare_array, read_image


def config_channels(data_cfg: Any) -> int | None:
    """``data.channels`` as 1/3, or None for ``auto``; anything else is a one-line error."""
    channels = data_cfg.get("channels")
    if channels in (None, "auto"):
        return None
    if str(channels) not in ("1", "3"):
        raise GanforgeError(f"data.channels={channels}: expected 1, 3 or auto")
    return int(channels)


def read_images(files: list[Path], size: int, channels: int | None, key: str) -> torch.Tensor:
    """Read ``files`` (all must be readable) as ``[N, C, size, size]`` floats in ``[-1, 1]``."""
    channels = channels or detect_channels(files)
    out = []
    for path in files:
        arr = read_image(path, channels)
        if arr is None:
            raise GanforgeError(f"{key}: cannot read image file {path}; expected PNG/JPEG/BMP/WebP")
        out.append(prepare_array(np.array(arr[None]), size, channels))
    return torch.cat(out)


def load_side_by_side(folder: Path, size: int, channels: int | None) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """Images holding ``A|B`` side by side (the pix2pix release format), split at half width."""
    files = list_images(folder)
    channels = channels or detect_channels(files)
    lefts, rights = [], []
    for path in files:
        arr = read_image(path, channels)
        if arr is None:
            raise GanforgeError(f"data.path: cannot read image file {path}; expected PNG/JPEG/BMP/WebP")
        h, w = arr.shape[:2]
        if w < 1.5 * h:
            raise GanforgeError(
                f"{path}: {w}x{h} is not a side-by-side A|B image (expected width = 2 x height); "
                "for two folders of matching files use data.layout=folders with sub-folders A/ and B/"
            )
        half = w // 2
        lefts.append(prepare_array(np.array(arr[None, :, :half]), size, channels))
        rights.append(prepare_array(np.array(arr[None, :, half : 2 * half]), size, channels))
    return torch.cat(lefts), torch.cat(rights), [p.stem for p in files]


def load_matching_folders(
    folder_a: Path, folder_b: Path, size: int, channels: int | None
) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """Two folders whose files pair up by name (file stem; extensions may differ)."""
    files_a = {p.relative_to(folder_a).with_suffix("").as_posix(): p for p in list_images(folder_a)}
    files_b = {p.relative_to(folder_b).with_suffix("").as_posix(): p for p in list_images(folder_b)}
    only_a, only_b = sorted(set(files_a) - set(files_b)), sorted(set(files_b) - set(files_a))
    if only_a or only_b:
        side, names, other = (folder_a, only_a, folder_b) if only_a else (folder_b, only_b, folder_a)
        raise GanforgeError(
            f"data.path: {len(names)} file(s) in {side} have no file of the same name in {other} "
            f"(e.g. '{names[0]}'); expected matching file names"
        )
    names = sorted(files_a)
    a = read_images([files_a[n] for n in names], size, channels, "data.path")
    b = read_images([files_b[n] for n in names], size, channels, "data.path")
    return a, b, names
