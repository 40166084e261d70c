"""Benchmark (issue 19): StyleGAN2 on this CPU -- classifier-FID curves at equal wall time.

    .venv/bin/python bench/stylegan2.py                      # the issue's protocol (about 2 x 60 min + evaluation)
    .venv/bin/python bench/stylegan2.py --budget 480 --fashion-budget 360   # a shorter run (say so when reporting)

Part 1 (``mnist``): StyleGAN2 (CPU profile) vs DCGAN on MNIST 32x32 (../shared/data/mnist, all
60,000 training images), each trained for ``--budget`` seconds of training wall time (the
issue: 30 min). Part 2 (``fashion``): StyleGAN2 with and without DiffAugment
(color,translation,cutout) on 2,000 Fashion-MNIST images (../shared/data/fashion_mnist holds
the 10,000 t10k images: images 0-1999 train the GANs, 5000-9999 are the held-out reference,
0-4999 train the reference classifier), ``--fashion-budget`` seconds each.

Fairness on a shared, noisy machine: the two arms of a part run *interleaved* in the same
process -- alternating slices of ``--slice`` seconds of training (each slice one
``Trainer.fit``; the module, its optimizers and its step count carry over) -- so load
changes hit both arms alike. torch threads are
pinned to 1. Training time excludes evaluation: at equal fractions of the budget the arm is
paused and evaluated (classifier-FID/KID/IS of ``--n-samples`` samples of the EMA generator
against as many held-out test images, in the feature space of one reference classifier per
data set, trained once and cached). Writes bench/results/stylegan2.json, sample grids
bench/results/stylegan2_<part>_<arm>.png and the ``stylegan2`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, write_results  # noqa: E402

SHARED = REPO.parent / "shared" / "data"


def make_clock(name, slice_s, budget, eval_points, evaluate, curve, state):
    """A Lightning callback: times training batches, stops the fit after ``slice_s`` seconds (the
    other arm then gets the CPU), evaluates at budget fractions (not timed) and ends at ``budget``."""
    from lightning.pytorch.callbacks import Callback

    class ArmClock(Callback):
        def on_train_start(self, trainer, module):
            self.slice_used = 0.0

        def _evaluate_due(self, module, force=False):
            while state["next_eval"] < len(eval_points) and (force or state["train_s"] >= eval_points[state["next_eval"]]):
                curve.append({"train_s": round(state["train_s"], 1), "g_step": module.g_step, **evaluate(module)})
                print(name, json.dumps(curve[-1]), flush=True)
                state["next_eval"] += 1
                if force:
                    break

        def on_train_batch_start(self, trainer, module, batch, batch_idx):
            self.t0 = time.perf_counter()

        def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
            dt = time.perf_counter() - self.t0
            state["train_s"] += dt
            self.slice_used += dt
            module.pop_logs()
            if state["train_s"] >= budget:
                self._evaluate_due(module, force=True)
                state["done"] = True
            else:
                self._evaluate_due(module)
            if state["done"] or self.slice_used >= slice_s:
                trainer.should_stop = True

    return ArmClock()


def keep_optimizers(module) -> None:
    """Each slice is a new ``Trainer.fit``; reuse the first optimizers so Adam's state carries over."""
    original, cache = module.configure_optimizers, []

    def configure():
        if not cache:
            cache.append(original())
        return cache[0]

    module.configure_optimizers = configure


def read_idx(path: Path) -> np.ndarray:
    """An IDX(.gz) array (MNIST format)."""
    with gzip.open(path, "rb") as fh:
        data = fh.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_npz(work: Path, n_train: int) -> tuple[Path, Path]:
    """(GAN data: ``n_train`` training images; evaluator data: 5,000 classifier images) with the
    same 5,000 held-out test images, from the t10k Fashion-MNIST files."""
    root = SHARED / "fashion_mnist"
    x, y = read_idx(root / "t10k-images-idx3-ubyte.gz"), read_idx(root / "t10k-labels-idx1-ubyte.gz")
    gan, ev = work / "fashion_gan.npz", work / "fashion_eval.npz"
    np.savez(gan, x_train=x[:n_train], y_train=y[:n_train], x_test=x[5000:], y_test=y[5000:])
    np.savez(ev, x_train=x[:5000], y_train=y[:5000], x_test=x[5000:], y_test=y[5000:])
    return gan, ev


