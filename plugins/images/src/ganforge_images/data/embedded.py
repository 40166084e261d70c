"""The embedded default data set shipped inside the plugin (see DIGITS_NOTICE.md)."""

from __future__ import annotations

from importlib.resources import files

import numpy as np

DIGITS_RESOURCE = "digits.npz"


def load_digits(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """The embedded MNIST subset: uint8 images ``[N, 28, 28]`` and int64 labels ``[N]``.

    ``split`` is ``train`` (6,000 images) or ``test`` (1,000 images).
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    with files("ganforge_images.data").joinpath(DIGITS_RESOURCE).open("rb") as fh:
        with np.load(fh) as z:
            return z[f"{split}_images"].copy(), z[f"{split}_labels"].astype(np.int64)
