"""Each image model: a few real steps (debug=smoke, real Lightning Trainer), checkpoint, metrics,
and gan-sample files read back with the right shapes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganforge import load_module
from ganforge.errors import GanforgeError
from ganforge.testing import assert_run_layout, run_smoke, sample_files

_RUNS: dict[str, Path] = {}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """``trained(model)``: run dir of a smoke run of ``model`` (one run per model per module)."""

    def get(model: str, *overrides: str) -> Path:
        key = " ".join((model, *overrides))
        if key not in _RUNS:
            run_dir = tmp_path_factory.mktemp(model)
            run_smoke("images", model, run_dir, list(overrides))
            _RUNS[key] = run_dir
        return _RUNS[key]

    return get


def image_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as im:
        im.load()
        return im.size


def write_inputs(folder: Path, sizes: dict[str, tuple[int, int]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name, (w, h) in sizes.items():
        Image.fromarray(rng.integers(0, 255, (h, w), dtype=np.uint8)).save(folder / f"{name}.png")
    return folder


def test_wgan_gp_trains_evaluates_every_n_steps_and_keeps_best(trained, tmp_path):
    run = trained("wgan-gp", "run.eval_every=2")
    assert_run_layout(run)
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["train/loss/gp"] >= 0 and "fid/classifier/n32/test" in metrics
    assert (run / "checkpoints" / "best.ckpt").is_file()  # run.monitor = fid/classifier/n32/test
    with open(run / "logs" / "metrics.csv") as fh:
        fid_steps = [row["step"] for row in csv.DictReader(fh) if row.get("fid/classifier/n32/test")]
    assert {"2", "4"} <= set(fid_steps)
    files = sample_files(run, tmp_path / "out", n=3)
    assert len(files) == 3 and all(image_size(f) == (16, 16) for f in files)
    with pytest.raises(GanforgeError, match=r"unknown option\(s\) \['label'\] for model 'wgan-gp'"):
        sample_files(run, tmp_path / "bad", n=1, options=["label=3"])


def test_cgan_samples_requested_labels_through_the_conditional_path(trained, tmp_path):
    run = trained("cgan")
    assert_run_layout(run)
    metrics = json.loads((run / "metrics.json").read_text())
    assert 0.0 <= metrics["label_accuracy/classifier/n32"] <= 1.0
    files = sample_files(run, tmp_path / "sevens", n=4, options=["label=7"])
    assert len(files) == 4 and all(image_size(f) == (16, 16) for f in files)

    _, module = load_module(run)
    seen = []
    hook = module.sampling_generator().embed.register_forward_hook(lambda m, inp, out: seen.append(inp[0].tolist()))
    try:
        module.sample(3, label=7)
        module.sample(5, label="[1,2]")
        module.sample(4, label="3,4")
    finally:
        hook.remove()
    assert seen == [[7, 7, 7], [1, 2, 1, 2, 1], [3, 4, 3, 4]]
    with pytest.raises(GanforgeError, match=r"label=12: expected a class index in 0\.\.9"):
        module.sample(1, label=12)


def test_cgan_on_unlabelled_folder_is_a_one_line_error(tmp_path):
    write_inputs(tmp_path / "faces", {f"f{i}": (16, 16) for i in range(4)})
    with pytest.raises(GanforgeError, match="model=cgan needs labelled data"):
        run_smoke("images", "cgan", tmp_path / "run", [f"data.path={tmp_path / 'faces'}"])


def test_pix2pix_translates_an_input_folder_at_its_own_size(trained, tmp_path):
    run = trained("pix2pix")
    assert_run_layout(run)
    metrics = json.loads((run / "metrics.json").read_text())
    assert 0 <= metrics["l1/n32/test"] <= 1 and -1 <= metrics["ssim/n32/test"] <= 1
    sheet = run / "samples" / "final.png"
    assert image_size(sheet)[0] > image_size(sheet)[1]  # rows of input | output | target
    inputs = write_inputs(tmp_path / "edges", {"wide": (28, 20), "small": (12, 12)})
    files = sample_files(run, tmp_path / "out", n=10, options=[f"input={inputs}"])
    assert sorted(f.name for f in files) == ["small.png", "wide.png"]
    assert image_size(tmp_path / "out" / "wide.png") == (28, 20)
    assert image_size(tmp_path / "out" / "small.png") == (12, 12)
    previews = sample_files(run, tmp_path / "previews", n=2)
    assert len(previews) == 2 and image_size(previews[0]) == (16, 16)
    with pytest.raises(GanforgeError, match="input=.*missing: not a directory"):
        sample_files(run, tmp_path / "x", n=1, options=[f"input={tmp_path / 'missing'}"])


def test_cyclegan_translates_both_directions_at_input_size(trained, tmp_path):
    run = trained("cyclegan")
    assert_run_layout(run)
    metrics = json.loads((run / "metrics.json").read_text())
    for key in ("AtoB/l1/n32/test", "BtoA/ssim/n32/test", "AtoB/fid/classifier/n32/test", "train/loss/cycle"):
        assert key in metrics
    inputs = write_inputs(tmp_path / "ink", {"a": (20, 20), "b": (30, 18)})
    for direction in ("AtoB", "BtoA"):
        out = tmp_path / direction
        files = sample_files(run, out, n=5, options=[f"direction={direction}", f"input={inputs}"])
        assert len(files) == 2
        assert image_size(out / "a.png") == (20, 20) and image_size(out / "b.png") == (30, 18)
    with pytest.raises(GanforgeError, match="unknown direction 'sideways'; valid choices: AtoB, BtoA"):
        sample_files(run, tmp_path / "bad", n=1, options=["direction=sideways"])
