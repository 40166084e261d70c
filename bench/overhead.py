"""Framework overhead: the same GAN trained by ganforge (``gan-run``'s code path) and by a plain loop.

Two models, each with its plugin's networks, data module (same loader), optimiser
settings and loss, in one process:

* ``dcgan``: the images plugin's DCGAN on the embedded digits at 32x32, batch 64, BCE
  (non-saturating). The plain loop is the PyTorch DCGAN example's: one ``G(z)`` per
  step, computed with grad, D trained on it detached, G updated through the same batch
  -- which ganforge also does now (``model.reuse_fake=auto``) -- plus D's weights frozen
  during the G backward (the example computes and discards those gradients; ganforge's
  ``toggle_optimizer`` skips them), so both loops do the same arithmetic.
* ``wavegan``: the audio plugin's WaveGAN, small profile (d=16, 8 kHz, 4,096 samples,
  batch 64), WGAN-GP (lambda 10), 5 critic steps per generator step (each on a fresh
  no-grad ``G(z)``), then a generator step on a fresh ``G(z)`` -- the WGAN-GP reference
  loop, and ganforge's.

Three arms: ganforge, the plain loop as a user writes it (``torch.optim.Adam(params)``, i.e.
torch's per-tensor Adam on the CPU, and NCHW weights), and the plain loop given ganforge's
kernel choices -- ``fused=True`` (what ``optim.fused=auto`` picks) and channels-last weights
where the model's config turns ``trainer.channels_last`` on (DCGAN) -- which isolates the
framework's own cost.

ganforge runs with its run-dir work off (no EMA, periodic samples, checkpoints or
report; losses are still recorded and logged every 50 steps) -- the "bare" figure the
target applies to. ``torch.set_num_threads`` is pinned (default 1); the arms alternate
within each repeat, and the figure is the median over repeats of the paired ratio
(ganforge generator steps per CPU-second / plain's). Process CPU time is the clock: on
a shared machine a single-threaded loop's wall time mostly measures waiting for a core
(wall-clock ratios are reported as well).

    python bench/overhead.py [--threads 1] [--repeats 5] [--models dcgan wavegan]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results  # noqa: E402

TARGET = 1.0

MODELS = {
    "dcgan": {
        "steps": 40,
        "overrides": ["domain=images", "model=dcgan", "data.batch_size=64"],
        "describe": "DCGAN 32x32 (width 64), embedded digits, batch 64, BCE, n_critic 1",
    },
    # Not in the default list: the same DCGAN at width 4, where the convolutions cost little and
    # the difference between the loops is mostly the framework's own per-step cost (in ms).
    "dcgan_tiny": {
        "steps": 400,
        "overrides": ["domain=images", "model=dcgan", "data.batch_size=64", "model.g_width=4", "model.d_width=4"],
        "describe": "DCGAN 32x32 at width 4 (the framework's per-step cost made visible), embedded digits, batch 64",
    },
    "wavegan": {
        "steps": 12,
        "overrides": [
            "domain=audio",
            "model=wavegan",
            "data.sample_rate=8000",
            "data.window=4096",
            "model.d=16",
            "data.batch_size=64",
        ],
        "describe": "WaveGAN small profile (d=16, 8 kHz, 4096 samples), embedded drums, batch 64, WGAN-GP, n_critic 5",
    },
}
BARE = [
    "trainer.accelerator=cpu",
    # fp32 like the plain loop (DCGAN's config says precision=auto: bf16-mixed on a CPU with
    # bf16 arithmetic); the speed-options bench measures bf16-mixed as its own arm
    "trainer.precision=32-true",
    "run.progress_bar=false",
    "run.checkpoint_every=0",
    "run.sample_every=0",
    "run.sample_count=0",
    "run.log_every=50",
    "run.eval_every=0",
    "run.report=false",
    "logger.tensorboard=false",
    "ema.decay=0",
]


class Clock:
    """Wall and process-CPU seconds between two marks."""

    def __init__(self):
        self.start = self.stop = None

    @staticmethod
    def now() -> tuple[float, float]:
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            torch.cuda.synchronize()  # GPU work is asynchronous: mark when it has finished
        return time.perf_counter(), time.process_time()

    def mark_start(self):
        self.start = self.now()

    def mark_stop(self):
        self.stop = self.now()

    @property
    def wall(self) -> float:
        return self.stop[0] - self.start[0]

    @property
    def cpu(self) -> float:
        return self.stop[1] - self.start[1]


def compose(model: str, steps: int, extra: tuple[str, ...] = ()):
    from ganforge import compose_config

    return compose_config([*MODELS[model]["overrides"], *BARE, f"trainer.max_steps={steps}", *extra])


def build(cfg):
    """The plugin's data module (set up) and module, as ``gan-run`` builds them."""
    from ganforge import get_registry

    torch.manual_seed(int(cfg.seed))
    plugin = get_registry().get(cfg.domain.name)
    dm = plugin.build_datamodule(cfg)
    dm.prepare_data()
    dm.setup("fit")
    return dm, plugin.make_module(cfg, dm.spec())


