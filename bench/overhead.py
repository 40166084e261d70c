"""Framework overhead: the same DCGAN trained by ganforge and by a plain PyTorch loop.

Both use the same networks (ganforge_images' DCGAN), the same embedded digits at 32x32,
the same batch size, Adam settings and non-saturating loss, in one process. Reported:
generator steps per second of each (timed after a warm-up, median of interleaved
repeats) and their ratio. ganforge runs with its default run-dir work switched off
(no EMA, no periodic samples, no metrics) -- the "bare" figure the target applies to --
and once with its defaults (EMA, logging) for reference.

    python bench/overhead.py [--steps 60] [--repeats 3] [--device cpu|cuda] [--batch 64]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results  # noqa: E402

TARGET = 0.95


def load_data(size: int) -> torch.Tensor:
    """The embedded digits as the images plugin prepares them."""
    from ganforge_images.data.embedded import load_digits
    from ganforge_images.data.folder import prepare_array

    images, _ = load_digits("train")
    return prepare_array(images, size, 1)


def plain_loop(data: torch.Tensor, steps: int, warmup: int, batch: int, device: str, width: int) -> float:
    """A minimal hand-written DCGAN loop; returns generator steps/s after warm-up."""
    from ganforge_images.nets.dcgan import DCGANDiscriminator, DCGANGenerator

    torch.manual_seed(0)
    g = DCGANGenerator(100, 1, data.shape[-1], width).to(device)
    d = DCGANDiscriminator(1, data.shape[-1], width).to(device)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = DataLoader(TensorDataset(data), batch_size=batch, shuffle=True, drop_last=True)
    done, t0 = 0, None
    while done < steps + warmup:
        for (real,) in loader:
            real = real.to(device, non_blocking=True)
            z = torch.randn(real.shape[0], 100, device=device)
            fake = g(z)
            opt_d.zero_grad(set_to_none=True)
            loss_d = F.softplus(-d(real)).mean() + F.softplus(d(fake.detach())).mean()
            loss_d.backward()
            opt_d.step()
            opt_g.zero_grad(set_to_none=True)
            loss_g = F.softplus(-d(fake)).mean()
            loss_g.backward()
            opt_g.step()
            done += 1
            if done == warmup:
                if device == "cuda":
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
            if done >= steps + warmup:
                break
    if device == "cuda":
        torch.cuda.synchronize()
    return steps / (time.perf_counter() - t0)


class _StepTimer:
    """Lightning callback timing generator steps after a warm-up."""

    def __init__(self, warmup: int, device: str):
        from lightning.pytorch.callbacks import Callback

        timer = self

        class Cb(Callback):
            def on_train_batch_end(self, trainer, module, *args):
                if module.g_step == timer.warmup and timer.t0 is None:
                    timer.sync()
                    timer.t0, timer.g0 = time.perf_counter(), module.g_step
                # stop the clock at the last step: the final evaluation is not training
                if module.training_done and timer.t1 is None:
                    timer.sync()
                    timer.t1, timer.g1 = time.perf_counter(), module.g_step

        self.warmup, self.device, self.callback = warmup, device, Cb()
        self.t0 = self.t1 = None
        self.g0 = self.g1 = 0

    def sync(self):
        if self.device == "cuda":
            torch.cuda.synchronize()

    @property
    def rate(self) -> float:
        return (self.g1 - self.g0) / (self.t1 - self.t0)


def ganforge_run(steps: int, warmup: int, batch: int, device: str, width: int, bare: bool, out: Path) -> float:
    """gan-run's code path (compose + train) with a timing callback; generator steps/s."""
    import ganforge.training as training
    from ganforge.config import compose_config

    overrides = [
        "domain=images", "model=dcgan", f"trainer.accelerator={device}", f"trainer.max_steps={steps + warmup}",
        f"data.batch_size={batch}", f"model.g_width={width}", f"model.d_width={width}", "run.progress_bar=false",
        "run.checkpoint_every=0", "run.sample_every=0", "run.sample_count=0", "run.log_every=50", "logger.tensorboard=false",
    ]
    if bare:
        overrides += ["ema.decay=0"]
    cfg = compose_config(overrides)
    timer = _StepTimer(warmup, device)
    original = training.build_trainer

    def with_timer(cfg, run_dir, callbacks):
        return original(cfg, run_dir, [*callbacks, timer.callback])

    training.build_trainer = with_timer
    try:
        # the final evaluation (FID etc.) is outside the timed window
        training.train(cfg, out)
    finally:
        training.build_trainer = original
    return timer.rate


def main() -> None:
    """Run the comparison and write bench/results/overhead.json + docs/benchmarks.md."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--name", default=None, help="result name (default overhead or overhead_cuda)")
    args = ap.parse_args()
    data = load_data(args.size)
    rates = {"plain": [], "ganforge_bare": [], "ganforge_default": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            rates["plain"].append(plain_loop(data, args.steps, args.warmup, args.batch, args.device, args.width))
            rates["ganforge_bare"].append(ganforge_run(args.steps, args.warmup, args.batch, args.device, args.width, True, Path(tmp) / f"bare{r}"))
            rates["ganforge_default"].append(ganforge_run(args.steps, args.warmup, args.batch, args.device, args.width, False, Path(tmp) / f"def{r}"))
            print({k: round(v[-1], 3) for k, v in rates.items()}, flush=True)
    med = {k: statistics.median(v) for k, v in rates.items()}
    ratio = med["ganforge_bare"] / med["plain"]
    ratio_default = med["ganforge_default"] / med["plain"]
    name = args.name or ("overhead" if args.device == "cpu" else f"overhead_{args.device}")
    payload = {
        "config": vars(args), "steps_per_s_median": med, "steps_per_s_all": rates,
        "ratio_bare": ratio, "ratio_default": ratio_default, "target": TARGET, "meets_target": ratio >= TARGET,
    }
    md = (
        f"### Framework overhead ({args.device}): DCGAN {args.size}x{args.size}, batch {args.batch}, width {args.width}\n\n"
        f"`python bench/overhead.py --device {args.device}` — {args.steps} timed generator steps after {args.warmup} warm-up, "
        f"median of {args.repeats} interleaved repeats.\n\n"
        "| loop | generator steps/s | ratio to plain |\n| --- | ---: | ---: |\n"
        f"| plain PyTorch | {med['plain']:.2f} | 1.00 |\n"
        f"| ganforge (EMA off, no periodic files) | {med['ganforge_bare']:.2f} | {ratio:.3f} |\n"
        f"| ganforge defaults (EMA 0.999, logging) | {med['ganforge_default']:.2f} | {ratio_default:.3f} |\n\n"
        f"Target: ganforge >= {TARGET}x the plain loop: **{'met' if ratio >= TARGET else 'NOT met'}**."
    )
    print(md)
    write_results(name, payload, md)


if __name__ == "__main__":
    main()
