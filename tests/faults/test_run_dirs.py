"""One run, one directory: default run directories never collide, and a lock stops a second
process (a same-dir run, a concurrent resume) with one line naming the holder's PID and
host; the lock of a process killed with ``kill -9`` is taken over."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _fault_helpers import (  # noqa: E402
    DCGAN,
    ckpt_step,
    error_lines,
    finish,
    gan_run,
    logged_steps,
    start_gan_run,
    status,
    wait_for,
)

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images",)

RUN_ID = re.compile(r"^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.\d{3}-[0-9a-f]{6}$")


def test_run_ids_of_the_same_millisecond_differ(monkeypatch):
    import ganforge._internal.runid as runid

    monkeypatch.setattr(runid.time, "time", lambda: 1764150000.123)  # one frozen instant
    ids = set()
    for _ in range(50):
        monkeypatch.setattr(runid, "_RUN_ID", None)  # as in a fresh process
        ids.add(runid.run_id())
    assert len(ids) == 50 and all(RUN_ID.match(i) and ".123-" in i for i in ids)


def test_simultaneous_runs_get_their_own_default_directories(tmp_path):
    args = [*DCGAN, "trainer.max_steps=1"]
    procs = [start_gan_run([*args, f"seed={i}"], cwd=tmp_path) for i in range(2)]
    for proc in procs:
        rc, err = finish(proc, timeout=300)
        assert rc == 0, err[-3000:]
    runs = sorted((tmp_path / "outputs" / "images" / "dcgan").iterdir())
    assert len(runs) == 2 and all(RUN_ID.match(r.name) for r in runs), runs
    seeds = set()
    for run in runs:
        assert status(run)["status"] == "ok" and ckpt_step(run) == 1
        overrides = (run / ".hydra" / "overrides.yaml").read_text()
        seeds.add(re.search(r"seed=(\d)", overrides).group(1))
        assert (run / "run.log").read_text().count("step 1 [adversarial]") == 1  # one run's log each
    assert seeds == {"0", "1"}


def test_lock_stops_a_second_process_and_a_dead_holder_is_taken_over(tmp_path):
    run = tmp_path / "run"
    holder = start_gan_run([*DCGAN, "trainer.max_steps=100000", "run.sample_every=0", f"hydra.run.dir={run}"],
                           cwd=tmp_path, fault="slow_step=0.2")
    wait_for(lambda: max(logged_steps(run), default=0) >= 3, proc=holder)
    overrides = (run / ".hydra" / "overrides.yaml").read_bytes()
    expected = f"run directory {run} is in use by PID {holder.pid} on host {socket.gethostname()}"

    for args in ([*DCGAN, "seed=5", f"hydra.run.dir={run}"], [f"resume={run}"]):  # same dir, concurrent resume
        res = gan_run(args, cwd=tmp_path)
        assert res.returncode == 2, res.stderr[-3000:]
        lines = error_lines(res.stderr)
        assert len(lines) == 1 and lines[0].startswith(f"gan-run: error: {expected}"), res.stderr[-3000:]
        assert (run / ".hydra" / "overrides.yaml").read_bytes() == overrides
        assert "seed=5" not in (run / "run.log").read_text()
    assert not (run / ".hydra" / "resume-1").exists()

    os.kill(holder.pid, signal.SIGKILL)
    finish(holder)
    assert json.loads((run / ".ganforge.lock").read_text())["pid"] == holder.pid  # stale lock left behind
    saved = ckpt_step(run)
    res = gan_run([f"resume={run}", f"trainer.max_steps={saved + 1}"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    assert status(run)["status"] == "ok" and ckpt_step(run) == saved + 1
    assert not (run / ".ganforge.lock").exists()