def plain_loop(model: str, warmup: int, steps: int, fused: bool = False) -> Clock:
    """The hand-written loop for ``model``; the clock covers ``steps`` G steps after ``warmup``.
    ``fused``: ganforge's kernel choices -- torch's fused Adam kernel (what ``optim.fused=auto``
    picks on the CPU) instead of the per-tensor loop ``torch.optim.Adam(params)`` gives, and
    channels-last weights when the model's config sets ``trainer.channels_last``."""
    from ganforge.penalties import gradient_penalty

    cfg = compose(model, warmup + steps)
    dm, module = build(cfg)
    g, d = copy.deepcopy(module.generator), copy.deepcopy(module.discriminator)
    if fused and cfg.trainer.channels_last:
        g, d = g.to(memory_format=torch.channels_last), d.to(memory_format=torch.channels_last)
    o = cfg.optim
    kernel = {"fused": True} if fused else {}
    opt_g = torch.optim.Adam(g.parameters(), lr=float(o.lr_g), betas=tuple(o.betas), **kernel)
    opt_d = torch.optim.Adam(d.parameters(), lr=float(o.lr_d), betas=tuple(o.betas), **kernel)
    latent, n_critic, gp_weight = int(cfg.model.latent_dim), int(cfg.model.n_critic), float(cfg.model.gp_weight)
    noise = module.sample_noise  # N(0, I) for DCGAN, U(-1, 1) for WaveGAN
    clock, done, critic = Clock(), 0, 0
    assert latent > 0
    while done < warmup + steps:
        for batch in dm.train_dataloader():
            real = batch[0] if isinstance(batch, (list, tuple)) else batch
            n = real.shape[0]
            if model.startswith("dcgan"):
                fake = g(noise(n))
                opt_d.zero_grad(set_to_none=True)
                loss_d = F.softplus(-d(real)).mean() + F.softplus(d(fake.detach())).mean()
                loss_d.backward()
                opt_d.step()
                opt_g.zero_grad(set_to_none=True)
                for p in d.parameters():  # as ganforge's toggle_optimizer: no D gradients in the G step
                    p.requires_grad_(False)
                F.softplus(-d(fake)).mean().backward()
                for p in d.parameters():
                    p.requires_grad_(True)
                opt_g.step()
            else:
                with torch.no_grad():
                    fake = g(noise(n))
                opt_d.zero_grad(set_to_none=True)
                loss_d = d(fake).mean() - d(real).mean() + gp_weight * gradient_penalty(d, real, fake)
                loss_d.backward()
                opt_d.step()
                critic += 1
                if critic < n_critic:
                    continue
                critic = 0
                opt_g.zero_grad(set_to_none=True)
                for p in d.parameters():  # as toggle_optimizer: no D gradients in the G step
                    p.requires_grad_(False)
                (-d(g(noise(n))).mean()).backward()
                for p in d.parameters():
                    p.requires_grad_(True)
                opt_g.step()
            done += 1
            if done == warmup:
                clock.mark_start()
            if done >= warmup + steps:
                break
    clock.mark_stop()
    return clock


def timed_train(cfg, warmup: int, out: Path) -> tuple[Clock, float]:
    """``ganforge.train`` (``gan-run``'s code path) with a callback clocking the generator
    steps after ``warmup`` until the last one; also returns the CPU seconds from the start
    of training to the clock's start (the warm-up: e.g. ``trainer.compile``'s compilation)."""
    from lightning.pytorch.callbacks import Callback

    from ganforge import train

    clock, begun = Clock(), {}

    class Timer(Callback):
        def on_train_start(self, trainer, module):
            begun["cpu"] = time.process_time()

        def on_train_batch_end(self, trainer, module, *args):
            if module.g_step == warmup and clock.start is None:
                clock.mark_start()
            # stop at the last step: the final evaluation is not training
            if module.training_done and clock.stop is None:
                clock.mark_stop()

    train(cfg, out, callbacks=[Timer()])
    return clock, clock.start[1] - begun["cpu"]


