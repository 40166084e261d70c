"""The images data modules: flat typed arguments (no config needed) and ``from_config`` builders
that read each ``data`` key once, with the defaults in the YAML only."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf
from omegaconf.errors import ConfigAttributeError

import ganforge
import ganforge_images.data
from ganforge_images.data.datamodule import ImageDataModule
from ganforge_images.data.paired import PairedImageDataModule
from ganforge_images.data.unpaired import UnpairedImageDataModule

COMMON = {"path": None, "size": 16, "channels": "auto", "limit": 32, "cache": "auto", "load_size": None,
          "flip": False, "eval_images": 100, "batch_size": 4, "num_workers": 0}


@cache
def composed_data(model: str):
    """The ``data`` node ``gan-run domain=images model=<model>`` composes."""
    return ganforge.compose_config(["domain=images", f"model={model}"]).data


def test_image_data_from_flat_arguments():
    dm = ImageDataModule(**COMMON, format="auto", labels_from_folders=False, min_image_size=8)
    dm.setup("fit")
    assert dm.spec() == {"channels": 1, "size": 16, "num_classes": 10, "class_names": [str(i) for i in range(10)],
                         "num_images": 32}
    images, labels = next(iter(dm.train_dataloader()))
    assert images.shape == (4, 1, 16, 16) and labels.shape == (4,) and images.dtype == torch.float32


def test_paired_data_from_flat_arguments():
    dm = PairedImageDataModule(**COMMON, layout="auto", direction="BtoA")
    dm.setup("fit")
    assert dm.spec()["dataset"] == "edges2digits" and dm.spec()["num_images"] == 32
    a, b = next(iter(dm.train_dataloader()))
    assert a.shape == b.shape == (4, 1, 16, 16)
    forward = PairedImageDataModule(**COMMON, layout="auto", direction="AtoB")
    forward.setup("fit")
    assert torch.equal(dm.train.a, forward.train.b) and torch.equal(dm.train.b, forward.train.a)


def test_unpaired_data_from_flat_arguments():
    dm = UnpairedImageDataModule(**COMMON, path_a=None, path_b=None)
    dm.setup("fit")
    assert dm.spec()["dataset"] == "digits2boldink" and dm.spec()["num_images_a"] == 32
    a, b = next(iter(dm.train_dataloader()))
    assert a.shape == b.shape == (4, 1, 16, 16)


@pytest.mark.parametrize("model, cls, extra", [
    ("dcgan", ImageDataModule, ("format", "labels_from_folders", "min_image_size")),
    ("pix2pix", PairedImageDataModule, ("layout", "direction")),
    ("cyclegan", UnpairedImageDataModule, ("path_a", "path_b")),
])
def test_from_config_takes_the_yaml_values(model, cls, extra):
    data = composed_data(model)
    dm = cls.from_config(data)
    assert not hasattr(dm, "data_cfg") and not hasattr(dm, "cfg")
    limit = data.limit or None  # null and 0 both mean "all"
    assert (dm.path, dm.size, dm.channels, dm.limit, dm.cache) == (data.path, data.size, data.channels, limit, data.cache)
    assert (dm.load_size, dm.flip, dm.eval_images) == (data.load_size, data.flip, data.eval_images)
    assert (dm.batch_size, dm.num_workers) == (data.batch_size, data.num_workers)
    for key in extra:
        assert getattr(dm, key) == data[key], key
    # a changed key reaches the module
    changed = cls.from_config(OmegaConf.merge(data, {"size": 24, "batch_size": 3}))
    assert (changed.size, changed.batch_size) == (24, 3)


def test_from_config_accepts_a_plain_mapping_and_needs_every_key():
    plain = OmegaConf.to_container(composed_data("pix2pix"))
    assert PairedImageDataModule.from_config(plain).direction == "AtoB"
    del plain["direction"]
    with pytest.raises(ConfigAttributeError, match="direction"):
        PairedImageDataModule.from_config(plain)


def test_the_builders_match_flat_construction():
    data = OmegaConf.merge(composed_data("dcgan"), {"size": 16, "limit": 32, "batch_size": 4})
    built = ImageDataModule.from_config(data)
    flat = ImageDataModule(**{**COMMON, "eval_images": 10_000}, format="auto", labels_from_folders=False,
                           min_image_size=8)
    built.setup("fit")
    flat.setup("fit")
    assert built.spec() == flat.spec() and torch.equal(built.images, flat.images)


def test_data_modules_read_no_config_with_in_code_defaults():
    """Defaults live in the YAML: no ``.get(key, default)``/``getattr`` reads, no held config."""
    for path in Path(ganforge_images.data.__file__).parent.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"\.get\(\s*[\"'][a-z_]+[\"']\s*,", text), path.name
        assert "data_cfg.get" not in text and "self.data_cfg" not in text, path.name
