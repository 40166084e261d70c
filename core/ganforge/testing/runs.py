"""Helpers to run short real training jobs from tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig

SMOKE_OVERRIDES = ("debug=smoke", "trainer.accelerator=cpu", "trainer.devices=1", "run.progress_bar=false")


def compose_smoke(domain: str, model: str | None = None, overrides: Sequence[str] = ()) -> DictConfig:
    """The ``debug=smoke`` config of ``domain``/``model`` on the CPU, plus ``overrides``."""
    from ganforge._internal.config import compose_config

    args = [f"domain={domain}"] + ([f"model={model}"] if model else []) + list(SMOKE_OVERRIDES) + list(overrides)
    return compose_config(args)


def run_smoke(domain: str, model: str | None, run_dir: Path, overrides: Sequence[str] = ()) -> dict:
    """Train the smoke config into ``run_dir`` in-process; returns ``metrics.json``'s content."""
    from ganforge._internal.training import train

    cfg = compose_smoke(domain, model, overrides)
    train(cfg, run_dir)
    return json.loads((Path(run_dir) / "metrics.json").read_text())


def assert_run_layout(run_dir: Path) -> None:
    """The documented run-dir layout exists: last checkpoint, samples, metrics.json, logs."""
    run_dir = Path(run_dir)
    assert (run_dir / "checkpoints" / "last.ckpt").is_file(), "checkpoints/last.ckpt missing"
    samples = [p for p in (run_dir / "samples").iterdir() if p.is_file()] if (run_dir / "samples").is_dir() else []
    assert samples, "samples/ is empty"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["g_step"] > 0, f"no generator step recorded: {metrics}"
    assert (run_dir / "logs" / "metrics.csv").is_file(), "logs/metrics.csv missing"


def sample_files(run_dir: Path, out: Path, n: int = 4, seed: int = 0, options: Sequence[str] = ()) -> list[Path]:
    """Run ``gan-sample`` in-process and return the written files."""
    from ganforge.cli.sample import run_sample

    return run_sample([str(run_dir), f"n={n}", f"out={out}", f"seed={seed}", *options])


def run_cli_module(module: str, args: Sequence[str], cwd: Path, timeout: int = 600):
    """Run ``python -m <module> <args>`` (e.g. ``ganforge.cli.run``) in a real subprocess."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
