"""Has a change made training slower? The bare ganforge DCGAN (or WaveGAN) run of
``bench/overhead.py`` timed at two commits, alternating processes, paired ratios.

    python bench/compare_commits.py --base 5af4f5c [--model dcgan] [--repeats 5]

The base commit is checked out into a temporary git worktree and put first on
``PYTHONPATH`` (its core and plugin sources shadow the editable installs of this checkout,
whose entry points name the same modules); each repeat runs the base and the current tree
in turn, each in a fresh process with 1 torch thread, and the figure is the median over
repeats of the paired ratio of CPU seconds per generator step (base / current: > 1 means
the current tree is faster). Prints its result; writes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONE_RUN = """
import json, sys, tempfile
from pathlib import Path
import torch
torch.set_num_threads(1)
sys.path.insert(0, {bench!r})
from overhead import MODELS, ganforge_run
with tempfile.TemporaryDirectory() as tmp:
    clock = ganforge_run({model!r}, {warmup}, {steps}, Path(tmp) / "run")
print("RESULT", json.dumps(clock.cpu / {steps}))
"""


def source_path(tree: Path) -> str:
    """PYTHONPATH putting ``tree``'s core and plugin sources first."""
    return os.pathsep.join([str(tree / "core"), *(str(p) for p in sorted((tree / "plugins").glob("*/src")))])


def one_run(tree: Path, model: str, warmup: int, steps: int) -> float:
    """CPU seconds per generator step of one bare run of ``tree``'s code, in a fresh process."""
    code = ONE_RUN.format(bench=str(REPO / "bench"), model=model, warmup=warmup, steps=steps)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": source_path(tree)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(next(line for line in out.stdout.splitlines() if line.startswith("RESULT")).split(" ", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--model", default="dcgan", choices=("dcgan", "wavegan"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=REPO, check=True,
                       capture_output=True)
        try:
            pairs = []
            for r in range(args.repeats):
                old = one_run(base, args.model, args.warmup, args.steps)
                new = one_run(REPO, args.model, args.warmup, args.steps)
                pairs.append(old / new)
                print(f"repeat {r}: base {1000 * old:.1f} ms, current {1000 * new:.1f} ms CPU per step, "
                      f"ratio {old / new:.3f}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO, check=False)
    print(f"{args.model}: base/current CPU per step, median of {args.repeats} paired ratios: "
          f"{statistics.median(pairs):.3f} (> 1: current faster)")


if __name__ == "__main__":
    main()
