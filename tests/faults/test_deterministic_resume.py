"""Deterministic resume: a run killed with ``kill -9`` at three points (one in the middle of
a checkpoint write), resumed after each, ends with the same metrics.csv rows and
bit-identical weights as the uninterrupted run (CPU, ``trainer.deterministic=true``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _fault_helpers import CPU, ckpt_step, csv_rows, gan_run, leftovers, status  # noqa: E402

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images", "oracle")

# DCGAN: 40 images in batches of 8 = 5 batches an epoch, so the kills land mid-epoch in
# epochs 0, 1 and 2; checkpoints every 3 steps, one log row per step.
DCGAN = ["domain=images", "model=dcgan", "debug=smoke", *CPU, "trainer.deterministic=true", "data.limit=40",
         "trainer.max_steps=13", "run.checkpoint_every=3", "run.sample_every=5", "ema.decay=0.9"]
# SeqGAN on the oracle: 32 sequences in batches of 8 = 4 MLE steps (one epoch), one D
# pretraining round, then 4 adversarial iterations (policy gradient, rollouts, D rounds).
SEQGAN = ["domain=oracle", "model=seqgan", "debug=smoke", *CPU, "trainer.deterministic=true",
          "model.adversarial.iterations=4", "run.checkpoint_every=2"]

CASES = {
    # name: (base overrides, kills in sequence: the run, then each resume, dies by
    # [(fault, step last.ckpt holds afterwards)]; a last resume finishes the run)
    "dcgan": (DCGAN, [("kill_at_step=4", 3), ("kill_in_save=2", 6), ("kill_at_step=11", 9)]),
    "seqgan": (SEQGAN, [("kill_at_step=3", 2), ("kill_in_save=1", 2), ("kill_at_step=7", 6)]),
}


def weights(run_dir: Path) -> dict[str, torch.Tensor]:
    return torch.load(run_dir / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)["state_dict"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_run_killed_three_times_matches_the_uninterrupted_run(tmp_path, name):
    base, kills = CASES[name]
    ref = tmp_path / "reference"
    res = gan_run([*base, f"hydra.run.dir={ref}"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    ref_rows, ref_weights = csv_rows(ref), weights(ref)
    assert len(ref_rows) > 8

    run = tmp_path / "killed"
    for i, (fault, saved_step) in enumerate(kills):
        args = [*base, f"hydra.run.dir={run}"] if i == 0 else [f"resume={run}"]
        res = gan_run(args, cwd=tmp_path, fault=fault)
        assert res.returncode == -9, (fault, res.returncode, res.stderr[-2000:])  # died by SIGKILL
        assert status(run)["status"] == "running"
        assert ckpt_step(run) == saved_step, fault  # a half-written checkpoint never replaced last.ckpt
        assert not (run / "metrics.json").exists()
        if fault.startswith("kill_in_save"):  # the half-written file, under a per-process name
            assert [Path(p).name.split(".")[1:3] for p in leftovers(run)] == [["last", "ckpt"]], leftovers(run)
        assert (run / ".ganforge.lock").exists()  # the dead process's lock, taken over next

    res = gan_run([f"resume={run}"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    assert status(run)["status"] == "ok"
    assert leftovers(run) == [] and not (run / ".ganforge.lock").exists()
    assert csv_rows(run) == ref_rows, "metrics.csv differs from the uninterrupted run"
    final = weights(run)
    assert final.keys() == ref_weights.keys()
    different = [k for k in final if not torch.equal(final[k], ref_weights[k])]
    assert not different, f"weights differ from the uninterrupted run: {different[:5]}"
    assert len(list((run / ".hydra").glob("resume-*"))) == len(kills)  # every resume recorded
