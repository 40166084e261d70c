"""Tests of the paired (pix2pix) and unpaired (CycleGAN) image data, embedded and from folders."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf
from PIL import Image
from torch.utils.data import TensorDataset

from ganforge.errors import GanforgeError
from ganforge_images.data.embedded_translation import bold_ink, digits2boldink, edges2digits
from ganforge_images.data.paired import PairedImageDataModule, load_paired
from ganforge_images.data.unpaired import UnpairedDataset, UnpairedImageDataModule, load_unpaired


def cfg(**kw):
    return OmegaConf.create({"path": None, "size": 16, "channels": "auto", "batch_size": 4, "num_workers": 0, **kw})


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
    dm = PairedImageDataModule(cfg(limit=32))
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
    train = load_paired(cfg(path=str(tmp_path)), "train")
    assert train.a.shape == train.b.shape == (3, 3, 16, 16)
    assert torch.allclose(train.a[1], torch.full((3, 16, 16), 40 / 127.5 - 1), atol=1e-5)
    test = load_paired(cfg(path=str(tmp_path)), "test")
    assert test.split == "test" and len(test.a) == 2
    swapped = load_paired(cfg(path=str(tmp_path), direction="BtoA"), "train")
    assert torch.equal(swapped.a, train.b) and torch.equal(swapped.b, train.a)


def test_paired_matching_folders_and_mismatch_error(tmp_path):
    for name in ("x1", "x2"):
        write_png(tmp_path / "A" / f"{name}.png", np.zeros((16, 16), np.uint8))
        write_png(tmp_path / "B" / f"{name}.jpg", np.full((16, 16, 3), 200, np.uint8))
    pairs = load_paired(cfg(path=str(tmp_path)), "train")
    assert pairs.a.shape == (2, 1, 16, 16) and pairs.b.shape == (2, 3, 16, 16)
    assert load_paired(cfg(path=str(tmp_path)), "test") is None
    write_png(tmp_path / "A" / "orphan.png", np.zeros((16, 16), np.uint8))
    with pytest.raises(GanforgeError, match=r"1 file\(s\) in .*A have no file of the same name .*'orphan'"):
        load_paired(cfg(path=str(tmp_path)), "train")


def test_paired_rejects_square_images_as_side_by_side(tmp_path):
    write_png(tmp_path / "square.png", np.zeros((16, 16), np.uint8))
    with pytest.raises(GanforgeError, match=r"square.png: 16x16 is not a side-by-side A\|B image"):
        load_paired(cfg(path=str(tmp_path)), "train")


def test_paired_bad_keys_are_one_line_errors(tmp_path):
    with pytest.raises(GanforgeError, match="data.direction: unknown direction 'up'; valid choices: AtoB, BtoA"):
        load_paired(cfg(direction="up"), "train")
    with pytest.raises(GanforgeError, match="data.path=.*nowhere: not a directory"):
        load_paired(cfg(path=str(tmp_path / "nowhere")), "train")


def test_unpaired_cyclegan_layout_detects_true_test_pairs(tmp_path):
    for folder, n in (("trainA", 3), ("trainB", 5), ("testA", 2), ("testB", 2)):
        for i in range(n):
            write_png(tmp_path / folder / f"{i}.png", (np.arange(576).reshape(24, 24) % 7 + 10 * i).astype(np.uint8))
    dm = UnpairedImageDataModule(cfg(path=str(tmp_path)))
    dm.setup("fit")
    assert dm.spec()["num_images_a"] == 3 and dm.spec()["num_images_b"] == 5
    a, b = next(iter(dm.train_dataloader()))
    assert a.shape == b.shape == (4, 1, 16, 16)
    test = dm.test_data()
    assert test.paired and test.split == "test" and len(test.a) == 2


def test_unpaired_missing_domains_is_a_one_line_error(tmp_path):
    (tmp_path / "trainA").mkdir()
    with pytest.raises(GanforgeError, match="expected sub-folders trainA/ and trainB/"):
        load_unpaired(cfg(path=str(tmp_path)), "train")
    with pytest.raises(GanforgeError, match="give both folders"):
        load_unpaired(cfg(path_a=str(tmp_path)), "train")


def test_unpaired_dataset_draws_random_b():
    torch.manual_seed(0)
    a, b = torch.zeros(3, 1, 2, 2), torch.arange(50.0).reshape(50, 1, 1, 1).expand(50, 1, 2, 2)
    ds = UnpairedDataset(TensorDataset(a), TensorDataset(b))
    assert len(ds) == 50
    drawn = {int(ds[0][1][0, 0, 0]) for _ in range(30)}
    assert len(drawn) > 10


def test_unpaired_embedded_datamodule():
    dm = UnpairedImageDataModule(cfg(limit=16))
    dm.setup("fit")
    assert dm.spec()["dataset"] == "digits2boldink"
    test = dm.test_data()
    assert test.paired and test.a.shape == (1000, 1, 16, 16)
    # domain B has a white background: its corner pixels are +1
    assert float(test.b[:, 0, 0, 0].mean()) > 0.9 and float(test.a[:, 0, 0, 0].mean()) < -0.9
