"""Benchmark (issue 14, item 5): what the EMA generator's normalisation statistics do to
DCGAN's classifier-FID.

One run of the README's main job (``gan-run domain=images model=dcgan``: the embedded
digits, 5,000 generator steps, EMA decay 0.999), then three generators from that same run,
evaluated with the same metric settings, reference classifier, held-out images and seed:

* ``raw``: the trained generator itself (no averaging);
* ``ema, averaged BN`` (ganforge now): the averaged weights with BatchNorm running
  statistics averaged the same way (``ganforge.EMA``);
* ``ema, copied BN`` (before the fix): the averaged weights with the live generator's
  running statistics copied over, which belong to different weights.

    python bench/ema_bn.py [--threads 2] [--seed 0]
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results  # noqa: E402


def copied_bn(ema_shadow: nn.Module, live: nn.Module) -> nn.Module:
    """The averaged weights with the live generator's buffers (the pre-fix behaviour)."""
    old = copy.deepcopy(ema_shadow)
    for (_, buf), (_, src) in zip(old.named_buffers(), live.named_buffers(), strict=True):
        buf.copy_(src)
    return old


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from ganforge import compose_config, load_module, train
    from ganforge.utils import seeded

    overrides = ["domain=images", "model=dcgan", f"seed={args.seed}", "run.progress_bar=false",
                 f"trainer.num_threads={args.threads}", "run.sample_every=0", "run.report=false"]
    cfg = compose_config(overrides)
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "dcgan"
        final = train(cfg, run_dir)
        train_s = time.time() - started
        plugin, module = load_module(run_dir)
        datamodule = plugin.build_datamodule(cfg)
        datamodule.setup("fit")
        arms = {"raw": module.generator, "ema, averaged BN (now)": module.ema.shadow,
                "ema, copied BN (before the fix)": copied_bn(module.ema.shadow, module.generator)}
        results = {}
        for name, net in arms.items():
            module.sampling_generator = lambda net=net: net  # the generator module.sample draws from
            with seeded(args.seed + 1):
                metrics = plugin.evaluate(module, datamodule)
            results[name] = {k.split("/")[0]: float(v) for k, v in metrics.items() if k.split("/")[0] in ("fid", "kid", "is")}
            print(name, results[name], flush=True)
    fid_key = next(k for k in final if k.startswith("fid/"))
    rows = "\n".join(f"| {name} | {r['fid']:.2f} | {r.get('kid', float('nan')):.3f} | {r.get('is', float('nan')):.2f} |"
                     for name, r in results.items())
    md = f"""## EMA and BatchNorm: DCGAN classifier-FID of three generators from one run (`bench/ema_bn.py`)

`python bench/ema_bn.py --threads {args.threads} --seed {args.seed}`, {time.strftime('%Y-%m-%d')}, {args.threads} torch threads, this 2-core CPU. One run of the main job (`gan-run domain=images model=dcgan`: embedded digits, {int(final['g_step'])} generator steps, EMA decay {cfg.ema.decay}; {train_s:.0f} s including its final evaluation), then three generators of that run evaluated with the same settings, reference classifier, held-out images and seed (the run's own final metric, `{fid_key}` = {final[fid_key]:.2f}, is the averaged-BN row's).

| generator | classifier-FID | KID | IS |
| --- | ---: | ---: | ---: |
{rows}

"Copied BN" is what ganforge's EMA did before issue 14: averaged weights with the live generator's BatchNorm statistics, which belong to other weights.
"""
    write_results("ema_bn", {"config": vars(args), "final_run_metrics": final, "arms": results, "train_s": train_s}, md)
    print(md)


if __name__ == "__main__":
    main()
