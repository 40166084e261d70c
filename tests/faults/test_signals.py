"""SIGTERM (preemption) and SIGINT (Ctrl-C) sent with ``os.kill`` to a real ``gan-run``: the
run saves ``last.ckpt``, writes status ``interrupted`` with that step, exits 143 / 130,
and never leaves a metrics.json or status.json older than the checkpoint."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _fault_helpers import (  # noqa: E402
    DCGAN,
    ckpt_step,
    error_lines,
    finish,
    gan_run,
    leftovers,
    logged_steps,
    start_gan_run,
    status,
    wait_for,
)

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images",)

# a long run slowed down (0.2 s per batch) so the signal surely arrives mid-training
LONG = ["trainer.max_steps=100000", "run.checkpoint_every=1000", "run.sample_every=0"]


def interrupt(run: Path, cwd: Path, signum: int, args: list[str], after_step: int) -> tuple[int, str]:
    """Start a slowed-down run, send ``signum`` once it has logged ``after_step``."""
    proc = start_gan_run(args, cwd=cwd, fault="slow_step=0.2")
    wait_for(lambda: max(logged_steps(run), default=0) >= after_step, proc=proc)
    os.kill(proc.pid, signum)
    return finish(proc)


def test_sigterm_saves_a_checkpoint_and_exits_143(tmp_path):
    run = tmp_path / "run"
    rc, err = interrupt(run, tmp_path, signal.SIGTERM, [*DCGAN, *LONG, f"hydra.run.dir={run}"], 3)
    assert rc == 143, err[-3000:]
    lines = error_lines(err)
    assert len(lines) == 1 and "Traceback" not in err, err[-3000:]
    step = ckpt_step(run)  # saved on the signal (the periodic interval was never reached)
    assert step >= 3
    assert lines[0] == (f"gan-run: interrupted by SIGTERM at step {step}; checkpoints/last.ckpt holds that step; "
                        f"continue with: gan-run resume={run}")
    st = status(run)
    assert st["status"] == "interrupted" and st["step"] == step and st["signal"] == "SIGTERM"
    assert max(logged_steps(run)) == step  # metrics.csv ends at the checkpoint
    assert not (run / "metrics.json").exists() and leftovers(run) == []
    assert not (run / ".ganforge.lock").exists()

    # resuming at that step only finishes the run: final samples, metrics.json, status ok
    res = gan_run([f"resume={run}", f"trainer.max_steps={step}"], cwd=tmp_path, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    assert status(run)["status"] == "ok"
    assert json.loads((run / "metrics.json").read_text())["g_step"] == step
    assert (run / "samples" / "final.png").is_file()


def test_sigint_on_a_resumed_run_removes_the_stale_metrics_and_exits_130(tmp_path):
    run = tmp_path / "run"
    assert gan_run([*DCGAN, f"hydra.run.dir={run}"], cwd=tmp_path).returncode == 0
    assert status(run)["status"] == "ok" and (run / "metrics.json").is_file()

    rc, err = interrupt(run, tmp_path, signal.SIGINT, [f"resume={run}", *LONG], 6)
    assert rc == 130, err[-3000:]
    assert "Traceback" not in err
    step = ckpt_step(run)
    assert step >= 6
    st = status(run)
    assert st["status"] == "interrupted" and st["step"] == step and st["signal"] == "SIGINT"
    assert not (run / "metrics.json").exists()  # the finished run's metrics described step 4
    assert leftovers(run) == []


def test_submitit_preemption_signal_is_a_graceful_stop(tmp_path):
    # inside a submitit job (launcher=slurm) USR2 announces the time limit / preemption
    run = tmp_path / "run"
    proc = start_gan_run([*DCGAN, *LONG, f"hydra.run.dir={run}"], cwd=tmp_path, fault="slow_step=0.2",
                         env={"SUBMITIT_EXECUTOR": "slurm"})
    wait_for(lambda: max(logged_steps(run), default=0) >= 2, proc=proc)
    os.kill(proc.pid, signal.SIGUSR2)
    rc, err = finish(proc)
    assert rc == 128 + signal.SIGUSR2, err[-3000:]
    st = status(run)
    assert st["status"] == "interrupted" and st["signal"] == "SIGUSR2" and st["step"] == ckpt_step(run) >= 2
