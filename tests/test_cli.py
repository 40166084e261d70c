"""The console scripts, run as a user would: real processes, real files."""

import csv as csv_module
import io
import json

import numpy as np
import pytest
import torch
from PIL import Image

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images",)

SMOKE = ["domain=images", "model=dcgan", "debug=smoke", "trainer.accelerator=cpu", "run.progress_bar=false"]


def test_unknown_domain_is_one_line_listing_installed(run_cli, tmp_path):
    res = run_cli("gan-run", "domain=imgs", cwd=tmp_path)
    assert res.returncode == 2
    # (other lines may only be warnings about plugins that failed to load)
    lines = [line for line in res.stderr.strip().splitlines() if "PluginLoadWarning" not in line and not line.startswith("  ")]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("gan-run: error: unknown domain 'imgs'; valid choices:") and "images" in lines[0]
    assert "Traceback" not in res.stderr


def test_unknown_model_lists_the_domains_models(run_cli, tmp_path):
    res = run_cli("gan-run", "domain=images", "model=wavegan", cwd=tmp_path)
    assert res.returncode == 2
    assert "unknown model for domain 'images' 'wavegan'" in res.stderr and "dcgan" in res.stderr
    assert "Traceback" not in res.stderr


def test_missing_domain_lists_installed(run_cli, tmp_path):
    res = run_cli("gan-run", cwd=tmp_path)
    assert res.returncode == 2 and "domain=NAME" in res.stderr and "images" in res.stderr


def test_cfg_job_and_defaults_tree(run_cli, tmp_path):
    res = run_cli("gan-run", "domain=images", "--cfg", "job", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "name: dcgan" in res.stdout and "name: images" in res.stdout  # default model filled in
    res = run_cli("gan-run", "domain=images", "debug=smoke", "--info", "defaults-tree", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "smoke: smoke_images_dcgan" in res.stdout


def test_bad_data_path_is_one_line(run_cli, tmp_path):
    res = run_cli("gan-run", *SMOKE, "data.path=/no/such/dir", f"hydra.run.dir={tmp_path / 'r'}", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1].startswith("gan-run: error: data.path=/no/such/dir")
    assert "Traceback" not in res.stderr


def test_run_resume_and_sample(run_cli, tmp_path):
    run_dir = tmp_path / "run"
    res = run_cli("gan-run", *SMOKE, f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    # documented layout
    assert (run_dir / ".hydra" / "config.yaml").is_file()
    assert (run_dir / "checkpoints" / "last.ckpt").is_file()
    assert (run_dir / "logs" / "metrics.csv").is_file()
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["g_step"] == 4
    grids = sorted((run_dir / "samples").glob("*.png"))
    assert [p.name for p in grids] == ["final.png", "step_0000002.png", "step_0000004.png"]
    with Image.open(grids[0]) as im:  # 16 samples of 16x16 in a 4x4 grid with 2px padding
        assert im.size == (4 * 18 + 2, 4 * 18 + 2)

    # resume: continues from step 4 in the same directory up to the new max_steps
    res = run_cli("gan-run", f"resume={run_dir}", "trainer.max_steps=6", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    ckpt = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=False)
    assert ckpt["ganforge"]["g_step"] == 6
    assert json.loads((run_dir / "metrics.json").read_text())["g_step"] == 6
    csv = (run_dir / "logs" / "metrics.csv").read_text()
    rows = [row for row in csv_module.DictReader(io.StringIO(csv)) if row.get("loss/d")]
    assert [row["step"] for row in rows] == ["1", "2", "3", "4", "5", "6"], csv

    # gan-sample: individual PNGs, the same for the same seed, different for another
    out_a, out_b, out_c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((out_a, 3), (out_b, 3), (out_c, 4)):
        res = run_cli("gan-sample", str(run_dir), "n=5", f"out={out}", f"seed={seed}", cwd=tmp_path)
        assert res.returncode == 0, res.stderr[-3000:]
    files = sorted(out_a.glob("*.png"))
    assert len(files) == 5
    a = [np.asarray(Image.open(p)) for p in files]
    b = [np.asarray(Image.open(p)) for p in sorted(out_b.glob("*.png"))]
    c = [np.asarray(Image.open(p)) for p in sorted(out_c.glob("*.png"))]
    assert a[0].shape[:2] == (16, 16)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_gan_sample_errors(run_cli, tmp_path):
    res = run_cli("gan-sample", str(tmp_path / "nope"), cwd=tmp_path)
    assert res.returncode == 2 and "does not exist" in res.stderr
    res = run_cli("gan-sample", str(tmp_path), "n=x", cwd=tmp_path)
    assert res.returncode == 2


def test_gan_plugins_lists_images(run_cli):
    res = run_cli("gan-plugins")
    assert res.returncode == 0 and "images" in res.stdout and "dcgan" in res.stdout


def test_resume_of_a_dir_without_run_is_an_error(run_cli, tmp_path):
    res = run_cli("gan-run", f"resume={tmp_path}", cwd=tmp_path)
    assert res.returncode == 2 and "overrides.yaml not found" in res.stderr


@pytest.mark.slow
def test_same_seed_same_losses(tmp_path):
    from ganforge.testing import run_smoke

    a = run_smoke("images", "dcgan", tmp_path / "a", ["seed=7"])
    b = run_smoke("images", "dcgan", tmp_path / "b", ["seed=7"])
    c = run_smoke("images", "dcgan", tmp_path / "c", ["seed=8"])
    assert a["train/loss/d"] == b["train/loss/d"] and a["train/loss/g"] == b["train/loss/g"]
    assert a["train/loss/d"] != c["train/loss/d"]
    csv_a = (tmp_path / "a" / "logs" / "metrics.csv").read_text()
    csv_b = (tmp_path / "b" / "logs" / "metrics.csv").read_text()
    assert csv_a == csv_b