def arm_overrides(model: str, data: str, args, extra=()) -> list[str]:
    """Config shared by the arms: data, size, seed, CPU, no periodic work (the clock evaluates)."""
    return [
        "domain=images", f"model={model}", f"seed={args.seed}", f"data.path={data}", f"data.size={args.size}",
        "data.limit=null", "trainer.max_steps=100000000", f"trainer.accelerator={args.accelerator}", "trainer.devices=1",
        "trainer.num_threads=1", "run.progress_bar=false", "run.monitor=null", "run.sample_every=0",
        "run.eval_every=0", "++metrics.feature_net=none", *extra,
    ]


#: StyleGAN2 training settings per ``--profile`` (the channel plan is the CPU profile's in both):
#: ``f`` keeps config F's (8-layer mapping, lr 0.002, EMA without ramp-up); ``auto`` takes the
#: official stylegan2-ada-pytorch's default ``cfg=auto`` for small images: a 2-layer mapping
#: network, lr 0.0025 and the EMA ramp-up 0.05
PROFILES = {
    "f": [],
    "auto": ["model.mapping_layers=2", "optim.lr_g=0.0025", "optim.lr_d=0.0025", "model.ema_rampup=0.05"],
}


def stylegan2_overrides(args) -> list[str]:
    # R1 gamma: ADA's heuristic for small images (0.0002 * size^2 / batch); config F's 10 is for 1024 px faces
    return [f"model.r1_gamma={0.0002 * args.size**2 / 32:.4g}", "data.batch_size=32",
            *PROFILES[getattr(args, "profile", "f")]]


def augmented_arm(args) -> str:
    """The Fashion part's augmented arm's name: ``diffaugment`` (the policy at p = 1), with the
    policy and ``_ada`` appended when they differ from the issue's (color, translation, cutout; p = 1)."""
    name = "diffaugment"
    if getattr(args, "policy", "color,translation,cutout") != "color,translation,cutout":
        name += "_" + args.policy.replace(",", "+")
    return name + ("_ada" if getattr(args, "ada_target", None) is not None else "")


def run_part(part: str, arms: dict[str, list[str]], eval_data: str, budget: float, args, work: Path,
             tag: str = "stylegan2") -> dict:
    """Train the arms of one part interleaved for ``budget`` s each; return curves and final figures
    (final weights under outputs/bench/<tag>/, sample grids bench/results/<tag>_<part>_<arm>.png)."""
    import torch
    from lightning.pytorch import seed_everything
    from omegaconf import OmegaConf

    from ganforge import compose_config, make_trainer
    from ganforge.utils import seeded
    from ganforge_images.domain import ImagesDomain
    from ganforge_images.evaluation import ImageEvaluator, metrics_config
    from ganforge_images.export import save_grid

    plugin = ImagesDomain()
    names = list(arms)
    cfgs = {n: compose_config(o) for n, o in arms.items()}
    eval_cfg = OmegaConf.create(OmegaConf.to_container(cfgs[names[0]], resolve=True))
    eval_cfg.data.path, eval_cfg.data.limit = eval_data, None
    eval_cfg.metrics = {
        "feature_net": "classifier", "n_samples": args.n_samples, "n_real": args.n_samples, "batch_size": 250,
        "kid": True, "classifier_epochs": 3, "classifier_min_steps": 300, "classifier_width": 32,
        "inception_weights": None, "classifier_path": None, "cache_dir": None, "ppl_samples": 0,
    }
    eval_dm = plugin.build_datamodule(eval_cfg)
    eval_dm.setup("fit")
    evaluator = ImageEvaluator(eval_dm, metrics_config(eval_cfg))

    def evaluate(module):
        was = module.training
        module.eval()
        try:
            with seeded(args.seed + 1):
                return {k.split("/")[0]: round(float(v), 4) for k, v in evaluator.evaluate(module).items()}
        finally:
            module.train(was)

    # train the reference classifier before any arm's clock runs
    dm0 = plugin.build_datamodule(cfgs[names[0]])
    dm0.setup("fit")
    evaluator.feature_net("images", evaluator.image_domain())
    points = [budget * (i + 1) / args.points for i in range(args.points)]
    results = {}
    torch.set_num_threads(getattr(args, "threads", 1))  # training threads (image_learning.py --threads)
    seed_everything(args.seed, workers=True, verbose=False)
    arms_state = {}
    for name in names:
        dm = dm0 if name == names[0] else plugin.build_datamodule(cfgs[name])
        dm.setup("fit")
        module = plugin.make_module(cfgs[name], dm.spec())
        keep_optimizers(module)
        curve: list[dict] = []
        state = {"train_s": 0.0, "next_eval": 0, "done": False, "slices": 0}
        clock = make_clock(f"{part}/{name}", args.slice, budget, points, evaluate, curve, state)
        arms_state[name] = (module, dm, clock, curve, state)
    # alternate slices until every arm has used its budget (one thread: the arms never overlap)
    while not all(a[4]["done"] for a in arms_state.values()):
        for name, (module, dm, clock, _curve, state) in arms_state.items():
            if state["done"]:
                continue
            trainer = make_trainer(cfgs[name], work / part / name / f"slice{state['slices']}", [clock], schedule=False)
            trainer.fit(module, datamodule=dm)
            state["slices"] += 1
    modules = {n: (a[0], a[4], a[3]) for n, a in arms_state.items()}
    for name, (module, state, curve) in modules.items():
        keep = REPO / "outputs" / "bench" / tag / f"{part}_{name}.pt"  # for later metrics (e.g. PPL)
        keep.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state_dict": module.state_dict(), "overrides": arms[name], "g_step": module.g_step}, keep)
        with seeded(args.seed + 2):
            grid = save_grid(module.sample(64).cpu(), RESULTS / f"{tag}_{part}_{name}.png", nrow=8)
        results[name] = {
            "train_wall_s": round(state["train_s"], 1), "g_steps": module.g_step,
            "steps_per_s": round(module.g_step / max(state["train_s"], 1e-9), 3), "curve": curve,
            "final": curve[-1] if curve else {}, "grid": str(grid.relative_to(REPO)),
            "params": {"G": sum(p.numel() for p in module.generator.parameters()),
                       "D": sum(p.numel() for p in module.discriminator.parameters())},
            "config": {k: OmegaConf.to_container(cfgs[name][k], resolve=True) for k in ("model", "optim", "data")},
        }
    with seeded(args.seed + 1):
        domain = evaluator.image_domain()
        floor = evaluator.generation("images", domain, args.n_samples)(domain.train[-args.n_samples :])
    info = evaluator.classifier_info.get("images", {})
    return {"budget_s": budget, "arms": results, "floor_real_vs_test": {k.split("/")[0]: round(float(v), 4) for k, v in floor.items()},
            "reference_classifier_val_accuracy": info.get("val_accuracy")}


