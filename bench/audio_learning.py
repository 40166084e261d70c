"""WaveGAN and SpecGAN learn the embedded drums on the CPU (issue 14, item 4).

Each model trains through ``ganforge.train`` (what ``gan-run`` calls) on the embedded
drums (kick / snare / hat) for a wall-clock budget (default 30 min, 1 torch thread), with
the domain's evaluation every ``--eval-every`` generator steps and at step 0:

* ``is/samples`` vs ``is/real``: Inception score from the drum-type classifier ganforge
  trains on the labelled drums (the domain's default metric); target IS >= 70% of real;
* ``spectrum/l1_to_real``: distance between the mean log power spectra of generated and
  real clips; target: falls >= 60% from step 0;
* copies: after training, each of ``--n-samples`` generated clips' nearest training clip in
  log-mel space; target: no generated clip closer to a training clip than the two closest
  distinct training clips are to each other;
* ``level/samples_dbfs``: the run log warns below -50 dBFS (checked in the log).

A CPU profile (``--profile cpu``): 8 kHz, 4,096-sample windows, model width d=16, batch 32,
WGAN-GP with 5 critic steps as in the paper. Writes ``bench/results/audio_learning_<model>.json``,
a curve PNG and the ``audio_learning_<model>`` section of docs/benchmarks.md.

    python bench/audio_learning.py --model wavegan [--budget-min 30] [--eval-every 200]
    python bench/audio_learning.py --model specgan
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, command_line, save_figure, write_results  # noqa: E402

PROFILES = {
    "cpu": ["data.sample_rate=8000", "data.window=4096", "model.d=16", "data.batch_size=32"],
    "paper": [],
}
TARGETS = {"is_ratio": 0.7, "spectrum_drop": 0.6}
FSDD = REPO.parent / "shared" / "data" / "audio" / "recordings"
# data: (description, IS classifier description, overrides)
DATA = {
    "drums": ("the embedded drums", "the drum-type (kick/snare/hat) classifier ganforge trains on the labelled drums",
              []),
    # FSDD: recordings 0-4 of each speaker and digit are its official test split, kept out of training.
    # Regexes are quoted for Hydra's override grammar (brackets would parse as a list).
    "fsdd": ("FSDD spoken digits (../shared/data/audio/recordings, training split: recordings 5-49)",
             "the spoken-digit (0-9) classifier ganforge trains on the labelled training split (the domain's "
             "`labels=regex` classifier, as in `bench/audio.py`)",
             [f"data.path={FSDD}", "data.labels=regex", "data.label_pattern='^(\\d)_'",
              "data.exclude='_[0-4]\\.wav$'"]),
}


def read_curve(run_dir: Path) -> list[dict]:
    """Evaluation rows of ``logs/metrics.csv`` (step, IS, spectrum distance, level, NN)."""
    keys = ("is/samples", "is/real", "spectrum/l1_to_real", "level/samples_dbfs", "nn/train", "nn/self", "nn/real_self")
    rows = []
    with (run_dir / "logs" / "metrics.csv").open() as f:
        for row in csv.DictReader(f):
            if row.get("spectrum/l1_to_real"):
                rows.append({"g_step": int(float(row["step"])), **{k: float(row[k]) for k in keys if row.get(k)}})
    return rows


@torch.no_grad()
def copy_check(run_dir: Path, n: int) -> dict:
    """Nearest training clip of each of ``n`` generated clips (log-mel space) against the closest
    pair of distinct training clips."""
    from ganforge import load_module
    from ganforge_audio.classifier import LogMel

    plugin, module = load_module(run_dir)
    dm = plugin.build_datamodule(module.run_config)
    dm.prepare_data()
    dm.setup("fit")
    real = dm.training_waves()
    samples = module.sample(n)
    feat = LogMel(samples.sample_rate, samples.audio.shape[-1])
    f_gen, f_real = feat(samples.audio.float()).flatten(1), feat(real.float()).flatten(1)
    d_gen = torch.cdist(f_gen, f_real).min(dim=1).values
    d_real = torch.cdist(f_real, f_real)
    d_real.fill_diagonal_(float("inf"))
    closest_real_pair = float(d_real.min())
    return {"n_generated": n, "n_training": real.shape[0], "min_gen_to_train": float(d_gen.min()),
            "median_gen_to_train": float(d_gen.median()), "closest_distinct_training_pair": closest_real_pair,
            "copies": int((d_gen < closest_real_pair).sum())}


@torch.no_grad()
def step0_metrics(cfg) -> dict:
    """The domain's evaluation of the untrained generator, built as ``ganforge.train`` builds it
    (same seed, same order: data module, then module), so it is the run's step 0."""
    import lightning.pytorch as pl

    from ganforge import get_registry

    pl.seed_everything(int(cfg.seed), workers=True, verbose=False)
    plugin = get_registry().get(cfg.domain.name)
    dm = plugin.build_datamodule(cfg)
    dm.prepare_data()
    dm.setup("fit")
    module = plugin.make_module(cfg, dm.spec())
    module.eval()
    return {"g_step": 0, **plugin.evaluate(module, dm)}


