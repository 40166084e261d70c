"""Rebuild ganforge_images/data/digits.npz (the embedded default data) from MNIST IDX files.

Usage: python plugins/images/tools/make_embedded_digits.py ../shared/data/mnist

Takes the first 600 training images of each digit (6,000) and the first 100 test
images of each digit (1,000) in file order -- deterministic, class balanced -- and
stores them as uint8 arrays with labels in a compressed npz.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from ganforge_images.data.mnist import read_idx  # noqa: E402

PER_CLASS = {"train": 600, "test": 100}


def pick(images: np.ndarray, labels: np.ndarray, per_class: int) -> tuple[np.ndarray, np.ndarray]:
    """First ``per_class`` examples of each label, in file order."""
    idx = np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)])
    idx.sort()
    return images[idx], labels[idx]


def main(src: str) -> None:
    root = Path(src)
    tr_x, tr_y = pick(read_idx(root / "train-images-idx3-ubyte.gz"), read_idx(root / "train-labels-idx1-ubyte.gz"), PER_CLASS["train"])
    te_x, te_y = pick(read_idx(root / "t10k-images-idx3-ubyte.gz"), read_idx(root / "t10k-labels-idx1-ubyte.gz"), PER_CLASS["test"])
    out = Path(__file__).resolve().parents[1] / "src" / "ganforge_images" / "data" / "digits.npz"
    np.savez_compressed(out, train_images=tr_x, train_labels=tr_y.astype(np.uint8), test_images=te_x, test_labels=te_y.astype(np.uint8))
    print(f"wrote {out} ({out.stat().st_size} bytes): train {tr_x.shape}, test {te_x.shape}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/mnist")
