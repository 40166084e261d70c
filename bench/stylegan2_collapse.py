"""Diagnostic (issue 19): does StyleGAN2's MNIST collapse follow one training setting?

    .venv/bin/python bench/stylegan2_collapse.py TAG 'ARM=override,override' ['ARM=...'] [--budget 300]

Each ARM is the StyleGAN2 MNIST arm of ``bench/stylegan2.py --profile auto`` (all 60,000 training
images at 32 px, the CPU channel plan, batch 32, R1 gamma by ADA's heuristic, 1 torch thread) with
the listed overrides replacing the same keys; the arms train interleaved in one process for
``--budget`` seconds each and are evaluated (classifier-FID/KID/IS of ``--n-samples`` EMA samples) at
half and full budget. Prints one ``RESULT`` JSON line; final weights go to outputs/bench/probe_TAG/.
No docs section: the figures are quoted in the StyleGAN2 reading notes of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stylegan2 as sg  # noqa: E402


def arm(spec: str, args) -> tuple[str, list[str]]:
    """``NAME=key=value,key=value`` -> (name, the MNIST arm's overrides with those keys replaced)."""
    name, _, extra_text = spec.partition("=")
    extra = [o for o in extra_text.split(",") if o]
    keys = {o.split("=")[0].lstrip("+") for o in extra}
    base = sg.arm_overrides("stylegan2", str(args.mnist), args, sg.stylegan2_overrides(args))
    return name, [o for o in base if o.split("=")[0].lstrip("+") not in keys] + extra


def main() -> None:
    """Train the arms and print their curves."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tag")
    ap.add_argument("arms", nargs="+", help="NAME=override,override (empty after '=': the arm as it is)")
    ap.add_argument("--budget", type=float, default=300.0)
    ap.add_argument("--n-samples", type=int, default=500)
    ap.add_argument("--mnist", type=Path, default=sg.SHARED / "mnist")
    a = ap.parse_args()
    if not (a.mnist / "train-images-idx3-ubyte.gz").is_file():
        raise SystemExit(f"{a.mnist}: the MNIST IDX files are missing")
    args = argparse.Namespace(seed=0, size=32, accelerator="cpu", profile="auto", n_samples=a.n_samples, points=2,
                              slice=30.0, threads=1, mnist=a.mnist)
    arms = dict(arm(s, args) for s in a.arms)
    res = sg.run_part("mnist", arms, str(a.mnist), a.budget, args, Path(tempfile.mkdtemp()), tag=f"probe_{a.tag}")
    print("RESULT", json.dumps({k: v["curve"] for k, v in res["arms"].items()}))


if __name__ == "__main__":
    main()
