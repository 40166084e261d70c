"""Divergence guard: a run whose losses/gradients turn non-finite stops with one line naming
the step, phase and loss, status ``diverged``, exit 3, and ``last.ckpt`` keeps the last
finite state; ``run.on_nonfinite=skip`` drops such updates instead."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _fault_helpers import DCGAN, ckpt_step, csv_rows, error_lines, gan_run, leftovers, status  # noqa: E402

# Adam's step is about lr per weight. lr_g=1e12 overflows the generator's BatchNorm running
# variance within 2-3 steps (measured); one checkpoint per step keeps the step before.
# With lr_d=lr_g=1e12 and no boundary before the end, the generator's gradient is NaN at step 3.
EXPLODE = ["optim.lr_d=1e3", "optim.lr_g=1e12"]
EXPLODE_BOTH = ["optim.lr_d=1e12", "optim.lr_g=1e12"]


def finite_weights(run_dir: Path) -> bool:
    state = torch.load(run_dir / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)["state_dict"]
    return all(torch.isfinite(t).all() for t in state.values() if t.is_floating_point())


def test_nonfinite_loss_stops_the_run_and_keeps_the_last_finite_checkpoint(tmp_path):
    run = tmp_path / "run"
    res = gan_run([*DCGAN, *EXPLODE, "run.checkpoint_every=1", "trainer.max_steps=8", f"hydra.run.dir={run}"],
                  cwd=tmp_path)
    assert res.returncode == 3, res.stderr[-3000:]
    assert "Traceback" not in res.stderr
    lines = error_lines(res.stderr)
    assert len(lines) == 1, res.stderr[-3000:]
    # the step depends on the exact trajectory (2 or 3 here); the checkpoint of every step
    # before it is kept, the non-finite one is not written
    found = re.fullmatch(
        r"gan-run: error: diverged at step (\d+) \(phase adversarial\): non-finite weights \(generator\.\S+\); "
        r"losses: loss/d=\S+, loss/g=\S+; checkpoints/last\.ckpt keeps step (\d+)",
        lines[0],
    )
    assert found, lines[0]
    step, kept = int(found.group(1)), int(found.group(2))
    assert step >= 2 and kept == step - 1
    st = status(run)
    assert st["status"] == "diverged" and st["step"] == step and st["checkpoint_step"] == kept
    assert ckpt_step(run) == kept and finite_weights(run)  # never overwritten by the non-finite state
    assert not (run / "metrics.json").exists()  # no final evaluation of non-finite weights
    assert not list((run / "samples").glob("final*"))
    assert [r["step"] for r in csv_rows(run) if r.get("loss/g")][-1] == str(step)  # the last row is logged
    assert leftovers(run) == []


def test_divergence_at_the_last_step_skips_final_samples_and_evaluation(tmp_path):
    # no log/checkpoint boundary before the end: the check before the final stage catches it
    run = tmp_path / "run"
    args = [*DCGAN, *EXPLODE_BOTH, "trainer.max_steps=4", "run.log_every=100", "run.checkpoint_every=100",
            "run.sample_every=0", f"hydra.run.dir={run}"]
    res = gan_run(args, cwd=tmp_path)
    assert res.returncode == 3, res.stderr[-3000:]
    assert "diverged at step 3 (phase adversarial): non-finite gradient; losses: loss/d=" in res.stderr
    assert "no finite checkpoint was saved" in res.stderr
    assert status(run)["status"] == "diverged"
    assert not (run / "checkpoints" / "last.ckpt").exists()
    assert not (run / "metrics.json").exists()
    assert not (run / "samples").exists() or not any((run / "samples").iterdir())


def test_skip_mode_drops_the_nonfinite_update_and_finishes(tmp_path):
    run = tmp_path / "run"
    res = gan_run([*DCGAN, "run.on_nonfinite=skip", "trainer.max_steps=5", f"hydra.run.dir={run}"],
                  cwd=tmp_path, fault="nan_loss_at_step=3")
    assert res.returncode == 0, res.stderr[-3000:]
    assert status(run)["status"] == "ok"
    assert ckpt_step(run) == 5 and finite_weights(run)
    rows = {r["step"]: r for r in csv_rows(run) if r.get("loss/g")}
    assert rows["3"]["loss/g"] == "nan" and float(rows["3"]["guard/skipped"]) == 1.0
    assert not rows["4"].get("guard/skipped")  # only that update was dropped
    assert json.loads((run / "metrics.json").read_text())["g_step"] == 5


def test_stop_mode_names_the_nonfinite_loss(tmp_path):
    run = tmp_path / "run"
    res = gan_run([*DCGAN, "trainer.max_steps=5", f"hydra.run.dir={run}"], cwd=tmp_path, fault="nan_loss_at_step=3")
    assert res.returncode == 3, res.stderr[-3000:]
    lines = error_lines(res.stderr)
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr[-3000:]
    assert "diverged at step 3 (phase adversarial): non-finite gradient; losses:" in lines[0]
    assert "loss/g=nan" in lines[0] and lines[0].endswith("checkpoints/last.ckpt keeps step 2")
    assert ckpt_step(run) == 2 and finite_weights(run)
