"""The classic CGAN (Mirza & Osindero 2014), ``model=cgan-concat``: the label joins G's and D's inputs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from ganforge import load_module
from ganforge.errors import GanforgeError
from ganforge.losses import NonSaturatingLoss
from ganforge.testing import assert_run_layout, run_smoke, sample_files
from ganforge_images.nets.conditional import ConcatDiscriminator, ConditionalGenerator, ProjectionDiscriminator


def test_discriminator_sees_the_label_in_its_input():
    torch.manual_seed(0)
    d = ConcatDiscriminator(n_classes=10, channels=1, image_size=16, base=8).eval()
    assert d.body.features[0].in_channels == 1 + 10  # image channel + one-hot label planes
    x = torch.randn(4, 1, 16, 16)
    same = d(x, torch.tensor([3, 3, 3, 3]))
    other = d(x, torch.tensor([5, 5, 5, 5]))
    assert same.shape == (4,) and not torch.allclose(same, other)  # the label changes the verdict
    with pytest.raises(GanforgeError, match=r"label=10: expected a class index in 0\.\.9"):
        d(x, torch.tensor([0, 1, 2, 10]))


def test_cgan_concat_trains_samples_requested_labels_and_reloads(tmp_path):
    run = tmp_path / "run"
    metrics = run_smoke("images", "cgan-concat", run, ["trainer.max_steps=3"])
    assert_run_layout(run)
    assert metrics["g_step"] == 3 and 0.0 <= metrics["label_accuracy/classifier/n32"] <= 1.0
    assert json.loads((run / "metrics.json").read_text())["g_step"] == 3

    _, module = load_module(run)
    assert isinstance(module.discriminator, ConcatDiscriminator)
    assert isinstance(module.sampling_generator(), ConditionalGenerator)
    assert not isinstance(module.discriminator, ProjectionDiscriminator)
    assert isinstance(module.loss_fn, NonSaturatingLoss)  # the paper's minimax (BCE) loss, not cgan's hinge
    seen = []
    hook = module.sampling_generator().embed.register_forward_hook(lambda m, inp, out: seen.append(inp[0].tolist()))
    try:
        module.sample(3, label=7)
        module.sample(4, label="[1,2]")
    finally:
        hook.remove()
    assert seen == [[7, 7, 7], [1, 2, 1, 2]]

    files = sample_files(run, tmp_path / "sevens", n=4, options=["label=7"])
    assert len(files) == 4
    with Image.open(files[0]) as im:
        assert im.size == (16, 16)
    with pytest.raises(GanforgeError, match=r"label=12: expected a class index in 0\.\.9"):
        module.sample(1, label=12)


def test_cgan_concat_on_unlabelled_data_names_the_model(tmp_path):
    folder = tmp_path / "faces"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(4):
        Image.fromarray(rng.integers(0, 255, (16, 16), dtype=np.uint8)).save(folder / f"f{i}.png")
    with pytest.raises(GanforgeError, match="model=cgan-concat needs labelled data"):
        run_smoke("images", "cgan-concat", tmp_path / "run", [f"data.path={folder}"])
