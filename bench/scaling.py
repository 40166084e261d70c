"""Scaling table (issue 16, item 6): time per generator step as the batch size and the data
size double, for images (DCGAN 32x32 on the embedded digits) and graphs (NetGAN on Cora-ML,
breadth-first slices via ``data.max_nodes``), so users see how cost grows.

Each point is a real ``ganforge.train`` run on ganforge's bare run path (as
``bench/overhead.py``: no EMA, samples, checkpoints, evaluation or report); the clock covers
the generator steps after a warm-up. Threads are pinned (default 1); the points of one
table alternate within each repeat and the figure is the median over repeats of CPU
milliseconds per step, with the ratio to the table's first point (the median of paired
ratios). Data-size points for images: ``data.limit`` subsets of the embedded digits (held
in memory: per-step cost should stay flat).

    python bench/scaling.py [--threads 1] [--repeats 3] [--warmup 5] [--steps 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_results  # noqa: E402
from overhead import BARE, timed_train  # noqa: E402

IMAGES = ["domain=images", "model=dcgan"]
GRAPHS = ["domain=graphs", "model=netgan", "run.eval_every=0", "metrics.statistics=false"]
TABLES = {
    "images, batch size": [(f"batch {b}", [*IMAGES, f"data.batch_size={b}"]) for b in (32, 64, 128)],
    "images, data size": [(f"{n} images", [*IMAGES, "data.batch_size=64", f"data.limit={n}"]) for n in (1000, 2000, 4000)],
    "graphs, batch size (walks)": [(f"{b} walks", [*GRAPHS, f"data.batch_size={b}"]) for b in (64, 128, 256)],
    "graphs, data size (nodes)": [(f"{n} nodes", [*GRAPHS, f"data.max_nodes={n}"]) for n in (500, 1000, 2000)],
}


def timed(overrides: list[str], warmup: int, steps: int, out: Path) -> float:
    """CPU seconds per generator step of one bare run, after ``warmup`` steps."""
    from ganforge import compose_config

    cfg = compose_config([*overrides, *BARE, f"trainer.max_steps={warmup + steps}"])
    return timed_train(cfg, warmup, out)[0].cpu / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    started = time.time()
    results: dict[str, dict[str, list[float]]] = {t: {label: [] for label, _ in pts} for t, pts in TABLES.items()}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            for table, points in TABLES.items():
                for i, (label, overrides) in enumerate(points):
                    s = timed(overrides, args.warmup, args.steps, Path(tmp) / f"{r}-{table[:6]}-{i}")
                    results[table][label].append(s)
                    print(f"repeat {r} {table} {label}: {1000 * s:.1f} ms/step", flush=True)
    sections = []
    for table, points in TABLES.items():
        first = points[0][0]
        lines = [f"| {label} | {1000 * statistics.median(results[table][label]):.1f} | "
                 + ("1" if label == first else
                    f"{statistics.median(x / b for x, b in zip(results[table][label], results[table][first], strict=True)):.2f}x")
                 + " |" for label, _ in points]
        sections.append(f"**{table}**\n\n| point | CPU ms per step | vs first |\n| --- | ---: | ---: |\n" + "\n".join(lines))
    md = f"""## Scaling: time per step as batch and data size double (`python bench/scaling.py`)

`python bench/scaling.py --threads {args.threads} --repeats {args.repeats} --warmup {args.warmup} --steps {args.steps}`, {time.strftime('%Y-%m-%d')}, {args.threads} torch thread(s), this 2-core CPU. Real `ganforge.train` runs on the bare run path (no EMA, samples, checkpoints, evaluation or report); {args.steps} timed generator steps after {args.warmup} warm-up steps; median over {args.repeats} interleaved repeats of CPU ms per step; "vs first" is the median of paired ratios to the table's first point. Images: DCGAN 32x32, embedded digits (data size = `data.limit`, in memory). Graphs: NetGAN on Cora-ML (data size = `data.max_nodes`, a breadth-first slice; batch = random walks of length 16).

{chr(10).join(s + chr(10) for s in sections)}
Total benchmark time {(time.time() - started) / 60:.1f} min.
"""
    write_results("scaling", {"config": vars(args), "cpu_s_per_step": results}, md)
    print(md)


if __name__ == "__main__":
    main()