def ganforge_run(model: str, warmup: int, steps: int, out: Path, extra: tuple[str, ...] = ()) -> Clock:
    """``model``'s bare ganforge run, clocked over ``steps`` generator steps after ``warmup``."""
    return timed_train(compose(model, warmup + steps, extra), warmup, out)[0]


def reuse_ablation(args) -> None:
    """DCGAN through ganforge with ``model.reuse_fake`` auto (default) vs ``false`` (fresh noise, two G forwards)."""
    steps, runs = MODELS["dcgan"]["steps"], {"reuse": [], "fresh": []}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.repeats):
            for arm in ["reuse", "fresh"] if rep % 2 == 0 else ["fresh", "reuse"]:
                extra = () if arm == "reuse" else ("+model.reuse_fake=false",)  # auto is the default
                clock = ganforge_run("dcgan", args.warmup, steps, Path(tmp) / f"{arm}{rep}", extra)
                runs[arm].append(clock.cpu)
            print(f"repeat {rep}: CPU seconds { ({a: round(v[-1], 2) for a, v in runs.items()}) }", flush=True)
    ratios = [f / r for f, r in zip(runs["fresh"], runs["reuse"], strict=True)]
    med = statistics.median(ratios)
    md = (
        "### ganforge DCGAN: the G update on the D step's fake batch vs a fresh one\n\n"
        f"`python bench/overhead.py --reuse-ablation --repeats {args.repeats}` — {time.strftime('%Y-%m-%d')}, "
        f"{args.threads} torch thread(s), CPU (2-core shared VM); {steps} G steps after {args.warmup}, same config "
        "but `model.reuse_fake`; speed-up of `auto` (reuse) over `false` = median of paired CPU-time ratios: "
        f"**{med:.3f}x** (per repeat: {', '.join(f'{x:.3f}' for x in ratios)})."
    )
    print(md)
    if not args.no_write:
        write_results("overhead_reuse", {"config": vars(args), "cpu_s": runs, "ratios": ratios, "median": med}, md)


