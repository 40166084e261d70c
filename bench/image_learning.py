"""Benchmark (issue 14): do the image GANs learn on this 2-core CPU within a wall-time budget?

    .venv/bin/python bench/image_learning.py --parts wgan-gp      # WGAN-GP, 20 min of training
    .venv/bin/python bench/image_learning.py --parts cgan         # CGAN (projection), 15 min

Run the parts as separate processes to use both cores (each process pins torch to 1 thread).
Each part trains on MNIST 32x32 (../shared/data/mnist, all 60,000 training images) for its
budget of training wall time (evaluation not timed) with the machinery of
``bench/stylegan2.py`` (``run_part``): classifier-FID/KID/IS of 1,000 EMA samples against
1,000 held-out test images in the feature space of one reference classifier (trained once on
the training images and cached; the same for every part), at equal fractions of the budget,
and for class-conditional models the share of samples the reference classifier assigns the
requested label. Targets (issue 14): WGAN-GP classifier-FID <= 40 within 20 min; CGAN label
accuracy >= 0.9 and FID <= 30 within 15 min. Writes bench/results/image_learning_<part>.json,
a learning-curve PNG, sample grids and the part's section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, write_results  # noqa: E402
from stylegan2 import SHARED, arm_overrides, run_part  # noqa: E402

PARTS = {
    # part: (arms {name: (model, extra overrides)}, default budget s, targets {metric: (op, value)})
    "wgan-gp": ({"wgan-gp": ("wgan-gp", ["data.batch_size=64"])}, 1200.0, {"fid": ("<=", 40.0)}),
    "cgan": ({"cgan": ("cgan", ["data.batch_size=64"])}, 900.0, {"fid": ("<=", 30.0), "label_accuracy": (">=", 0.9)}),
    "cgan-concat": ({"cgan-concat": ("cgan-concat", ["data.batch_size=64"])}, 900.0,
                    {"fid": ("<=", 30.0), "label_accuracy": (">=", 0.9)}),
    # the paper-scale GPU row (DCGAN paper: 64 px, batch 128); run with --size 64 --accelerator gpu
    "dcgan64": ({"dcgan-64px": ("dcgan", ["data.batch_size=128"])}, 240.0, {}),
}


def curve_png(part: str, arms: dict, path: Path, size: int = 32) -> Path:
    """Classifier-FID against training seconds, one line per arm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2))
    for name, res in arms.items():
        ax.plot([c["train_s"] / 60 for c in res["curve"]], [c["fid"] for c in res["curve"]], marker="o", label=name)
    ax.set_xlabel("training minutes")
    ax.set_ylabel("classifier-FID")
    ax.set_yscale("log")
    ax.set_title(f"{part} on MNIST {size}x{size}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def met(value: float | None, op: str, target: float) -> bool:
    """Whether ``value`` meets ``op target``."""
    return value is not None and (value <= target if op == "<=" else value >= target)


def main() -> None:
    """Train the chosen parts and write their results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="wgan-gp", help=f"comma-separated: {', '.join(PARTS)}")
    parser.add_argument("--budget", type=float, default=None, help="training seconds (default: the part's target)")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--points", type=int, default=6)
    parser.add_argument("--slice", type=float, default=60.0)
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--accelerator", default="cpu")
    parser.add_argument("--mnist", type=Path, default=SHARED / "mnist")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for training (2: the whole machine)")
    parser.add_argument("--tag", default="", help="suffix of the results name and docs section (a variant)")
    parser.add_argument("overrides", nargs="*", help="further gan-run overrides for every arm (a CPU profile)")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    if not (args.mnist / "train-images-idx3-ubyte.gz").is_file():
        raise SystemExit(f"{args.mnist} has no MNIST IDX files (../shared/data/mnist); nothing to benchmark")
    for part in args.parts.split(","):
        arm_specs, default_budget, targets = PARTS[part]
        budget = args.budget or default_budget
        arms = {n: arm_overrides(m, str(args.mnist), args, [*extra, *args.overrides])
                for n, (m, extra) in arm_specs.items()}
        work = Path(tempfile.mkdtemp(prefix=f"ganforge-bench-{part}-"))
        started = time.time()
        try:
            res = run_part(part, arms, str(args.mnist), budget, args, work, tag=f"image_learning{args.tag}")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        png = curve_png(part, res["arms"], RESULTS / f"image_learning_{part}{args.tag}_curve.png", args.size)
        cmd = "python bench/image_learning.py " + " ".join(sys.argv[1:])
        rows, verdicts = [], []
        for name, r in res["arms"].items():
            f = r["final"]
            curve = ", ".join(f"{c['train_s'] / 60:.1f} min: {c['fid']:.1f}" for c in r["curve"])
            acc = f.get("label_accuracy")
            rows.append(f"| {name} | {r['g_steps']} | {r['steps_per_s']:.2f} | {curve} | {f.get('fid', float('nan')):.1f} | "
                        f"{f.get('kid', float('nan')):.3f} | {f.get('is', float('nan')):.2f} | "
                        f"{'-' if acc is None else f'{acc:.3f}'} |")
            for metric, (op, value) in targets.items():
                verdicts.append(f"{name} {metric} {op} {value:g}: {f.get(metric, float('nan')):.3f} -> "
                                f"{'met' if met(f.get(metric), op, value) else 'NOT met'}")
        floor = res["floor_real_vs_test"]
        where = ("the 2 cores), this 2-core CPU" if args.accelerator == "cpu"
                 else f"one GPU), {torch.cuda.get_device_name(0) if torch.cuda.is_available() else args.accelerator}")
        md = "\n".join([
            f"## Images learn on the {'CPU' if args.accelerator == 'cpu' else 'GPU'} (issue 14): {part}{args.tag}, "
            f"MNIST {args.size}x{args.size}, {budget / 60:.0f} min (`bench/image_learning.py`)",
            "",
            f"`{cmd}` -- {time.strftime('%Y-%m-%d')}, {args.threads} torch thread{'s' if args.threads > 1 else ''} "
            f"({'no other job ran on' if args.threads > 1 else 'one process per part; other jobs ran at once on'} "
            f"{where}. All 60,000 MNIST training images at {args.size}x{args.size}, "
            f"batch {128 if part == 'dcgan64' else 64}, seed {args.seed}; "
            f"{budget:.0f} s of training wall time (evaluation not timed), evaluated at {args.points} equal fractions: "
            f"{'overrides: `' + ' '.join(args.overrides) + '`; ' if args.overrides else ''}"
            f"classifier-FID/KID/IS of {args.n_samples} EMA samples vs {args.n_samples} held-out test images in one "
            f"reference classifier's features (val accuracy {res['reference_classifier_val_accuracy'] or float('nan'):.3f}); "
            "label accuracy: the share of samples the reference classifier assigns the requested label.",
            "",
            "| arm | G steps | steps/s | FID curve | final FID | KID | IS | label acc. |",
            "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
            *rows,
            f"| real training images (floor) | - | - | - | {floor['fid']:.1f} | {floor['kid']:.3f} | {floor['is']:.2f} | - |",
            "",
            "Targets: " + ("; ".join(verdicts) or "none (a speed/quality row)") + f". Total time {(time.time() - started) / 60:.1f} min.",
            "",
            f"![{part} curve](../bench/results/{png.name}) "
            + " ".join(f"![{part} {n}](../bench/results/image_learning{args.tag}_{part}_{n}.png)" for n in res["arms"]),
        ])
        print(md, flush=True)
        write_results(f"image_learning_{part}{args.tag}", {"command": cmd, "args": {k: str(v) for k, v in vars(args).items()},
                                                 "budget_s": budget, "part": res, "targets": verdicts}, md)
        print(json.dumps(verdicts))


if __name__ == "__main__":
    main()