def main() -> None:
    """Run the parts and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=1800.0, help="training seconds per arm, MNIST part")
    parser.add_argument("--fashion-budget", type=float, default=1800.0, help="training seconds per arm, Fashion part")
    parser.add_argument("--fashion-train", type=int, default=2000)
    parser.add_argument("--parts", default="mnist,fashion")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--points", type=int, default=6, help="evaluations per arm (equal fractions of the budget)")
    parser.add_argument("--slice", type=float, default=30.0, help="seconds each arm computes before passing the baton")
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="f",
                        help="StyleGAN2 training settings: config F's, or the official code's cfg=auto (small images)")
    parser.add_argument("--policy", default="color,translation,cutout", help="DiffAugment policy of the Fashion part's augmented arm")
    parser.add_argument("--ada-target", type=float, default=None,
                        help="adapt the augmented arm's probability with ADA's r_t heuristic towards this target (e.g. 0.6)")
    parser.add_argument("--no-write", action="store_true", help="print figures only (a check of the script)")
    parser.add_argument("--render", action="store_true", help="rewrite the docs section from bench/results/stylegan2.json")
    parser.add_argument("--accelerator", default="cpu", help="cpu, or gpu for --gpu-row")
    parser.add_argument("--gpu-row", action="store_true",
                        help="the GPU row: StyleGAN2 config F channels at --size (64) on MNIST for --budget s")
    parser.add_argument("--mnist", type=Path, default=SHARED / "mnist", help="folder with the MNIST IDX files")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    if args.render:  # e.g. after changing the text: no training
        saved = json.loads((RESULTS / "stylegan2.json").read_text())
        write(saved["parts"], argparse.Namespace(**saved["args"]), saved["command"], saved["machine"]["date"])
        return
    work = Path(tempfile.mkdtemp(prefix="ganforge-bench-stylegan2-"))
    if args.gpu_row:
        try:
            return gpu_row(args, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    parts = {}
    try:
        if "mnist" in args.parts:
            mnist = args.mnist
            if not (mnist / "train-images-idx3-ubyte.gz").is_file():
                raise SystemExit("../shared/data/mnist is missing")
            arms = {
                "stylegan2": arm_overrides("stylegan2", str(mnist), args, stylegan2_overrides(args)),
                "dcgan": arm_overrides("dcgan", str(mnist), args, ["data.batch_size=64", "model.g_width=32", "model.d_width=32",
                                                                 # fp32 like the StyleGAN2 arm (DCGAN's config says auto)
                                                                 "trainer.precision=32-true"]),
            }
            parts["mnist"] = run_part("mnist", arms, str(mnist), args.budget, args, work)
        if "fashion" in args.parts:
            gan, ev = fashion_npz(work, args.fashion_train)
            base = arm_overrides("stylegan2", str(gan), args, stylegan2_overrides(args))
            augmented = [*base, f"model.diffaugment=[{args.policy}]"]
            if args.ada_target is not None:  # ADA's heuristic adapts DiffAugment's probability
                augmented.append(f"model.ada_target={args.ada_target}")
            arms = {"no_augment": base, augmented_arm(args): augmented}
            parts["fashion"] = run_part("fashion", arms, str(ev), args.fashion_budget, args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.no_write:
        print(json.dumps(parts, indent=1, default=float))
    else:
        write(parts, args, " ".join(["python bench/stylegan2.py", *sys.argv[1:]]))


def gpu_row(args, work: Path) -> None:
    """StyleGAN2 with config F's channel plan (32768, 512) at ``--size`` px on MNIST, ``--budget`` s of
    training on the GPU: steps/s and classifier-FID. Writes bench/results/stylegan2_gpu.json and its section."""
    import torch

    overrides = arm_overrides("stylegan2", str(args.mnist), args,
                              [*stylegan2_overrides(args), "model.channel_base=32768", "model.channel_max=512"])
    part = run_part(f"mnist{args.size}", {"stylegan2": overrides}, str(args.mnist), args.budget, args, work)
    r = part["arms"]["stylegan2"]
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    curve = ", ".join(f"{c['train_s']:.0f}: {c['fid']:.1f}" for c in r["curve"])
    f, fl = r["final"], part["floor_real_vs_test"]
    cmd = "python bench/stylegan2.py " + " ".join(sys.argv[1:])
    md = "\n".join([
        f"### StyleGAN2 at {args.size} px on a GPU (issue 19's GPU row)",
        "",
        f"`{cmd}` -- {time.strftime('%Y-%m-%d')}, {device}, fp32, torch CPU threads 1 (the data are in memory). "
        f"MNIST (all 60,000 training images) resized to {args.size} px; StyleGAN2 with config F's channel plan "
        f"(channel_base 32768, channel_max 512), batch 32, R1 gamma by ADA's heuristic; {args.budget:.0f} s of training "
        f"(evaluation not timed); classifier-FID of {args.n_samples} EMA samples vs {args.n_samples} test images.",
        "",
        "| arm | G steps | steps/s | params G / D | FID curve (train s: FID) | final FID | KID | IS |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
        f"| stylegan2 {args.size} px | {r['g_steps']} | {r['steps_per_s']:.2f} | {r['params']['G'] / 1e6:.2f}M / "
        f"{r['params']['D'] / 1e6:.2f}M | {curve} | {f.get('fid', float('nan')):.1f} | {f.get('kid', float('nan')):.3f} | "
        f"{f.get('is', float('nan')):.2f} |",
        f"| real training images (floor) | - | - | - | - | {fl['fid']:.1f} | {fl['kid']:.3f} | {fl['is']:.2f} |",
    ])
    print(md)
    if not args.no_write:
        write_results("stylegan2_gpu", {"command": cmd, "device": device, "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                                        "part": part, "markdown": md}, md)


def part_table(res: dict) -> list[str]:
    """The markdown table of one part: a row per arm (steps, speed, sizes, FID curve, final
    FID/KID/IS) and the real-data floor."""
    nan = float("nan")
    lines = ["| arm | G steps | steps/s | params G / D | FID curve (train s: FID) | final FID | KID | IS |",
             "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
    for arm, r in res["arms"].items():
        curve = ", ".join(f"{c['train_s']:.0f}: {c['fid']:.1f}" for c in r["curve"])
        f = r["final"]
        lines.append(f"| {arm} | {r['g_steps']} | {r['steps_per_s']:.2f} | {r['params']['G'] / 1e6:.2f}M / "
                     f"{r['params']['D'] / 1e6:.2f}M | {curve} | {f.get('fid', nan):.1f} | {f.get('kid', nan):.3f} | "
                     f"{f.get('is', nan):.2f} |")
    fl = res["floor_real_vs_test"]
    lines.append(f"| real training images (floor) | - | - | - | - | {fl['fid']:.1f} | {fl['kid']:.3f} | {fl['is']:.2f} |\n")
    return lines


def profile_text(profile: str) -> str:
    """What ``--profile`` sets, for the docs section."""
    if profile == "auto":
        return ("StyleGAN2 training settings of the official code's default `cfg=auto` for small images (2-layer "
                "mapping network, Adam lr 0.0025, EMA ramp-up 0.05 with the 10k-image half-life), the CPU channel "
                "plan (channel_base 1024, channel_max 64), batch 32, R1 gamma by ADA's heuristic (0.0002 * size^2 / "
                "batch), path-length regularisation and style mixing 0.9 as in config F")
    return ("StyleGAN2 training settings of config F (8-layer mapping network, Adam lr 0.002, EMA with the 10k-image "
            "half-life and no ramp-up), the CPU channel plan (channel_base 1024, channel_max 64), batch 32, R1 gamma "
            "by ADA's heuristic (0.0002 * size^2 / batch)")


def verdicts(parts: dict) -> list[str]:
    """The issue's two targets, read off the parts that ran."""
    out = []
    if "mnist" in parts:
        sg = parts["mnist"]["arms"]["stylegan2"]["final"].get("fid", float("nan"))
        out.append(f"Target StyleGAN2 <= 30 classifier-FID on MNIST after {parts['mnist']['budget_s'] / 60:.0f} min: "
                   f"**{'met' if sg <= 30 else 'not met'}** ({sg:.1f}).")
    if "fashion" in parts:
        arms = parts["fashion"]["arms"]
        aug = next(a for a in arms if a != "no_augment")
        da, na = (arms[a]["final"].get("fid", float("nan")) for a in (aug, "no_augment"))
        better = sum(c["fid"] < n["fid"] for c, n in zip(arms[aug]["curve"], arms["no_augment"]["curve"]))
        out.append(f"Target DiffAugment better than none on the 2,000-image run: **{'met' if da < na else 'not met'}** "
                   f"({da:.1f} vs {na:.1f} after {parts['fashion']['budget_s'] / 60:.0f} min; better at {better} of "
                   f"{len(arms[aug]['curve'])} evaluations; augmented arm: {aug}).")
    return out


