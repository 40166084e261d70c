"""Streaming image folders (decoded per item), torchvision v2 jitter, and identical jitter for pairs."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf
from PIL import Image

import ganforge
import ganforge.progress
from ganforge.errors import GanforgeError
from ganforge_images.data.datamodule import ImageDataModule
from ganforge_images.data.paired import PairedImageDataModule
from ganforge_images.data.streaming import ImageFiles, ImageJitter, PairFiles, TensorJitter
from ganforge_images.data.unpaired import UnpairedImageDataModule


@cache
def composed_data(model: str):
    """The ``data`` node ``gan-run domain=images model=<model>`` composes (the YAML defaults)."""
    return ganforge.compose_config(["domain=images", f"model={model}"]).data


def cfg(model: str = "dcgan", **kw):
    return OmegaConf.merge(composed_data(model), {"size": 16, "batch_size": 4, **kw})


def image_data(**kw) -> ImageDataModule:
    return ImageDataModule.from_config(cfg("dcgan", **kw))


def textured(seed: int, h: int = 20, w: int = 24, channels: int = 3) -> np.ndarray:
    """A smooth image whose left and right halves differ (so a flip or a crop shows)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([128 + 90 * np.sin(xx / 3.0 + seed + c) * np.cos(yy / 4.0 - c) for c in range(channels)], -1)
    img[:, : w // 2] *= 0.3  # dark left half
    img = np.clip(img, 0, 255).astype(np.uint8)
    return img if channels == 3 else img[..., 0]


def write(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_folder_streams_files_and_matches_the_in_memory_images(tmp_path):
    for i in range(12):
        write(tmp_path / f"im{i:02d}.png", textured(i, 20 + i, 24))
    stream = image_data(path=str(tmp_path))
    stream.setup("fit")
    # nothing decoded is kept after the scan: the training set is a list of files
    assert isinstance(stream.dataset, ImageFiles) and stream._eval is None
    (batch,) = next(iter(stream.train_dataloader()))
    assert batch.shape == (4, 3, 16, 16) and batch.dtype == torch.float32
    assert -1.0 <= float(batch.min()) and float(batch.max()) <= 1.0
    assert stream._eval is None  # training does not materialise the folder either
    memory = image_data(path=str(tmp_path), cache="memory")
    memory.setup("fit")
    assert not isinstance(memory.dataset, ImageFiles)
    # the metrics view (resize + center crop) of the streamed files is the in-memory data
    # up to uint8 rounding of the resize (and a pixel of crop offset where sizes round apart)
    assert stream.images.shape == memory.images.shape == (12, 3, 16, 16)
    assert float((stream.images - memory.images).abs().mean()) < 0.05
    assert stream.spec()["num_images"] == 12


def test_streamed_folder_skips_bad_files_and_names_them(tmp_path, caplog):
    for i in range(4):
        write(tmp_path / f"ok{i}.png", textured(i))
    (tmp_path / "broken.png").write_bytes(b"not a png")
    write(tmp_path / "flat.png", np.full((20, 20), 7, np.uint8))
    dm = image_data(path=str(tmp_path))
    dm.setup("fit")
    assert len(dm.dataset) == 4
    assert "broken.png" in caplog.text and "flat.png" in caplog.text


def test_eval_images_bounds_what_a_streamed_folder_holds(tmp_path):
    for i in range(10):
        write(tmp_path / f"im{i}.png", textured(i))
    dm = image_data(path=str(tmp_path), eval_images=4)
    dm.setup("fit")
    assert len(dm.dataset) == 10 and dm.images.shape[0] == 4
    images, _ = dm.test_data()
    assert images is dm.images  # a plain folder has no test split: metrics say "train"


def test_labelled_folders_stream_with_class_ids(tmp_path):
    for c, name in enumerate(("cat", "dog")):
        for i in range(3):
            write(tmp_path / name / f"{i}.png", textured(10 * c + i))
    dm = image_data(path=str(tmp_path), labels_from_folders=True)
    dm.setup("fit")
    assert dm.spec()["class_names"] == ["cat", "dog"]
    images, labels = next(iter(dm.train_dataloader()))
    assert images.shape == (4, 3, 16, 16) and set(labels.tolist()) <= {0, 1}
    assert sorted(dm.labels.tolist()) == [0, 0, 0, 1, 1, 1]


def test_jitter_crops_and_flips_at_random_but_eval_view_is_fixed(tmp_path):
    img = torch.from_numpy(textured(3, 32, 32)).permute(2, 0, 1)
    train = ImageJitter(16, load_size=20, flip=True)
    torch.manual_seed(0)
    views = {tuple(train(img)[0].flatten()[:64].tolist()) for _ in range(12)}
    assert len(views) > 3  # random crops/flips differ
    plain = ImageJitter(16, load_size=20, flip=True, train=False)
    assert torch.equal(plain(img)[0], plain(img)[0])
    assert train(img)[0].shape == plain(img)[0].shape == (3, 16, 16)


def test_pairs_get_the_same_crop_and_flip(tmp_path):
    # side-by-side A|B files whose halves are the same picture: after jitter A must equal B
    for i in range(6):
        half = textured(i, 24, 24)
        write(tmp_path / "train" / f"{i}.png", np.concatenate([half, half], axis=1))
    dm = PairedImageDataModule.from_config(cfg("pix2pix", path=str(tmp_path), load_size=20, flip=True))
    dm.setup("fit")
    assert isinstance(dm.dataset, PairFiles)
    torch.manual_seed(1)
    seen = set()
    for _ in range(20):
        a, b = dm.dataset[0]
        assert torch.equal(a, b)
        seen.add(tuple(a.flatten()[:32].tolist()))
    assert len(seen) > 3  # and the shared jitter does vary
    # the same holds for in-memory pairs
    memory = TensorJitter([dm.train.a, dm.train.a.clone()], ImageJitter(12, 16, True, resize=False), paired=True)
    for _ in range(10):
        a, b = memory[2]
        assert torch.equal(a, b) and a.shape == (3, 12, 12)


def test_paired_folders_layout_streams_with_jitter(tmp_path):
    for i in range(5):
        write(tmp_path / "A" / f"{i}.png", textured(i, channels=1))
        write(tmp_path / "B" / f"{i}.jpg", textured(i + 50))
    dm = PairedImageDataModule.from_config(cfg("pix2pix", path=str(tmp_path), load_size=18, flip=True))
    dm.setup("fit")
    assert dm.spec()["channels_in"] == 1 and dm.spec()["channels"] == 3
    a, b = next(iter(dm.train_dataloader()))
    assert a.shape == (4, 1, 16, 16) and b.shape == (4, 3, 16, 16)
    assert dm.train.a.shape == (5, 1, 16, 16)


def test_unpaired_folders_stream_with_jitter(tmp_path):
    for i in range(6):
        write(tmp_path / "trainA" / f"{i}.png", textured(i))
        write(tmp_path / "trainB" / f"{i}.png", textured(i + 9))
    dm = UnpairedImageDataModule.from_config(cfg("cyclegan", path=str(tmp_path), load_size=20, flip=True))
    dm.setup("fit")
    a, b = next(iter(dm.train_dataloader()))
    assert a.shape == b.shape == (4, 3, 16, 16)
    assert dm.train.a.shape == (6, 3, 16, 16) and dm.test_data() is dm.train


def test_in_memory_embedded_digits_take_jitter_options():
    dm = image_data(load_size=20, flip=True, limit=64)
    dm.setup("fit")
    assert isinstance(dm.dataset, TensorJitter)
    images, labels = dm.dataset[0]
    assert images.shape == (1, 16, 16) and dm.images.shape == (64, 1, 16, 16)


@pytest.mark.parametrize("bad, needle", [({"load_size": 8}, "data.load_size=8"), ({"cache": "disk"}, "data.cache")])
def test_bad_streaming_options_are_one_line_errors(tmp_path, bad, needle):
    write(tmp_path / "a.png", textured(0))
    with pytest.raises(GanforgeError) as err:
        image_data(path=str(tmp_path), **bad).setup("fit")
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_long_scans_show_a_progress_bar(tmp_path, monkeypatch, capsys):
    for i in range(3):
        write(tmp_path / f"{i}.png", textured(i))
    monkeypatch.setattr(ganforge.progress, "MIN_ITEMS", 2)
    image_data(path=str(tmp_path)).setup("fit")
    err = capsys.readouterr().err
    assert "checking 3 images" in err and "3/3" in err


def test_sigterm_to_the_process_group_with_loader_workers_is_a_clean_interruption(tmp_path):
    """A SIGTERM to the whole group (shell, SLURM, pkill -f) also hits the loader workers:
    they must leave it to gan-run, which checkpoints and records ``interrupted`` (exit 143)."""
    import json
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import time

    for i in range(64):
        write(tmp_path / "imgs" / f"{i:02d}.png", textured(i, 20, 20))
    exe = shutil.which("gan-run", path=str(os.path.dirname(sys.executable))) or "gan-run"
    run = tmp_path / "run"
    proc = subprocess.Popen(
        [exe, "domain=images", "model=dcgan", "debug=smoke", f"data.path={tmp_path / 'imgs'}", "data.num_workers=2",
         "trainer.max_steps=100000", "run.checkpoint_every=5", "metrics.feature_net=none", "run.progress_bar=false",
         f"hydra.run.dir={run}"],
        env={**os.environ, "OMP_NUM_THREADS": "1"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    deadline = time.time() + 240
    while time.time() < deadline and not (run / "checkpoints" / "last.ckpt").exists():
        time.sleep(0.5)
    assert (run / "checkpoints" / "last.ckpt").exists(), "no checkpoint before the signal"
    os.killpg(proc.pid, signal.SIGTERM)  # the whole group: gan-run and its loader workers
    out, _ = proc.communicate(timeout=120)
    status = json.loads((run / "status.json").read_text())
    assert proc.returncode == 143, out[-2000:]
    assert status["status"] == "interrupted" and "killed by signal" not in out
