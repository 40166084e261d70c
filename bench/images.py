"""Benchmark: DCGAN and WGAN-GP on MNIST -- classifier-FID/KID/IS after a fixed budget of
generator steps, wall time and steps/s on this machine, sample grids, and the real-data floor.

    .venv/bin/python bench/images.py                 # full run (about 20-25 minutes on 2 busy CPU cores)
    .venv/bin/python bench/images.py --steps 20      # a quick check of the script

Data: ``../shared/data/mnist`` (full MNIST IDX) when present, else the embedded digits.
Both models train at 32x32 (MNIST's 28x28 digits resized: the DCGAN networks need a power
of two) on the same images; metrics use the same reference classifier, trained once on
those training images and cached, and the same 1,000 held-out test images. The floor is
the FID of 1,000 real *training* images against that test reference.
Writes bench/results/images.json, bench/results/images_<model>.png and the ``images``
section of docs/benchmarks.md.
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
from _common import REPO, RESULTS, write_results  # noqa: E402

MODELS = ("dcgan", "wgan-gp")


def overrides_for(model: str, args: argparse.Namespace, data_path: str | None) -> list[str]:
    """Config overrides shared by both models (the same data, size, widths, batch and EMA)."""
    out = [
        "domain=images", f"model={model}", f"seed={args.seed}",
        f"data.path={data_path if data_path else 'null'}", f"data.size={args.size}", f"data.limit={args.limit}",
        f"data.batch_size={args.batch_size}", f"trainer.max_steps={args.steps}", "trainer.accelerator=cpu",
        "trainer.devices=1", f"model.g_width={args.width}", f"model.d_width={args.width}",
        # a budget of a few hundred steps is too short for a weight average to help: raw generator
        "ema.decay=0",
        f"run.log_every={max(1, args.steps // 10)}", "run.sample_every=0", "run.eval_every=0",
        f"run.checkpoint_every={args.steps}", "run.progress_bar=false", "run.monitor=null",
        # metrics are computed after training (below), so the timing covers training only
        "++metrics.feature_net=none",
    ]
    return out


def metric_overrides(args: argparse.Namespace) -> dict:
    """The evaluation settings (identical for both models and the floor)."""
    return {
        "feature_net": "classifier", "n_samples": args.n_samples, "n_real": args.n_samples, "batch_size": 250,
        "kid": True, "classifier_epochs": 1, "classifier_min_steps": 300, "classifier_width": 32,
        "inception_weights": None, "classifier_path": None, "cache_dir": None, "ppl_samples": 0,
    }


def main() -> None:
    """Run the benchmark and write its results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500, help="generator steps per model")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--width", type=int, default=32, help="g_width and d_width")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--limit", type=int, default=20000, help="training images used")
    parser.add_argument("--n-samples", type=int, default=1000, help="generated and real images per FID")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch
    from lightning.pytorch import seed_everything
    from lightning.pytorch.callbacks import Callback
    from omegaconf import OmegaConf

    from ganforge import compose_config, make_trainer
    from ganforge.utils import seeded
    from ganforge_images.domain import ImagesDomain
    from ganforge_images.evaluation import ImageEvaluator, metrics_config
    from ganforge_images.export import save_grid

    mnist = REPO.parent / "shared" / "data" / "mnist"
    data_path = str(mnist) if (mnist / "train-images-idx3-ubyte.gz").is_file() else None
    data_name = "MNIST (../shared/data/mnist)" if data_path else "embedded digits (MNIST subset)"
    work = Path(tempfile.mkdtemp(prefix="ganforge-bench-images-"))
    class LoopTimer(Callback):
        """Wall time of the training loop alone (first batch to the last generator step)."""

        def on_train_batch_start(self, trainer, module, batch, batch_idx):
            if not hasattr(self, "start"):
                self.start, self.first_step = time.perf_counter(), module.g_step

        def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
            self.end, self.last_step = time.perf_counter(), module.g_step

    plugin = ImagesDomain()
    results, evaluator, datamodule = {}, None, None
    try:
        for model in MODELS:
            cfg = compose_config(overrides_for(model, args, data_path))
            run_dir = work / model
            seed_everything(args.seed, workers=True, verbose=False)
            if datamodule is None:  # both models train on the same data module (read once)
                datamodule = plugin.build_datamodule(cfg)
                datamodule.setup("fit")
            module = plugin.make_module(cfg, datamodule.spec())
            timer = LoopTimer()
            trainer = make_trainer(cfg, run_dir, [timer], seed=args.seed)
            start = time.perf_counter()
            trainer.fit(module, datamodule=datamodule)
            wall = time.perf_counter() - start
            loop_steps_per_s = (timer.last_step - timer.first_step) / max(timer.end - timer.start, 1e-9)
            eval_cfg = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))  # not struct: metrics replaced
            eval_cfg.metrics = metric_overrides(args)
            if evaluator is None:
                evaluator = ImageEvaluator(datamodule, metrics_config(eval_cfg))
            module.eval()
            t_eval = time.perf_counter()
            with seeded(args.seed + 1):
                metrics = evaluator.evaluate(module)
                grid = module.sample(64).cpu()
            grid_path = save_grid(grid, RESULTS / f"images_{model}.png", nrow=8)
            results[model] = {
                "generator_steps": args.steps,
                "train_wall_s": round(wall, 1),
                "steps_per_s": round(loop_steps_per_s, 3),
                "eval_wall_s": round(time.perf_counter() - t_eval, 1),
                "metrics": metrics,
                "final_train_losses": dict(module.last_logs),
                "grid": str(grid_path.relative_to(REPO)),
                "config": {k: OmegaConf.to_container(cfg[k], resolve=True) for k in ("model", "optim", "ema")},
            }
            print(model, json.dumps(results[model]["metrics"]), f"{wall:.0f}s", flush=True)
        domain = evaluator.image_domain()
        n = args.n_samples
        with seeded(args.seed + 1):  # KID draws random subsets
            floor = evaluator.generation("images", domain, n)(domain.train[-n:])
        info = evaluator.classifier_info["images"]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    fid_key = f"fid/classifier/n{n}/{domain.split}"
    is_key = f"is/classifier/n{n}"
    kid_key = f"kid/classifier/n{n}/{domain.split}"
    payload = {
        "data": data_name,
        "image_size": args.size,
        "training_images": int(len(domain.train)),
        "batch_size": args.batch_size,
        "width": args.width,
        "reference_classifier": {
            "path": info["path"], "task": info["config"]["task"], "val_accuracy": info["val_accuracy"],
            "n_train": info["n_train"],
        },
        "floor_real_train_vs_test": floor,
        "models": results,
        "torch_threads": torch.get_num_threads(),
    }
    rows = "\n".join(
        f"| {m} | {r['generator_steps']} | {r['train_wall_s']:.0f} | {r['steps_per_s']:.2f} | "
        f"{r['metrics'][fid_key]:.1f} | {r['metrics'][kid_key]:.2f} | {r['metrics'][is_key]:.2f} |"
        for m, r in results.items()
    )
    markdown = f"""## Images: DCGAN and WGAN-GP on {data_name}

`.venv/bin/python bench/images.py` -- {args.steps} generator steps per model (WGAN-GP: 5 critic
steps each), batch {args.batch_size}, {payload['training_images']} training images at {args.size}x{args.size},
g/d width {args.width}, no EMA (too short a run for a weight average), CPU (`torch` threads: {payload['torch_threads']}; the
machine's 2 cores were shared with other jobs, so wall times are upper bounds).
Metrics: {n} samples against {n} held-out test images in the feature space of the reference
classifier trained by ganforge on the training images (held-out accuracy {info['val_accuracy']:.3f}).

| model | G steps | fit wall (s) | steps/s (loop) | classifier-FID | KID | IS (max 10) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
{rows}
| real train images (floor) | - | - | - | {floor[fid_key]:.1f} | {floor[kid_key]:.2f} | {floor[is_key]:.2f} |

Classifier-FID is not comparable with Inception FIDs in papers (different feature space);
compare models only within this table. Sample grids (64 samples):

![DCGAN samples](../bench/results/images_dcgan.png) ![WGAN-GP samples](../bench/results/images_wgan-gp.png)
"""
    out = write_results("images", payload, markdown)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