def write(parts: dict, args, command: str, date: str | None = None, threads: str | None = None,
          name: str = "stylegan2") -> None:
    """bench/results/stylegan2.json and the docs/benchmarks.md section (``command``: how it was run)."""
    import torch

    protocol_full = all(p["budget_s"] >= 1800 for p in parts.values())
    ada = getattr(args, "ada_target", None) is not None
    title = "DiffAugment with ADA's adaptive probability" if ada else "equal wall time, classifier-FID"
    lines = [f"## StyleGAN2 on the CPU (issue 19): {title}\n\n`{command}` -- "
             f"{date or time.strftime('%Y-%m-%d')}, {threads or f'torch threads {torch.get_num_threads()}'}, this 2-core "
             "CPU (no GPU).",
             "" if protocol_full else "**Shorter than the issue's protocol** (30 min per arm); these figures do not test "
             "the issue's targets.",
             f"Arms of a part interleaved in {args.slice:.0f} s slices in one process, so load changes hit both arms alike; "
             f"training time excludes evaluation. Classifier-FID/KID/IS of {args.n_samples} EMA samples vs {args.n_samples} "
             "held-out test images in the feature space of the images domain's reference classifier (3 epochs, as in "
             "`gan-run`'s metrics); not comparable with Inception FIDs in papers. One seed "
             f"({args.seed}): treat differences as indicative. {profile_text(getattr(args, 'profile', 'f'))}; "
             "DCGAN: widths 32, batch 64. Fashion-MNIST: images 0-1,999 of the t10k file train the GANs, 5,000-9,999 "
             "are the held-out reference and 0-4,999 train the reference classifier; DiffAugment = color, translation, "
             "cutout on real and fake images for D" + (
                 f"; in the `_ada` arm its probability p starts at 0 and adapts with ADA's heuristic (r_t = E[sign D(real)], "
                 f"target {args.ada_target})" if ada else "") + ".\n"]
    for part, res in parts.items():
        lines.append(f"### {part} ({res['budget_s']:.0f} s of training per arm)\n")
        lines += part_table(res)
        fl = res["floor_real_vs_test"]
        if part == "mnist":
            lines.append(f"The last row scores the last {args.n_samples:,} MNIST training images against the test images in "
                         f"the same features ({fl['fid']:.1f}): one real-vs-real comparison of a fixed slice, not a lower "
                         "bound (the CGANs' samples score 25-28 in the same evaluation).\n")
        lines.append(" ".join(f"![{part} {arm}](../bench/results/{name}_{part}_{arm}.png)" for arm in res["arms"]) + "\n")
    lines += verdicts(parts)
    payload = {"command": command, "protocol_full": protocol_full, "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
               "parts": parts}
    out = write_results(name, payload, "\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
