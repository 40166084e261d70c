"""Speed options (issue 16, item 5): ``trainer.channels_last``, ``trainer.precision=bf16-mixed``
and ``trainer.compile`` against the same run without them, DCGAN 32x32 on the embedded
digits (batch 64), ganforge's bare run path (as ``bench/overhead.py``: no EMA, samples,
checkpoints or report).

Each arm is a real ``ganforge.train`` run; the clock covers the generator steps after the
warm-up (so ``compile`` is timed after its compilation, which is reported separately as
the warm-up's extra CPU time). Threads are pinned (default 1); arms alternate within each
repeat and each figure is the median over repeats of the paired ratio of CPU seconds per
step, baseline / arm (> 1: the option is faster). These are CPU figures: the options exist
for GPUs (tensor cores, fused kernels), where this machine cannot measure them; the GPU
row says so until a device run fills it in.

    python bench/speed_options.py [--threads 1] [--repeats 3] [--warmup 15] [--steps 40]

On a GPU (``--accelerator gpu``; the row written to the ``speed_options_gpu`` section) the
clock is wall time with the device synchronised at both marks, ``16-mixed`` (fp16 with
Lightning's GradScaler) joins the arms, and ``--extra`` sets the workload, e.g. DCGAN at
the paper's 64 px and batch 128:

    python bench/speed_options.py --accelerator gpu --extra data.size=64 data.batch_size=128

``--model wavegan`` times the WaveGAN small profile of ``bench/overhead.py`` instead (its own
docs section, ``speed_options_wavegan``), ``--arms`` picks arms (the baseline always runs),
e.g. bf16 for the drums recipe of docs/domains/audio.md:

    python bench/speed_options.py --model wavegan --arms bf16-mixed --warmup 5 --steps 15 \
        --extra model.upsample=nearest optim.lr_g=4e-4 optim.lr_d=4e-4 model.d=24 model.n_critic=2 data.batch_size=32
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
from overhead import MODELS, Clock, compose, timed_train  # noqa: E402

ARMS = {
    "baseline": (),
    "channels_last": ("trainer.channels_last=true",),
    "bf16-mixed": ("trainer.precision=bf16-mixed",),
    "compile": ("trainer.compile=true",),
}


GPU_ARMS = {**ARMS, "16-mixed": ("trainer.precision=16-mixed",)}


def timed_run(arm: str, warmup: int, steps: int, out: Path, extra: tuple[str, ...] = (),
              model: str = "dcgan") -> tuple[Clock, float]:
    """One run of ``arm``: the clock of the timed steps and the CPU seconds of the warm-up.
    Every arm starts from NCHW weights (DCGAN's config turns channels_last on since 2026-11-27),
    so each option is measured alone against the same baseline."""
    return timed_train(compose(model, warmup + steps, ("trainer.channels_last=false", *extra, *GPU_ARMS[arm])),
                       warmup, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--accelerator", choices=["cpu", "gpu"], default="cpu")
    parser.add_argument("--extra", nargs="*", default=[], help="overrides for every arm (e.g. data.size=64)")
    parser.add_argument("--model", choices=["dcgan", "wavegan"], default="dcgan",
                        help="the workload: a model of bench/overhead.py")
    parser.add_argument("--arms", nargs="+", choices=[a for a in ARMS if a != "baseline"], default=None,
                        help="the options to time (default: all); the baseline always runs")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.accelerator == "gpu":
        return gpu_main(args)
    arms = ["baseline", *(args.arms or [a for a in ARMS if a != "baseline"])]
    per_step: dict[str, list[float]] = {a: [] for a in arms}
    warm: dict[str, list[float]] = {a: [] for a in arms}
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            for arm in arms:  # interleaved: every repeat runs each arm once, in turn
                clock, warm_cpu = timed_run(arm, args.warmup, args.steps, Path(tmp) / f"{arm}-{r}",
                                            tuple(args.extra), args.model)
                per_step[arm].append(clock.cpu / args.steps)
                warm[arm].append(warm_cpu)
                print(f"repeat {r} {arm}: {1000 * clock.cpu / args.steps:.1f} ms CPU/step, warm-up {warm_cpu:.1f} s",
                      flush=True)
    ratios = {a: statistics.median(b / x for b, x in zip(per_step["baseline"], per_step[a], strict=True))
              for a in arms if a != "baseline"}
    rows = "\n".join(
        f"| {a} | {1000 * statistics.median(per_step[a]):.1f} | "
        + ("1 (reference)" if a == "baseline" else f"{ratios[a]:.2f}x")
        + f" | {statistics.median(warm[a]):.1f} |" for a in arms)
    faster = [a for a, r in ratios.items() if r > 1.0]
    slower = [a for a in ratios if a not in faster]
    verdict = ("On this CPU " + (f"{', '.join(faster)} made steps faster" if faster else "none made steps faster")
               + (f"; {', '.join(slower)} did not." if slower else "."))
    if args.model == "dcgan":
        name, title, workload = "speed_options", "Speed options", "DCGAN 32x32 (width 64), embedded digits, batch 64"
        cmd = (f"python bench/speed_options.py --threads {args.threads} --repeats {args.repeats} "
               f"--warmup {args.warmup} --steps {args.steps}")
    else:
        name, title = f"speed_options_{args.model}", f"Speed options for {args.model}"
        workload = MODELS[args.model]["describe"] + (f", then `{' '.join(args.extra)}`" if args.extra else "")
        cmd = "python bench/speed_options.py " + " ".join(sys.argv[1:])
    md = f"""## {title}, CPU, paired ratios (`python bench/speed_options.py`)

`{cmd}`, {time.strftime('%Y-%m-%d')}, {args.threads} torch thread(s), this 2-core CPU (no GPU). {workload}, ganforge's bare run path; {args.steps} timed generator steps after {args.warmup} warm-up steps per run; the arms alternate within each repeat; speed-up = median over repeats of the paired ratio of CPU seconds per step (baseline / arm; > 1 is faster). Warm-up CPU includes `compile`'s compilation.

| arm | CPU ms per step (median) | speed-up vs baseline | warm-up CPU s |
| --- | ---: | ---: | ---: |
{rows}

{verdict} They are off by default (bf16 changes the numerics of a run, compile adds start-up time and a C++ compiler on the CPU, channels-last only helps convolution nets), except in DCGAN's config, which turns channels-last on and sets `trainer.precision=auto` (bf16-mixed where the device computes bfloat16 natively; the same classifier-FID as fp32 on the main job, see \"DCGAN's main job in bf16\"). Every arm here starts from `trainer.channels_last=false` and fp32. GPU row: not measured (no device was lent to this session). Total benchmark time {(time.time() - started) / 60:.1f} min.
"""
    write_results(name, {"config": vars(args), "cpu_s_per_step": per_step, "warmup_cpu_s": warm,
                                    "speedup": ratios}, md)
    print(md)


def gpu_main(args) -> None:
    """The GPU row: wall seconds per step (device synchronised), paired ratios per repeat."""
    extra = (*args.extra, "trainer.accelerator=gpu", "trainer.devices=1")
    per_step: dict[str, list[float]] = {a: [] for a in GPU_ARMS}
    warm: dict[str, list[float]] = {a: [] for a in GPU_ARMS}
    failed: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            for arm in GPU_ARMS:
                if arm in failed:
                    continue
                try:
                    clock, warm_cpu = timed_run(arm, args.warmup, args.steps, Path(tmp) / f"{arm}-{r}", extra)
                except Exception as exc:  # an arm this GPU/torch cannot run is reported, not fatal
                    failed[arm] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                    print(f"{arm} failed: {failed[arm]}", flush=True)
                    continue
                per_step[arm].append(clock.wall / args.steps)
                warm[arm].append(warm_cpu)
                print(f"repeat {r} {arm}: {1000 * clock.wall / args.steps:.2f} ms/step", flush=True)
    ok = [a for a in GPU_ARMS if per_step[a] and a not in failed]
    ratios = {a: statistics.median(b / x for b, x in zip(per_step["baseline"], per_step[a], strict=True))
              for a in ok if a != "baseline"}
    device = torch.cuda.get_device_name(0)
    rows = "\n".join(f"| {a} | {1000 * statistics.median(per_step[a]):.2f} | "
                     + ("1 (reference)" if a == "baseline" else f"{ratios[a]:.2f}x") + " |" for a in ok)
    rows += "".join(f"\n| {a} | failed: {msg} | - |" for a, msg in failed.items())
    cmd = "python bench/speed_options.py " + " ".join(sys.argv[1:])
    md = f"""## Speed options, GPU, paired ratios

`{cmd}`, {time.strftime('%Y-%m-%d')}, {device}, {args.threads} torch CPU thread(s). DCGAN ({' '.join(args.extra) or 'defaults'}), embedded digits, ganforge's bare run path; {args.steps} timed generator steps after {args.warmup} warm-up steps per run, the device synchronised at both marks; arms alternate within each of {args.repeats} repeats; speed-up = median of the paired ratios of wall seconds per step (baseline / arm; > 1 is faster).

| arm | wall ms per step (median) | speed-up vs baseline |
| --- | ---: | ---: |
{rows}
"""
    write_results("speed_options_gpu", {"config": vars(args), "device": device, "wall_s_per_step": per_step,
                                        "warmup_cpu_s": warm, "speedup": ratios, "failed": failed}, md)
    print(md)


if __name__ == "__main__":
    main()
