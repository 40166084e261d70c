"""Peak memory of image training as the folder grows: streamed files vs ``data.cache=memory``.

Writes two folders of 64x64 RGB JPEGs (2,000 and 20,000 images, smooth random patterns,
made once under ``outputs/bench/streaming``), then runs the same short ``gan-run`` (DCGAN
at 64 px, 40 steps, no metrics or samples) on each folder with the default streaming
loader and with ``data.cache=memory``, each in its own process; the peak RSS of that
process comes from ``os.wait4``. Streaming should stay flat from 2k to 20k images; the
in-memory loader grows by the float tensor (20k x 3 x 64 x 64 x 4 B = 983 MB).

Usage: ``python bench/image_streaming.py`` (or ``nox -s bench -- image_streaming``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, write_results  # noqa: E402

SIZES = (2000, 20000)
MODES = {"streaming (default)": "auto", "data.cache=memory": "memory"}


def make_folder(root: Path, n: int, size: int = 64) -> Path:
    """``n`` smooth random RGB JPEGs of ``size`` px under ``root/n`` (kept between runs)."""
    from PIL import Image

    folder = root / str(n)
    done = folder / ".complete"
    if done.is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(n)
    yy, xx = np.mgrid[0:size, 0:size] / size
    for i in range(n):
        f = rng.uniform(1, 6, (3, 2))
        ph = rng.uniform(0, 6.3, 3)
        img = np.stack([127 + 120 * np.sin(f[c, 0] * 6.3 * xx + ph[c]) * np.cos(f[c, 1] * 6.3 * yy) for c in range(3)], -1)
        Image.fromarray(img.astype(np.uint8)).save(folder / f"{i:05d}.jpg", quality=90)
    done.write_text("ok")
    return folder


def peak_rss_mb(folder: Path, cache: str, threads: int, out: Path) -> tuple[float, float]:
    """Peak RSS (MB) and wall seconds of one short ``gan-run`` on ``folder``."""
    cmd = [
        shutil.which("gan-run", path=str(Path(sys.executable).parent)) or "gan-run", "domain=images", "model=dcgan", f"data.path={folder}",
        "data.size=64", f"data.cache={cache}", "trainer.max_steps=40", f"trainer.num_threads={threads}",
        "metrics.feature_net=none", "run.sample_every=0", "run.sample_count=0", "run.report=false",
        "run.progress_bar=false", "run.checkpoint_every=0", f"hydra.run.dir={out}",
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"gan-run failed ({proc.returncode}):\n{err[-2000:]}")
    return usage.ru_maxrss / 1024.0, time.perf_counter() - start  # ru_maxrss is in KiB on Linux


def main() -> None:
    """Run every (folder size, loader) cell and write the docs section."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    root = REPO / "outputs" / "bench" / "streaming"
    rows = {}
    for n in SIZES:
        folder = make_folder(root, n)
        for label, cache in MODES.items():
            rss, wall = peak_rss_mb(folder, cache, args.threads, root / f"run-{n}-{cache}")
            rows[f"{n}|{label}"] = {"images": n, "loader": label, "peak_rss_mb": rss, "wall_s": wall}
            print(f"{n:6d} images, {label:22s}: peak RSS {rss:7.0f} MB, {wall:5.1f} s", flush=True)
    stream = [rows[f"{n}|streaming (default)"]["peak_rss_mb"] for n in SIZES]
    memory = [rows[f"{n}|data.cache=memory"]["peak_rss_mb"] for n in SIZES]
    cmd = f"python bench/image_streaming.py --threads {args.threads}"
    lines = [
        "### Image folders: peak memory, streaming vs in memory (`bench/image_streaming.py`)",
        "",
        f"`{cmd}` -- {time.strftime('%Y-%m-%d')}, {args.threads} torch thread, CPU (2-core VM). "
        "Same short run on each folder (DCGAN at 64 px, 40 steps, batch 64, no metrics/samples), each in its own "
        "process; peak RSS from `os.wait4`. Folders: 64x64 RGB JPEGs.",
        "",
        "| images | loader | peak RSS (MB) | wall (s) |",
        "| ---: | --- | ---: | ---: |",
    ]
    lines += [f"| {r['images']:,} | {r['loader']} | {r['peak_rss_mb']:.0f} | {r['wall_s']:.1f} |" for r in rows.values()]
    lines += [
        "",
        f"From 2k to 20k images the streaming loader's peak grew by {stream[1] - stream[0]:+.0f} MB, the in-memory "
        f"loader's by {memory[1] - memory[0]:+.0f} MB (its float tensor alone: 18,000 x 3 x 64 x 64 x 4 B = 885 MB).",
    ]
    md = "\n".join(lines)
    print(md)
    if not args.no_write:
        write_results("image_streaming", {"threads": args.threads, "rows": rows}, md)


if __name__ == "__main__":
    main()
