"""Embedded default data for the translation models, built from the embedded MNIST digits.

* ``edges2digits`` (pix2pix): A = the Canny edge map of a digit (white outline on black,
  like the edges of pix2pix's edges2shoes/edges2cats), B = the digit itself. Paired.
* ``digits2boldink`` (CycleGAN): A = digits as in MNIST (white ink on black), B = *other*
  digits rewritten in bold dark ink on white paper (dilated by a disk of radius 1 and
  inverted). The training halves are disjoint, so the pairing is unknown to the model,
  as with horse<->zebra; the test split applies the same rewrite to the same digits, so
  L1/SSIM against the true translation can be reported too. A correct A->B translation
  visibly thickens the strokes and turns the background white.

Both use scikit-image's edge and morphology operators; nothing extra is shipped.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from skimage.feature import canny
from skimage.morphology import dilation, disk

from ganforge_images.data.embedded import load_digits

EMBEDDED_PAIRED = "edges2digits"
EMBEDDED_UNPAIRED = "digits2boldink"


def digit_edges(digits: np.ndarray, sigma: float = 1.0) -> np.ndarray:
    """Canny edge maps (uint8, 255 on edges) of uint8 digits ``[N, H, W]``."""
    return np.stack([canny(d.astype(np.float64) / 255.0, sigma=sigma) for d in digits]).astype(np.uint8) * 255


def bold_ink(digits: np.ndarray, radius: int = 1) -> np.ndarray:
    """Digits dilated by a disk (thicker strokes) and inverted (dark ink on white), uint8."""
    footprint = disk(radius)
    return (255 - np.stack([dilation(d, footprint) for d in digits])).astype(np.uint8)


@lru_cache(maxsize=4)
def edges2digits(split: str = "train") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paired ``(edges, digits, labels)`` of the embedded ``split`` (uint8 ``[N, 28, 28]``)."""
    digits, labels = load_digits(split)
    return digit_edges(digits), digits, labels


@lru_cache(maxsize=4)
def digits2boldink(split: str = "train") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """Unpaired ``(A, B, labels_A, labels_B, paired)`` of the embedded ``split``.

    ``train``: A is the first half of the digits, B the rewrite of the second half
    (``paired=False``). ``test``: B is the rewrite of A itself (``paired=True``).
    """
    digits, labels = load_digits(split)
    if split == "test":
        return digits, bold_ink(digits), labels, labels, True
    half = len(digits) // 2
    return digits[:half], bold_ink(digits[half:]), labels[:half], labels[half:], False
