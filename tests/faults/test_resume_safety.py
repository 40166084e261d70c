"""Resume is safe: a mismatched resume is one line and leaves the run byte-identical, new
overrides are recorded as a resume entry (never by rewriting the run's config), and a
resume at or past ``trainer.max_steps`` finishes at once instead of hanging."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _fault_helpers import DCGAN, ckpt_step, digest, error_lines, gan_run, status  # noqa: E402

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images", "audio")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A finished smoke DCGAN run (4 steps), shared by the read-only checks below."""
    root = tmp_path_factory.mktemp("resume")
    run = root / "run"
    res = gan_run([*DCGAN, f"hydra.run.dir={run}"], cwd=root)
    assert res.returncode == 0, res.stderr[-3000:]
    return run


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("model=wgan-gp", "the run was trained with model=dcgan, this resume asks for model=wgan-gp"),
        ("domain=audio", "the run was trained with domain=images, this resume asks for domain=audio"),
        ("model.g_width=16", "architecture mismatch: the checkpoint's generator."),
    ],
)
def test_mismatched_resume_is_one_line_and_leaves_the_run_untouched(finished_run, override, expected):
    before = digest(finished_run)
    res = gan_run([f"resume={finished_run}", override, "trainer.max_steps=8"], cwd=finished_run.parent)
    assert res.returncode == 2, res.stderr[-3000:]
    lines = error_lines(res.stderr)
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr[-3000:]
    assert lines[0].startswith(f"gan-run: error: resume={finished_run}: ") and expected in lines[0], lines[0]
    assert digest(finished_run) == before  # every file byte-identical, nothing added


@pytest.mark.parametrize("max_steps", ["", "trainer.max_steps=3"])
def test_resume_at_or_past_max_steps_finishes_at_once(finished_run, max_steps):
    before = digest(finished_run)
    res = gan_run([f"resume={finished_run}", *([max_steps] if max_steps else [])], cwd=finished_run.parent, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    out = res.stdout + res.stderr
    assert f"resume: {finished_run} is already finished at step 4 (reached trainer.max_steps=" in out
    assert digest(finished_run) == before


def test_new_overrides_are_recorded_as_resume_entries(tmp_path):
    run = tmp_path / "run"
    assert gan_run([*DCGAN, f"hydra.run.dir={run}"], cwd=tmp_path).returncode == 0
    hydra = run / ".hydra"
    original = {name: (hydra / name).read_bytes() for name in ("overrides.yaml", "config.yaml", "hydra.yaml")}
    log_before = (run / "run.log").read_text()

    res = gan_run([f"resume={run}", "trainer.max_steps=6"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    assert {name: (hydra / name).read_bytes() for name in original} == original
    assert yaml.safe_load((hydra / "resume-1" / "overrides.yaml").read_text()) == ["trainer.max_steps=6"]
    assert yaml.safe_load((hydra / "resume-1" / "config.yaml").read_text())["trainer"]["max_steps"] == 6
    log_after = (run / "run.log").read_text()
    assert log_after.startswith(log_before) and "resuming from" in log_after[len(log_before):]
    assert ckpt_step(run) == 6 and status(run)["status"] == "ok"

    # a plain resume re-applies the earlier resume's overrides: already finished at 6
    before = digest(run)
    res = gan_run([f"resume={run}"], cwd=tmp_path, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "already finished at step 6" in res.stdout + res.stderr
    assert digest(run) == before and not (hydra / "resume-2").exists()