def curve_png(model: str, curve: list[dict], path: Path) -> Path:
    """IS (relative to real) and the log-spectrum distance against generator steps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(8, 3))
    steps = [c["g_step"] for c in curve]
    ax[0].plot(steps, [c["is/samples"] / c["is/real"] for c in curve], "-o", ms=3)
    ax[0].axhline(TARGETS["is_ratio"], ls="--", c="gray")
    ax[0].set_title(f"{model}: IS / real IS")
    ax[1].plot(steps, [c["spectrum/l1_to_real"] for c in curve], "-o", ms=3)
    ax[1].axhline((1 - TARGETS["spectrum_drop"]) * curve[0]["spectrum/l1_to_real"], ls="--", c="gray")
    ax[1].set_title("log-spectrum distance to real")
    for a in ax:
        a.set_xlabel("generator step")
    return save_figure(fig, path)


def build_parser() -> argparse.ArgumentParser:
    """The command line (also read back by ``bench/wavegan_tally.py`` from the recorded commands)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=["wavegan", "specgan"], default="wavegan")
    ap.add_argument("--profile", choices=sorted(PROFILES), default="cpu")
    ap.add_argument("--data", choices=sorted(DATA), default="drums")
    ap.add_argument("--budget-min", type=float, default=30.0)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--n-samples", type=int, default=256)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--tag", default="", help="suffix of the results name and docs section (a variant of a profile)")
    ap.add_argument("overrides", nargs="*", help="further gan-run overrides")
    return ap