def main() -> None:
    """Run the comparison; write bench/results/overhead.json and its docs/benchmarks.md section."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--models", nargs="+", choices=sorted(MODELS), default=["dcgan", "wavegan"])
    ap.add_argument("--steps-scale", type=float, default=1.0, help="time this many times each model's G steps")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--reuse-ablation", action="store_true", help="only: DCGAN in ganforge with and without reuse_fake")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.reuse_ablation:
        reuse_ablation(args)
        return
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models:
            steps = max(1, round(MODELS[model]["steps"] * args.steps_scale))
            runs = {"plain": [], "plain_fused": [], "ganforge": []}
            arms = list(runs)
            for rep in range(args.repeats):
                order = arms[rep % 3:] + arms[:rep % 3]  # each arm takes each place in turn
                for arm in order:
                    if arm.startswith("plain"):
                        clock = plain_loop(model, args.warmup, steps, fused=arm == "plain_fused")
                    else:
                        clock = ganforge_run(model, args.warmup, steps, Path(tmp) / f"{model}{rep}")
                    runs[arm].append({"cpu_s": clock.cpu, "wall_s": clock.wall})
                last = {a: round(v[-1]["cpu_s"], 2) for a, v in runs.items()}
                print(f"[{model}] repeat {rep}: CPU seconds for {steps} G steps {last}", flush=True)
            ratio_cpu = [p["cpu_s"] / g["cpu_s"] for p, g in zip(runs["plain"], runs["ganforge"], strict=True)]
            ratio_wall = [p["wall_s"] / g["wall_s"] for p, g in zip(runs["plain"], runs["ganforge"], strict=True)]
            ratio_fused = [p["cpu_s"] / g["cpu_s"] for p, g in zip(runs["plain_fused"], runs["ganforge"], strict=True)]
            # the framework's cost per G step in CPU ms, against the plain loop with the same (fused) kernel
            extra_ms = [1e3 * (g["cpu_s"] - p["cpu_s"]) / steps
                        for p, g in zip(runs["plain_fused"], runs["ganforge"], strict=True)]
            results[model] = {
                "describe": MODELS[model]["describe"],
                "timed_steps": steps,
                "runs": runs,
                "paired_ratio_cpu": ratio_cpu,
                "paired_ratio_wall": ratio_wall,
                "median_ratio_cpu": statistics.median(ratio_cpu),
                "median_ratio_wall": statistics.median(ratio_wall),
                "paired_ratio_cpu_vs_plain_fused": ratio_fused,
                "median_ratio_cpu_vs_plain_fused": statistics.median(ratio_fused),
                "paired_extra_ms_vs_plain_fused": extra_ms,
                "median_extra_ms_vs_plain_fused": statistics.median(extra_ms),
                "plain_steps_per_cpu_s": statistics.median(steps / r["cpu_s"] for r in runs["plain"]),
                "ganforge_steps_per_cpu_s": statistics.median(steps / r["cpu_s"] for r in runs["ganforge"]),
            }
    # the target is on the two models; dcgan_tiny is a diagnostic of the per-step cost
    met = all(r["median_ratio_cpu"] >= TARGET for m, r in results.items() if m != "dcgan_tiny")
    payload = {"config": vars(args), "bare_overrides": BARE, "models": results, "target": TARGET, "meets_target": met}
    date = time.strftime("%Y-%m-%d")
    lines = [
        "### Framework overhead (cpu): ganforge vs a plain PyTorch loop doing the same work",
        "",
        f"`python bench/overhead.py --threads {args.threads} --repeats {args.repeats}"
        f"{'' if args.models == ['dcgan', 'wavegan'] else ' --models ' + ' '.join(args.models)}"
        f"{'' if args.steps_scale == 1 else f' --steps-scale {args.steps_scale:g}'}` — {date}, "
        f"{args.threads} torch thread(s), CPU (2-core shared VM). Same networks, data loader, optimiser and loss; "
        f"ganforge through `gan-run`'s code path with run-dir work off (no EMA, samples, checkpoints); arms "
        f"alternate within each repeat; ratio = ganforge speed / plain speed in generator steps per process-CPU "
        f"second, median of {args.repeats} paired ratios (wall-clock ratio alongside). The plain loop uses "
        f"`torch.optim.Adam(params)` as a user writes it (torch's per-tensor loop on the CPU); ganforge's "
        f"`optim.fused=auto` picks torch's fused Adam kernel, and DCGAN's config turns `trainer.channels_last` on "
        f"(NHWC conv weights, since 2026-11-27). The last two columns pair ganforge with the plain loop given the "
        f"same kernel choices (fused Adam, and NHWC weights for DCGAN): the framework's own cost, with the kernel "
        f"choices taken out, as a ratio and in CPU milliseconds per generator step (median of the paired differences)."
        f" The G update reuses the D step's fake batch in both arms for DCGAN (as the PyTorch DCGAN example does); for WaveGAN the plain loop draws a fresh one, as the paper's code does, and ganforge's wavegan config reuses the last critic step's (`model.reuse_fake=true`: one generator forward fewer per G update).",
        "",
        "| model | G steps timed | plain steps/CPU-s | ganforge steps/CPU-s | ganforge / plain (CPU) | (wall) "
        "| ganforge / plain with ganforge's kernels (CPU) | ganforge - plain with ganforge's kernels, CPU ms per G step |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results.values():
        lines.append(
            f"| {r['describe']} | {r['timed_steps']} | {r['plain_steps_per_cpu_s']:.3f} | "
            f"{r['ganforge_steps_per_cpu_s']:.3f} | {r['median_ratio_cpu']:.3f} | {r['median_ratio_wall']:.3f} | "
            f"{r['median_ratio_cpu_vs_plain_fused']:.3f} | {r['median_extra_ms_vs_plain_fused']:+.2f} |"
        )
    lines += [""] + [
        f"Paired CPU ratios per repeat, {name}: {', '.join(f'{x:.3f}' for x in r['paired_ratio_cpu'])}."
        for name, r in results.items()
    ]
    lines += ["", f"Target: ganforge >= {TARGET}x the plain loop on every model: **{'met' if met else 'NOT met'}**."]
    md = "\n".join(lines)
    print(md)
    if not args.no_write:
        write_results("overhead", payload, md)


if __name__ == "__main__":
    main()
