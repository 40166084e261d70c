"""StyleGAN2 demodulation: one ``[N, in] @ [in, out]`` matmul vs the official code's
``[N, out, in, kh, kw]`` product (issue 19), timed as whole training steps.

Both arms are the same real ``ganforge.train`` run (StyleGAN2 with config F's channel plan
at ``--size`` px on the embedded digits, batch 32, lazy R1 and path-length terms
included); only ``ganforge_images.nets.stylegan2_layers.DEMOD_BY_MATMUL`` differs. The arms
alternate within each repeat in one process; the figure is the median of the paired
ratios of seconds per generator step (official / matmul; > 1: the matmul is faster),
wall time with the device synchronised on a GPU, process CPU time on a CPU.

    python bench/stylegan2_demod.py --accelerator gpu [--size 64] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results  # noqa: E402
from overhead import BARE, timed_train  # noqa: E402


def config(size: int, steps: int, accelerator: str, extra: list[str] = ()):
    """The timed run's config: StyleGAN2, config F channels, bare run path."""
    from ganforge import compose_config

    return compose_config([
        "domain=images", "model=stylegan2", f"data.size={size}", "data.batch_size=32",
        "model.channel_base=32768", "model.channel_max=512", f"model.r1_gamma={0.0002 * size**2 / 32:.4g}",
        f"trainer.max_steps={steps}", *BARE, f"trainer.accelerator={accelerator}", "trainer.devices=1",
        "metrics.feature_net=none", *extra,
    ])


def main() -> None:
    """Time both demodulation arms, interleaved, and write the ``stylegan2_demod`` section."""
    from ganforge_images.nets import stylegan2_layers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accelerator", choices=["cpu", "gpu"], default="cpu")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--extra", nargs="*", default=[], help="further overrides (e.g. a smaller channel plan)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    arms = {"matmul": True, "official": False}
    per_step: dict[str, list[float]] = {a: [] for a in arms}
    gpu = args.accelerator == "gpu"
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            for arm, flag in arms.items():
                stylegan2_layers.DEMOD_BY_MATMUL = flag
                clock, _ = timed_train(config(args.size, args.warmup + args.steps, args.accelerator, args.extra), args.warmup,
                                       Path(tmp) / f"{arm}-{r}")
                per_step[arm].append((clock.wall if gpu else clock.cpu) / args.steps)
                print(f"repeat {r} {arm}: {1000 * per_step[arm][-1]:.1f} ms/step", flush=True)
    stylegan2_layers.DEMOD_BY_MATMUL = True
    ratio = statistics.median(o / m for o, m in zip(per_step["official"], per_step["matmul"], strict=True))
    device = torch.cuda.get_device_name(0) if gpu else "this 2-core CPU"
    unit = "wall ms (device synchronised)" if gpu else "CPU ms"
    cmd = "python bench/stylegan2_demod.py " + " ".join(sys.argv[1:])
    md = f"""### StyleGAN2 demodulation by one matmul vs the official product (issue 19)

`{cmd}`, {time.strftime('%Y-%m-%d')}, {device}, {args.threads} torch CPU thread(s). StyleGAN2 at {args.size} px with config F's channel plan (channel_base 32768, channel_max 512), batch 32, embedded digits, ganforge's bare run path (lazy R1 and path-length terms included); {args.steps} timed generator steps after {args.warmup} warm-up steps per run; the two arms alternate within each of {args.repeats} repeats; speed-up = median of the paired ratios (official / matmul).

| demodulation | {unit} per G step (median) | speed-up |
| --- | ---: | ---: |
| `[N, in] @ [in, out]` matmul (default) | {1000 * statistics.median(per_step['matmul']):.1f} | {ratio:.2f}x |
| official `[N, out, in, kh, kw]` product | {1000 * statistics.median(per_step['official']):.1f} | 1 (reference) |
"""
    write_results("stylegan2_demod" + ("_gpu" if gpu else ""), {"config": vars(args), "device": device,
                                                               "s_per_step": per_step, "speedup": ratio}, md)
    print(md)


if __name__ == "__main__":
    main()