def main() -> None:
    """Train, evaluate along the way, check for copies and write the section."""
    args = build_parser().parse_args()
    if args.data == "fsdd" and not FSDD.is_dir():
        print(f"skip: {FSDD} not found")
        return
    from ganforge import compose_config, train

    torch.set_num_threads(args.threads)
    name = f"audio_learning_{args.model}{args.tag}"
    out = args.out or REPO / "outputs" / "bench" / name
    minutes = int(args.budget_min)
    seconds = int(round((args.budget_min - minutes) * 60))
    overrides = ["domain=audio", f"model={args.model}", f"seed={args.seed}", f"trainer.num_threads={args.threads}",
                 "trainer.accelerator=cpu", "trainer.max_steps=100000000",
                 f"trainer.max_time=00:00:{minutes:02d}:{seconds:02d}", f"run.eval_every={args.eval_every}",
                 "run.progress_bar=false", f"metrics.n_samples={args.n_samples}", "run.sample_every=0",
                 *PROFILES[args.profile], *DATA[args.data][2], *args.overrides]
    cfg = compose_config(overrides)
    warnings: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            warnings.append(record.getMessage())

    catch = Catch(level=logging.WARNING)
    logging.getLogger("ganforge_audio").addHandler(catch)  # the near-silence warning's logger
    step0 = step0_metrics(cfg)
    started = time.perf_counter()
    final = train(cfg, out)
    wall = time.perf_counter() - started
    logging.getLogger("ganforge_audio").removeHandler(catch)
    curve = [step0, *read_curve(out)]
    copies = copy_check(out, args.n_samples)
    quiet = sum("near-silent" in w for w in warnings)
    first, last = curve[0], curve[-1]
    is_ratio = last["is/samples"] / last["is/real"]
    drop = 1 - last["spectrum/l1_to_real"] / first["spectrum/l1_to_real"]
    met = {"is_ratio": is_ratio >= TARGETS["is_ratio"], "spectrum_drop": drop >= TARGETS["spectrum_drop"],
           "no_copies": copies["copies"] == 0}
    png = curve_png(args.model, curve, RESULTS / f"{name}.png")
    # the text names the machine that trained: a lent GPU runs the same protocol (bench/gpu_*.sh)
    on_gpu = str(cfg.trainer.accelerator) in ("gpu", "cuda") and torch.cuda.is_available()
    where, machine = ("a GPU", f"the lent {torch.cuda.get_device_name(0)}") if on_gpu \
        else ("the CPU", "this 2-core VM")
    cmd = command_line("audio_learning.py", sys.argv[1:])
    extra = f", then `{' '.join(args.overrides)}` from the command line" if args.overrides else ""
    rows = [f"| {c['g_step']} | {c['is/samples']:.2f} | {c['is/real']:.2f} | {c['spectrum/l1_to_real']:.2f} | "
            f"{c.get('level/samples_dbfs', float('nan')):.1f} | {c.get('nn/train', float('nan')):.2f} |" for c in curve]
    md = "\n".join([
        f"## {args.model}{args.tag} learns {DATA[args.data][0].split(' (')[0]} on {where} (issue 14, `bench/audio_learning.py`)",
        "",
        f"`{cmd}` -- {time.strftime('%Y-%m-%d')}, {args.threads} torch thread, {machine}. Profile "
        f"`{args.profile}` ({' '.join(PROFILES[args.profile]) or 'the model YAML'}){extra}, "
        f"WGAN-GP with {cfg.model.n_critic} critic steps; "
        f"{args.budget_min:g} min of wall time for the whole run (`trainer.max_time`, evaluations included), "
        f"{last['g_step']} generator steps; evaluation of {args.n_samples} generated vs as many real clips every "
        f"{args.eval_every} steps, and at step 0 by the same evaluation of the same initial weights (seeded as the "
        f"run). Data: {DATA[args.data][0]}. IS: {DATA[args.data][1]}.",
        "",
        "| G step | IS samples | IS real | log-spectrum distance | samples dBFS | NN distance to train |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"- IS {last['is/samples']:.2f} = **{is_ratio:.0%}** of real (target >= 70%): "
        f"**{'met' if met['is_ratio'] else 'not met'}**.",
        f"- log-spectrum distance {first['spectrum/l1_to_real']:.2f} -> {last['spectrum/l1_to_real']:.2f}: "
        f"**{drop:.0%}** lower (target >= 60%): **{'met' if met['spectrum_drop'] else 'not met'}**.",
        f"- copies: closest generated-to-training distance {copies['min_gen_to_train']:.2f} (median "
        f"{copies['median_gen_to_train']:.2f}) vs the closest pair of distinct training clips "
        f"{copies['closest_distinct_training_pair']:.2f}; {copies['copies']} of {copies['n_generated']} generated "
        f"clips closer than that: **{'met' if met['no_copies'] else 'not met'}**.",
        f"- near-silence warnings in the run log: {quiet} (final level "
        f"{last.get('level/samples_dbfs', float('nan')):.1f} dBFS).",
        f"- wall time {wall / 60:.1f} min.",
        "",
        f"![{args.model} curves](../bench/results/{png.name})",
    ])
    write_results(name, {"command": cmd, "overrides": overrides, "curve": curve,
                                                    "copies": copies, "final": final, "met": met,
                                                    "quiet_warning": quiet, "wall_s": wall}, md)
    print(md)


if __name__ == "__main__":
    main()
