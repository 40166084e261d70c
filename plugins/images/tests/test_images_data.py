"""Tests of the paired (pix2pix) and unpaired (CycleGAN) image data, embedded and from folders."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf
from PIL import Image
from torch.utils.data import TensorDataset

import ganforge
from ganforge.errors import GanforgeError
from ganforge_images.data.embedded_translation import bold_ink, digits2boldink, edges2digits
from ganforge_images.data.paired import PairedImageDataModule
from ganforge_images.data.unpaired import UnpairedDataset, UnpairedImageDataModule


@cache
def composed_data(model: str):
    """The ``data`` node ``gan-run domain=images model=<model>`` composes (the YAML defaults)."""
    return ganforge.compose_config(["domain=images", f"model={model}"]).data


def cfg(model: str = "pix2pix", **kw):
    return OmegaConf.merge(composed_data(model), {"size": 16, "batch_size": 4, **kw})


def paired(**kw) -> PairedImageDataModule:
    return PairedImageDataModule.from_config(cfg("pix2pix", **kw))


def unpaired(**kw) -> UnpairedImageDataModule:
    return UnpairedImageDataModule.from_config(cfg("cyclegan", **kw))


def write_png(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_embedded_edges2digits_pairs_outline_with_digit():
    edges, digits, labels = edges2digits("test")
    assert edges.shape == digits.shape == (1000, 28, 28) and labels.shape == (1000,)
    assert set(np.unique(edges)) <= {0, 255}
    # edges lie on or next to the strokes, and there are fewer edge pixels than background
    near_ink = np.maximum.reduce([np.roll(digits, s, axis=a) for a in (1, 2) for s in (-1, 0, 1)]) > 0
    on_edge = edges > 0
    assert on_edge.sum() > 0 and (on_edge & near_ink).sum() / on_edge.sum() > 0.95


def test_embedded_digits2boldink_is_unpaired_in_train_and_paired_in_test():
    a, b, la, lb, paired = digits2boldink("train")
    assert not paired and len(a) == len(b) == 3000
    assert not np.array_equal(b[:10], bold_ink(a[:10]))  # B comes from other digits
    ta, tb, tla, tlb, tpaired = digits2boldink("test")
    assert tpaired and np.array_equal(tb, bold_ink(ta)) and np.array_equal(tla, tlb)
    # bold ink: more ink than the original and a white background
    assert ((255 - tb) > 127).mean() > 1.3 * (ta > 127).mean()
    assert tb[:, 0, 0].min() == 255


def test_paired_embedded_datamodule_batches_and_spec():
    dm = paired(limit=32)
    dm.setup("fit")
    assert dm.spec() == {"channels_in": 1, "channels": 1, "size": 16, "num_images": 32, "dataset": "edges2digits"}
    a, b = next(iter(dm.train_dataloader()))
    assert a.shape == b.shape == (4, 1, 16, 16) and a.dtype == torch.float32
    assert float(a.min()) >= -1 and float(a.max()) <= 1
    test = dm.test_data()
    assert test.split == "test" and len(test.a) == 1000 and test.labels is not None


def test_paired_side_by_side_folder_with_splits(tmp_path):
    rng = np.random.default_rng(0)
    for split, n in (("train", 3), ("val", 2)):
        for i in range(n):
            left = np.full((20, 20, 3), 40 * i, np.uint8)
            right = rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)
            write_png(tmp_path / split / f"{i}.png", np.concatenate([left, right], axis=1))
    train = paired(path=str(tmp_path)).load_split("train")
    assert train.a.shape == train.b.shape == (3, 3, 16, 16)
    assert torch.allclose(train.a[1], torch.full((3, 16, 16), 40 / 127.5 - 1), atol=1e-5)
    test = paired(path=str(tmp_path)).load_split("test")
    assert test.split == "test" and len(test.a) == 2
    swapped = paired(path=str(tmp_path), direction="BtoA").load_split("train")
    assert torch.equal(swapped.a, train.b) and torch.equal(swapped.b, train.a)


def test_paired_matching_folders_and_mismatch_error(tmp_path):
    for name in ("x1", "x2"):
        write_png(tmp_path / "A" / f"{name}.png", np.zeros((16, 16), np.uint8))
        write_png(tmp_path / "B" / f"{name}.jpg", np.full((16, 16, 3), 200, np.uint8))
    pairs = paired(path=str(tmp_path)).load_split("train")
    assert pairs.a.shape == (2, 1, 16, 16) and pairs.b.shape == (2, 3, 16, 16)
    assert paired(path=str(tmp_path)).load_split("test") is None
    write_png(tmp_path / "A" / "orphan.png", np.zeros((16, 16), np.uint8))
    with pytest.raises(GanforgeError, match=r"1 file\(s\) in .*A have no file of the same name .*'orphan'"):
        paired(path=str(tmp_path)).load_split("train")


def test_paired_rejects_square_images_as_side_by_side(tmp_path):
    write_png(tmp_path / "square.png", np.zeros((16, 16), np.uint8))
    with pytest.raises(GanforgeError, match=r"square.png: 16x16 is not a side-by-side A\|B image"):
        paired(path=str(tmp_path)).load_split("train")


def test_paired_bad_keys_are_one_line_errors(tmp_path):
    with pytest.raises(GanforgeError, match="data.direction: unknown direction 'up'; valid choices: AtoB, BtoA"):
        paired(direction="up").load_split("train")
    with pytest.raises(GanforgeError, match="data.path=.*nowhere: not a directory"):
        paired(path=str(tmp_path / "nowhere")).load_split("train")


def test_unpaired_cyclegan_layout_detects_true_test_pairs(tmp_path):
    for folder, n in (("trainA", 3), ("trainB", 5), ("testA", 2), ("testB", 2)):
        for i in range(n):
            write_png(tmp_path / folder / f"{i}.png", (np.arange(576).reshape(24, 24) % 7 + 10 * i).astype(np.uint8))
    dm = unpaired(path=str(tmp_path))
    dm.setup("fit")
    assert dm.spec()["num_images_a"] == 3 and dm.spec()["num_images_b"] == 5
    a, b = next(iter(dm.train_dataloader()))
    assert a.shape == b.shape == (4, 1, 16, 16)
    test = dm.test_data()
    assert test.paired and test.split == "test" and len(test.a) == 2


def test_unpaired_missing_domains_is_a_one_line_error(tmp_path):
    (tmp_path / "trainA").mkdir()
    with pytest.raises(GanforgeError, match="expected sub-folders trainA/ and trainB/"):
        unpaired(path=str(tmp_path)).load_split("train")
    with pytest.raises(GanforgeError, match="give both folders"):
        unpaired(path_a=str(tmp_path)).load_split("train")


def test_unpaired_dataset_draws_random_b():
    torch.manual_seed(0)
    a, b = torch.zeros(3, 1, 2, 2), torch.arange(50.0).reshape(50, 1, 1, 1).expand(50, 1, 2, 2)
    ds = UnpairedDataset(TensorDataset(a), TensorDataset(b))
    assert len(ds) == 50
    drawn = {int(ds[0][1][0, 0, 0]) for _ in range(30)}
    assert len(drawn) > 10


def test_unpaired_embedded_datamodule():
    dm = unpaired(limit=16)
    dm.setup("fit")
    assert dm.spec()["dataset"] == "digits2boldink"
    test = dm.test_data()
    assert test.paired and test.a.shape == (1000, 1, 16, 16)
    # domain B has a white background: its corner pixels are +1
    assert float(test.b[:, 0, 0, 0].mean()) > 0.9 and float(test.a[:, 0, 0, 0].mean()) < -0.9
