"""Shared machinery of the fault tests: real ``gan-run`` subprocesses, optional fault
injection (``inject/sitecustomize.py`` on ``PYTHONPATH``), run-dir snapshots."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

INJECT = Path(__file__).parent / "inject"
CPU = ["trainer.accelerator=cpu", "trainer.devices=1", "run.progress_bar=false", "run.report=false"]
DCGAN = ["domain=images", "model=dcgan", "debug=smoke", *CPU]


def _env(fault: str | None, extra: dict | None) -> dict:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.pop("GANFORGE_FAULT", None)
    if fault:
        env["GANFORGE_FAULT"] = fault
        env["PYTHONPATH"] = os.pathsep.join([str(INJECT), *filter(None, [env.get("PYTHONPATH")])])
    env.update(extra or {})
    return env


def _exe() -> str:
    return shutil.which("gan-run", path=str(Path(sys.executable).parent)) or "gan-run"


def gan_run(args: Sequence[str], cwd: Path, fault: str | None = None, env: dict | None = None,
            timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``gan-run args`` to completion (stdout/stderr captured)."""
    return subprocess.run([_exe(), *args], cwd=cwd, env=_env(fault, env), capture_output=True, text=True,
                          timeout=timeout)


def start_gan_run(args: Sequence[str], cwd: Path, fault: str | None = None, env: dict | None = None) -> subprocess.Popen:
    """Start ``gan-run args`` in the background (stdout/stderr to files in ``cwd``)."""
    n = len(list(cwd.glob("bg-*.out")))
    out = open(cwd / f"bg-{n}.out", "w")  # noqa: SIM115 - closed by finish()
    err = open(cwd / f"bg-{n}.err", "w")  # noqa: SIM115
    proc = subprocess.Popen([_exe(), *args], cwd=cwd, env=_env(fault, env), stdout=out, stderr=err, text=True)
    proc.out_path, proc.err_path, proc.files = cwd / f"bg-{n}.out", cwd / f"bg-{n}.err", (out, err)
    return proc


def finish(proc: subprocess.Popen, timeout: int = 120) -> tuple[int, str]:
    """Wait for a background run; return its exit code and stderr."""
    try:
        rc = proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
        for f in proc.files:
            f.close()
    return rc, proc.err_path.read_text()


def wait_for(predicate: Callable[[], bool], timeout: float = 120, proc: subprocess.Popen | None = None) -> None:
    """Poll ``predicate`` until true; fail early if ``proc`` ends first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process ended (rc={proc.returncode}) before the condition: {proc.err_path.read_text()[-2000:]}")
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the condition")


def csv_rows(run_dir: Path) -> list[dict]:
    """Rows of ``logs/metrics.csv``."""
    path = Path(run_dir) / "logs" / "metrics.csv"
    if not path.is_file():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def logged_steps(run_dir: Path) -> list[int]:
    """Generator steps of the metrics.csv rows (0 when the file is missing)."""
    return [int(float(r["step"])) for r in csv_rows(run_dir)]


def status(run_dir: Path) -> dict:
    """``status.json`` (``{}`` when missing)."""
    path = Path(run_dir) / "status.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def digest(run_dir: Path) -> dict[str, str]:
    """SHA-256 of every file under ``run_dir``, by relative path."""
    run_dir = Path(run_dir)
    return {
        str(p.relative_to(run_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(run_dir.rglob("*")) if p.is_file()
    }


# Lightning's start-up banner (stderr, info level): not an error line
_BANNER = ("GPU available", "TPU available", "HPU available", "IPU available", "LOCAL_RANK", "Seed set")


def error_lines(stderr: str) -> list[str]:
    """stderr without warnings and Lightning's start-up banner."""
    return [
        line for line in stderr.strip().splitlines()
        if line.strip() and "Warning" not in line and not line.startswith("  ") and "warnings.warn" not in line
        and not line.startswith(_BANNER)
    ]


def ckpt_step(run_dir: Path) -> int:
    """The generator step saved in ``checkpoints/last.ckpt``."""
    import torch

    ckpt = torch.load(Path(run_dir) / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)
    return int(ckpt["ganforge"]["g_step"])


def leftovers(run_dir: Path) -> list[str]:
    """Temporary files anywhere in the run dir."""
    return sorted(str(p.relative_to(run_dir)) for p in Path(run_dir).rglob("*.tmp"))
