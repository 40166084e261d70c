"""Benchmark: MLE vs SeqGAN on a real melody corpus (Nottingham), melody88 tokens, on the CPU.

Both models are trained through the real core (``ganforge.train``, the function
``gan-run`` calls) with the ``midi`` domain, then compared on the held-out files:
BLEU-4 against the test windows (SeqGAN's metric; the paper reports MLE 0.9210 and
SeqGAN 0.9406 on Nottingham), pitch-class histogram distance, NLL_test and wall time.

The SeqGAN schedule is the paper's shape (MLE pretraining -> discriminator pretraining ->
adversarial iterations) with a smaller discriminator and fewer rounds/iterations so the
whole benchmark fits in ~20 minutes on a shared 2-core CPU; the MLE epochs are the same
for both models so the adversarial phase is the only difference.

    python bench/midi.py                       # ../shared/data/midi/nottingham
    python bench/midi.py --data DIR --quick    # a 1-2 minute check of the script
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, write_results  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "midi" / "nottingham"
PAPER_BLEU4 = {"mle": 0.9210, "seqgan": 0.9406}
SMALL_D_FILTERS = [25, 50, 50, 50, 50, 25, 25, 25, 25, 25, 40, 40]  # the paper's counts / 4


def common_overrides(data: Path, args: argparse.Namespace) -> list[str]:
    """Overrides shared by both runs: data, evaluation size, quiet run dir."""
    return [
        f"data.path={data}",
        "data.tokenizer=melody88",
        f"data.test_fraction={args.test_fraction}",
        f"seed={args.seed}",
        "trainer.accelerator=cpu",
        "trainer.devices=1",
        "run.progress_bar=false",
        "run.sample_every=0",
        "run.checkpoint_every=0",
        "run.sample_count=16",
        f"model.mle.epochs={args.mle_epochs}",
        f"model.eval.samples={args.eval_samples}",
        f"model.eval.mle_every={max(args.mle_epochs // 4, 1)}",
    ]


def seqgan_overrides(args: argparse.Namespace) -> list[str]:
    """The reduced SeqGAN schedule (see the module docstring)."""
    return [
        "model.discriminator.emb_dim=32",
        f"model.discriminator.num_filters=[{','.join(map(str, SMALL_D_FILTERS))}]",
        f"model.d_pretrain.rounds={args.d_rounds}",
        "model.d_pretrain.epochs=1",
        f"model.d_pretrain.negatives={args.negatives}",
        f"model.adversarial.iterations={args.adv_iterations}",
        "model.adversarial.d_steps=1",
        "model.adversarial.d_epochs=1",
        f"model.adversarial.negatives={args.negatives}",
        f"model.pg.rollouts={args.rollouts}",
        f"model.eval.every={max(args.adv_iterations // 5, 1)}",
    ]


def train_one(model: str, overrides: list[str], run_dir: Path) -> dict:
    """Train ``model`` through the core and return its metrics plus wall time."""
    from ganforge import compose_config, train

    if run_dir.exists():
        shutil.rmtree(run_dir)
    cfg = compose_config(["domain=midi", f"model={model}", *overrides])
    start = time.perf_counter()
    metrics = train(cfg, run_dir)
    metrics = dict(metrics)
    metrics["wall_s"] = time.perf_counter() - start
    return metrics


def trajectory(run_dir: Path) -> list[dict]:
    """BLEU-4 / NLL_test logged during training (``logs/metrics.csv``), per MLE epoch or adversarial iteration."""
    import csv

    out = []
    with open(run_dir / "logs" / "metrics.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            if not r.get("bleu4/test"):
                continue
            point = {"g_step": int(float(r["step"])), "bleu4/test": float(r["bleu4/test"]), "nll_test": float(r["nll_test"])}
            for key, name in (("mle/epoch", "mle_epoch"), ("adv/iteration", "adv_iteration")):
                if r.get(key):
                    point[name] = int(float(r[key]))
            out.append(point)
    return out


def real_reference(data: Path, args: argparse.Namespace) -> tuple[dict, object]:
    """The same metrics for real training windows (the ceiling a model can reach)."""
    from ganforge import compose_config
    from ganforge_midi.datamodule import MidiDataModule
    from ganforge_midi.metrics import bleu4, pitch_class_distance

    dm = MidiDataModule.from_config(compose_config(["domain=midi", f"data.path={data}", "data.tokenizer=melody88",
                                                    f"data.test_fraction={args.test_fraction}", "data.batch_size=64"]))
    dm.setup()
    g = torch.Generator().manual_seed(args.seed)
    pick = torch.randperm(len(dm.train_tokens), generator=g)[: args.eval_samples]
    real = dm.train_tokens[pick]
    tempo = dm.spec()["export"]["tempo"]
    notes = [dm.tokenizer.decode(t, tempo=tempo) for t in real.tolist()]
    ref = {
        "bleu4/test": bleu4(real.tolist(), dm.test_tokens.tolist()),
        "pitch_class_distance/test": pitch_class_distance(notes, dm.test_notes),
        "num_train_windows": len(dm.train_tokens),
        "num_test_windows": len(dm.test_tokens),
        "num_train_files": len(dm.train_files),
        "num_test_files": len(dm.test_files),
    }
    return ref, (dm, real)


def pianoroll(dm, real, runs: dict[str, Path], out: Path, per_row: int = 6) -> Path:
    """One sheet: a row of real test windows, then a row of samples of each model."""
    from ganforge import load_module
    from ganforge_midi.export import write_pianoroll_sheet

    tempo = dm.spec()["export"]["tempo"]
    rows, labels = [], []
    test = dm.test_tokens[:per_row].tolist()
    rows += [dm.tokenizer.decode(t, tempo=tempo) for t in test]
    labels += [f"real (test) {i + 1}" for i in range(len(test))]
    for name, run_dir in runs.items():
        _, module = load_module(run_dir)
        torch.manual_seed(0)
        samples = module.sample(per_row)
        rows += [dm.tokenizer.decode(t, tempo=tempo) for t in samples.tokens.tolist()]
        labels += [f"{name} {i + 1}" for i in range(per_row)]
    return write_pianoroll_sheet(
        out, rows, duration=dm.tokenizer.seconds_per_window(tempo), cols=per_row, labels=labels,
        title="Nottingham melody88 (32 x 0.4 s): real test windows, MLE and SeqGAN samples",
    )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and write bench/results/midi.json + its docs/benchmarks.md section."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of .mid files (Nottingham)")
    p.add_argument("--mle-epochs", type=int, default=60)
    p.add_argument("--d-rounds", type=int, default=5)
    p.add_argument("--adv-iterations", type=int, default=30)
    p.add_argument("--rollouts", type=int, default=8)
    p.add_argument("--negatives", type=int, default=1024)
    p.add_argument("--eval-samples", type=int, default=1000)
    p.add_argument("--test-fraction", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a shared 2-core box)")
    p.add_argument("--quick", action="store_true", help="tiny schedule to check the script")
    p.add_argument("--out", type=Path, default=REPO / "outputs" / "bench_midi", help="run directories (not committed)")
    args = p.parse_args(argv)
    if args.quick:
        args.mle_epochs, args.d_rounds, args.adv_iterations, args.rollouts = 2, 1, 2, 2
        args.negatives, args.eval_samples = 256, 200
    if not args.data.is_dir():
        sys.exit(f"bench/midi.py: data folder {args.data} not found; give --data DIR (a folder of .mid files)")
    torch.set_num_threads(args.threads)

    start = time.perf_counter()
    reference, (dm, real) = real_reference(args.data, args)
    base = common_overrides(args.data, args)
    runs = {"MLE": args.out / "mle", "SeqGAN": args.out / "seqgan"}
    results = {
        "mle": train_one("mle", base, runs["MLE"]),
        "seqgan": train_one("seqgan", base + seqgan_overrides(args), runs["SeqGAN"]),
    }
    curves = {"mle": trajectory(runs["MLE"]), "seqgan": trajectory(runs["SeqGAN"])}
    png = pianoroll(dm, real, runs, (args.out if args.quick else RESULTS) / "midi_pianoroll.png")
    total = time.perf_counter() - start

    keys = ["bleu4/test", "pitch_class_distance/test", "nll_test", "pitch_range", "note_density_per_bar",
            "empty_bar_rate", "repeated_sample_rate", "copied_from_train_rate"]
    payload = {
        "data": str(args.data),
        "settings": {k: v for k, v in vars(args).items() if k not in ("data", "out")},
        "reference_real_train_windows": reference,
        "paper_bleu4_nottingham": PAPER_BLEU4,
        "models": {
            name: {**{k: m.get(k) for k in keys}, "wall_s": m["wall_s"], "g_step": m["g_step"],
                   "phase_seconds": {k[len("train/time/"):-len("_s")]: v for k, v in m.items() if k.startswith("train/time/")},
                   "trajectory": curves[name]}
            for name, m in results.items()
        },
        "pianoroll_png": str(png.relative_to(REPO)) if png.is_relative_to(REPO) else str(png),
        "total_wall_s": total,
    }
    m, s = payload["models"]["mle"], payload["models"]["seqgan"]
    adv = [p for p in curves["seqgan"] if "adv_iteration" in p]
    adv_line = ", ".join(f"{p['adv_iteration']}: {p['bleu4/test']:.3f} / {p['nll_test']:.3f}" for p in adv)
    mle_line = ", ".join(f"{p['mle_epoch']}: {p['bleu4/test']:.3f}" for p in curves["mle"] if "mle_epoch" in p)

    def row(label: str, d: dict, paper: str) -> str:
        return (f"| {label} | {d['bleu4/test']:.4f} | {paper} | {d['pitch_class_distance/test']:.4f} | "
                f"{d.get('nll_test', float('nan')):.4f} | {d['wall_s']:.0f} |")

    md = "\n".join([
        "## MIDI: MLE vs SeqGAN on Nottingham (melody88)",
        "",
        f"`python bench/midi.py` on `{args.data.name}` ({reference['num_train_files']} train / "
        f"{reference['num_test_files']} held-out files -> {reference['num_train_windows']} / "
        f"{reference['num_test_windows']} windows of 32 x 0.4 s), CPU, {args.threads} torch thread(s), "
        f"seed {args.seed}, {args.eval_samples} generated sequences per model.",
        f"Schedule: {args.mle_epochs} MLE epochs for both; SeqGAN then {args.d_rounds} D-pretraining rounds and "
        f"{args.adv_iterations} adversarial iterations ({args.rollouts} rollouts, D with 1/4 of the paper's filters, "
        f"{args.negatives} negatives per D round) -- reduced from the paper's 50 rounds / 200 iterations to fit the CPU.",
        "",
        "| model | BLEU-4 (test) | paper BLEU-4 | pitch-class dist. | NLL_test | wall s |",
        "|---|---|---|---|---|---|",
        row("MLE", m, f"{PAPER_BLEU4['mle']:.4f}"),
        row("SeqGAN", s, f"{PAPER_BLEU4['seqgan']:.4f}"),
        f"| real train windows | {reference['bleu4/test']:.4f} | - | {reference['pitch_class_distance/test']:.4f} | - | - |",
        "",
        f"SeqGAN during the adversarial phase (iteration: BLEU-4 / NLL_test): {adv_line or 'not logged'}. "
        f"MLE BLEU-4 by epoch: {mle_line or 'not logged'} -- epoch-to-epoch swings of ~0.02 show how noisy a "
        f"single BLEU-4 figure is.",
        "",
        "BLEU-4: nltk sentence BLEU (smoothing 1) of each sample against all test windows, averaged; the paper's "
        "split and windowing differ, so compare the two rows with each other and with the real-data row rather "
        "than with the paper's figures. Pitch-class distance: total variation between duration-weighted "
        "pitch-class histograms (0 = same). "
        f"Total benchmark time {total / 60:.1f} min.",
        "",
        f"![piano rolls](../bench/results/{png.name})",
    ])
    print(json.dumps(payload["models"], indent=2))
    if args.quick:  # a script check: figures are not worth recording
        print(md)
        return
    out = write_results("midi", payload, md)
    print(f"wrote {out} and {png}")


if __name__ == "__main__":
    main()
