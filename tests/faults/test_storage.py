"""Storage errors: an impossible run directory or a disk that fills up while a checkpoint or
a sample sheet is written ends the run with one line naming the path and the errno; the
previous checkpoint stays and no temporary file is left to be mistaken for data.

Disk full is simulated two ways: ``OSError(ENOSPC)`` injected into the writes of one kind
of file (``inject/sitecustomize.py``, runs everywhere), and a real 300 KiB tmpfs (only
where the tests may mount one, i.e. as root with CAP_SYS_ADMIN; skipped elsewhere).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _fault_helpers import DCGAN, ckpt_step, error_lines, gan_run, leftovers, status  # noqa: E402

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images",)

ENOSPC = "[Errno 28 ENOSPC] No space left on device"


def one_error_line(res) -> str:
    lines = error_lines(res.stderr)
    assert res.returncode == 2 and len(lines) == 1 and "Traceback" not in res.stderr, res.stderr[-3000:]
    return lines[0]


@pytest.mark.parametrize(
    ("where", "errno_text"),
    [("/proc/ganforge-no-such-dir/run", "[Errno 2 ENOENT]"), ("{tmp}/a-file/run", "[Errno 20 ENOTDIR]")],
)
def test_impossible_run_dir_is_one_line(tmp_path, where, errno_text):
    (tmp_path / "a-file").write_text("not a directory")
    run_dir = where.format(tmp=tmp_path)
    line = one_error_line(gan_run([*DCGAN, f"hydra.run.dir={run_dir}"], cwd=tmp_path))
    assert line.startswith(f"gan-run: error: cannot create the run directory {run_dir}: {errno_text}"), line


def test_disk_full_while_writing_a_checkpoint_keeps_the_previous_one(tmp_path):
    run = tmp_path / "run"
    # the first checkpoint (step 2) is written, the second (step 4) meets a full disk
    res = gan_run([*DCGAN, f"hydra.run.dir={run}"], cwd=tmp_path, fault="enospc=*/checkpoints/.last.ckpt.*.tmp@2")
    line = one_error_line(res)
    assert line == f"gan-run: error: cannot write checkpoint {run}/checkpoints/last.ckpt: {ENOSPC}"
    assert ckpt_step(run) == 2
    assert leftovers(run) == []
    st = status(run)
    assert st["status"] == "failed" and st["step"] == 4 and ENOSPC in st["error"]
    assert not (run / "metrics.json").exists()


def test_disk_full_while_writing_samples_leaves_no_partial_file(tmp_path):
    run = tmp_path / "run"
    res = gan_run([*DCGAN, f"hydra.run.dir={run}"], cwd=tmp_path, fault="enospc=*/samples/*")
    line = one_error_line(res)
    assert line.startswith(f"gan-run: error: cannot write samples to {run}/samples/") and line.endswith(ENOSPC), line
    assert not any(p.is_file() for p in (run / "samples").rglob("*"))  # no half-written PNG
    assert leftovers(run) == [] and status(run)["status"] == "failed"


def test_a_real_full_tmpfs(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)")
    try:
        run = disk / "run"
        # one 170 KB checkpoint fits, a second temporary copy beside it does not
        res = gan_run([*DCGAN, "trainer.max_steps=6", f"hydra.run.dir={run}"], cwd=tmp_path)
        line = one_error_line(res)
        assert line == f"gan-run: error: cannot write checkpoint {run}/checkpoints/last.ckpt: {ENOSPC}"
        assert ckpt_step(run) == 2 and leftovers(run) == []
        assert status(run)["status"] == "failed"
    finally:
        subprocess.run(["umount", str(disk)], check=False)
