"""Reading image pairs and image domains from folders (shared by the paired and unpaired data)."""

from __future__ import annotations

from pathlib import Path

import torch

from ganforge.errors import GanforgeError
from ganforge.progress import track
from ganforge_images.data.folder import detect_channels, list_images, read_image
from ganforge_images.data.streaming import ImageJitter, PairFiles, materialise


def checked_files(files: list[Path], channels: int, key: str, side_by_side: bool = False) -> None:
    """Decode each file once (dropping the pixels): every one must be readable, and A|B images twice as wide."""
    for path in track(files, f"checking {len(files)} images"):
        arr = read_image(path, channels)
        if arr is None:
            raise GanforgeError(f"{key}: cannot read image file {path}; expected PNG/JPEG/BMP/WebP")
        h, w = arr.shape[:2]
        if side_by_side and w < 1.5 * h:
            raise GanforgeError(
                f"{path}: {w}x{h} is not a side-by-side A|B image (expected width = 2 x height); "
                "for two folders of matching files use data.layout=folders with sub-folders A/ and B/"
            )


def side_by_side_files(folder: Path, channels: int | None) -> tuple[list[Path], tuple[int, int]]:
    """Checked images holding ``A|B`` side by side (the pix2pix release format) and the halves' channels."""
    files = list_images(folder)
    channels = channels or detect_channels(files)
    checked_files(files, channels, "data.path", side_by_side=True)
    return files, (channels, channels)


def matching_pairs(
    folder_a: Path, folder_b: Path, channels: int | None
) -> tuple[list[tuple[Path, Path]], tuple[int, int]]:
    """Checked ``(A file, B file)`` pairs of two folders matched by name (stem; extensions may differ),
    and each side's channels (``channels``, or detected per folder)."""
    files_a = {p.relative_to(folder_a).with_suffix("").as_posix(): p for p in list_images(folder_a)}
    files_b = {p.relative_to(folder_b).with_suffix("").as_posix(): p for p in list_images(folder_b)}
    only_a, only_b = sorted(set(files_a) - set(files_b)), sorted(set(files_b) - set(files_a))
    if only_a or only_b:
        side, names, other = (folder_a, only_a, folder_b) if only_a else (folder_b, only_b, folder_a)
        raise GanforgeError(
            f"data.path: {len(names)} file(s) in {side} have no file of the same name in {other} "
            f"(e.g. '{names[0]}'); expected matching file names"
        )
    pairs = [(files_a[n], files_b[n]) for n in sorted(files_a)]
    sides = tuple(channels or detect_channels([pair[k] for pair in pairs]) for k in (0, 1))
    for k, ch in enumerate(sides):
        checked_files([pair[k] for pair in pairs], ch, "data.path")
    return pairs, sides


def read_pairs(items: list, channels: tuple[int, int], size: int, swap: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """All ``items`` (side-by-side files or file pairs) as two ``[N, C, size, size]`` tensors in [-1, 1]."""
    a, b = materialise(PairFiles(items, channels, ImageJitter(size, train=False), swap), torch.arange(len(items)))
    return a, b
