"""Checkpoints written before issue 13 (ganforge 0.1.0: modules built from the whole run
config, defaults in code) still load in ``gan-sample`` now that models take typed settings
and flat arguments; one whose weights no longer fit fails in one line naming both versions."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

import ganforge
from ganforge import GanforgeError
from ganforge.cli.sample import run_sample

OLD = Path(__file__).parent / "data" / "checkpoints_before_13"
PLUGIN_OF = {"images": "ganforge_images", "poetry": "ganforge_sequence", "graphs": "ganforge_graphs",
             "molecules": "ganforge_molecules", "midi": "ganforge_midi"}
CHECKPOINTS = sorted(OLD.glob("*.ckpt"))


def test_the_fixtures_are_there_and_old():
    assert {p.stem for p in CHECKPOINTS} >= {"images-dcgan", "poetry-seqgan", "graphs-netgan", "molecules-organ"}
    for path in CHECKPOINTS:
        state = torch.load(path, map_location="cpu", weights_only=False)["ganforge"]
        assert "version" not in state  # written before checkpoints recorded their version


@pytest.mark.parametrize("path", CHECKPOINTS, ids=[p.stem for p in CHECKPOINTS])
def test_gan_sample_loads_a_checkpoint_written_before_the_change(path, tmp_path):
    domain = path.stem.split("-")[0]
    if importlib.util.find_spec(PLUGIN_OF[domain]) is None:
        pytest.skip(f"the {domain} plugin is not installed")
    files = run_sample([str(path), "n=2", f"out={tmp_path / 'out'}"])
    # (a smoke-trained ORGAN may draw no valid molecule: its .sdf is then empty, the .smi is not)
    assert files and all(f.exists() for f in files) and any(f.stat().st_size > 0 for f in files)
    plugin, module = ganforge.load_module(path)
    assert not hasattr(module, "cfg")  # built from typed settings, not the old config object
    assert module.settings.model.name == path.stem.split("-", 1)[1]


def test_weights_that_no_longer_fit_are_one_line_naming_the_versions(tmp_path):
    pytest.importorskip("ganforge_images")
    ckpt = torch.load(OLD / "images-dcgan.ckpt", map_location="cpu", weights_only=False)
    key = next(k for k, v in ckpt["state_dict"].items() if v.ndim == 4)
    ckpt["state_dict"][key] = ckpt["state_dict"][key][:, :1]  # as if a layer had changed shape
    bad = tmp_path / "reshaped.ckpt"
    torch.save(ckpt, bad)
    with pytest.raises(GanforgeError) as err:
        run_sample([str(bad), "n=1", f"out={tmp_path / 'out'}"])
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{bad}: written by ganforge 0.1.0 or older (this is {ganforge.__version__}); "
                              "its weights do not fit this version's DCGAN")
    assert not (tmp_path / "out").exists()
