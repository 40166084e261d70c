"""The run log warns when generated audio is near-silent (issue 14: SpecGAN's smoke output)."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ganforge_audio.domain import AudioDomain
from ganforge_audio.level import rms_dbfs
from ganforge_audio.models import AudioSamples


def _tone(amplitude: float, n: int = 3, length: int = 4096) -> torch.Tensor:
    t = torch.arange(length) / 8000
    return (amplitude * torch.sin(2 * math.pi * 440 * t)).expand(n, 1, length).clone()


def test_rms_level_in_dbfs():
    assert rms_dbfs(_tone(1.0)) == pytest.approx(-3.01, abs=0.02)  # full-scale sine
    assert rms_dbfs(_tone(0.001)) == pytest.approx(-63.01, abs=0.02)
    assert rms_dbfs(torch.zeros(2, 1, 100)) == -200.0  # silence: a finite floor


@pytest.mark.parametrize("amplitude, warned", [(0.001, True), (0.5, False)])
def test_export_warns_once_when_samples_are_near_silent(tmp_path, caplog, amplitude, warned):
    caplog.set_level(logging.WARNING, logger="ganforge_audio")
    paths = AudioDomain().export_samples(AudioSamples(_tone(amplitude), 8000), tmp_path, "step_0000007")
    assert all(p.is_file() for p in paths)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    if warned:
        assert len(lines) == 1
        assert "'step_0000007' (3 clips) is near-silent: RMS -63.0 dBFS (below -50 dBFS" in lines[0]
    else:
        assert lines == []


def test_specgan_smoke_run_log_reports_the_level(tmp_path):
    """A real gan-run: SpecGAN after two smoke steps is near-silent, and run.log says so."""
    run = tmp_path / "run"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "gan-run"), "domain=audio", "model=specgan", "debug=smoke",
         "trainer.max_steps=2", "run.progress_bar=false", "run.report=false", f"hydra.run.dir={run}"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    log = (run / "run.log").read_text()
    warnings = [line for line in log.splitlines() if "[WARNING]" in line and "near-silent" in line]
    # the final sample files and the final evaluation both say so (the latter also when no files are written)
    assert any("'final' (" in w for w in warnings)
    assert any("at the evaluation of step 2 (" in w for w in warnings)
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["level/samples_dbfs"] < -50 < metrics["level/real_dbfs"]
