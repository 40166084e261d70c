"""SeqGAN vs MLE on the SeqGAN paper's Chinese quatrains (Yu et al., AAAI 2017, Table 3: BLEU-2).

Data: ``../shared/data/poetry/seqgan_shi.txt`` (16,394 five-character quatrains, 24 tokens
each with punctuation; Texygen's ``data/shi.txt``), tokenised by the poetry domain one
character per token (spaces dropped, punctuation kept). A fixed held-out split:
``data.test_fraction=0.1``, ``data.split_seed=0`` (the paper's split is not published).

Protocol (every arm starts from the same checkpoint and is scored the same way):

1. ``pretrain``: MLE pretraining of G, then D pretraining rounds on fresh negatives
   (balanced: as many negatives as training poems); no adversarial iteration. Saved.
2. For each seed ``s``: ``seqgan_s`` resumes (1) with ``seed=s`` and runs the adversarial
   iterations (1 policy-gradient g-step with Monte-Carlo rollouts, then D rounds on fresh
   balanced negatives); ``mle_s`` resumes (1) with ``seed=s`` and runs as many further MLE
   epochs as SeqGAN has iterations (the paper's MLE baseline, as ``bench/seqgan_oracle.py``).
3. Evaluation, identical for the pretrained checkpoint and every arm: ``--eval-samples``
   poems sampled with a fixed ``torch.Generator`` seed; BLEU-2 = mean nltk sentence BLEU
   (weights (0.5, 0.5), ``SmoothingFunction().method1``) of each generated poem against the
   WHOLE held-out test set as references (Texygen's definition; computed with
   ``ganforge_sequence.bleu``, which gives nltk's scores exactly and is cross-checked here
   against ``nltk.translate.bleu_score.sentence_bleu`` on a subset); NLL_test = the
   generator's mean per-token NLL of the held-out poems; Self-BLEU-2 = mean BLEU-2 of 500
   of the samples, each against all the other samples.

Curves (BLEU-2 of 1,000 samples, NLL_test, generator entropy, D accuracy, rewards) come
from each run's ``logs/metrics.csv``.

Usage: ``python bench/poetry.py --threads 1`` (about an hour on one thread);
``--quick`` checks the script in about a minute (printed only; runs under
``outputs/bench/poetry_quick``). Without ``../shared/data`` it exits with a one-line message.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from omegaconf import OmegaConf, open_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, train_stage, write_results  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "poetry" / "seqgan_shi.txt"
#: Yu et al. (AAAI 2017), Table 3, Chinese quatrains: BLEU-2.
PAPER_BLEU2 = {"mle": 0.6670, "seqgan": 0.7389, "real": 0.7463}
DATE = "2026-11-26"
MACHINE = "this 2-core VM, shared with one other benchmark"

#: Fixed seeds of the evaluation (the same samples for an arm whatever its training seed).
EVAL_SEED = 2026
SELF_BLEU_HYPOTHESES = 500

PROFILES: dict[str, dict] = {
    "cpu": {
        "overrides": [
            "model.mle.epochs=25",
            # D: the oracle cpu profile's CNN (5 widths x 32 filters, embedding 32)
            "model.discriminator.emb_dim=32",
            "model.discriminator.filter_sizes=[2,3,5,10,20]",
            "model.discriminator.num_filters=[32,32,32,32,32]",
            "model.d_pretrain.rounds=5",
            "model.d_pretrain.epochs=2",
            "model.d_pretrain.negatives=null",
            "model.adversarial.iterations=15",
            "model.adversarial.g_steps=1",
            "model.adversarial.d_steps=1",
            "model.adversarial.d_epochs=1",
            "model.adversarial.negatives=null",
            "model.pg.rollouts=16",
        ],
        "description": "pretraining: MLE 25 epochs, then D (5 widths x 32 filters, emb 32) 5 x (balanced fresh negatives "
        "+ 2 epochs); SeqGAN arm: 15 x (1 g-step with 16 rollouts; 1 D round of balanced fresh negatives x 1 epoch)",
    },
    "quick": {
        "overrides": [
            "data.limit=2000",
            "model.mle.epochs=2",
            "model.discriminator.emb_dim=16",
            "model.discriminator.filter_sizes=[2,3,5]",
            "model.discriminator.num_filters=[16,16,16]",
            "model.d_pretrain.rounds=1",
            "model.d_pretrain.epochs=1",
            "model.adversarial.iterations=2",
            "model.adversarial.d_steps=1",
            "model.adversarial.d_epochs=1",
            "model.pg.rollouts=2",
        ],
        "description": "script check only: 2,000 poems; pretraining: MLE 2 epochs, 1 D round; SeqGAN arm: 2 "
        "iterations of 2 rollouts",
    },
}

BASE = [
    "domain=poetry",
    "model=seqgan",
    "run.progress_bar=false",
    "run.sample_every=0",
    "run.checkpoint_every=0",
    "trainer.accelerator=cpu",
    "data.test_fraction=0.1",
    "data.split_seed=0",
    "model.eval.samples=1000",
    "model.eval.every=1",
    "model.eval.mle_every=1",
    "model.eval.d_pretrain_every=1",
]


def compose(profile: str, extra: list[str]):
    """The profile's config (before the per-stage edits)."""
    from ganforge import compose_config

    return compose_config(BASE + [f"data.path={DATA}"] + PROFILES[profile]["overrides"] + extra)


def read_curve(run_dir: Path) -> list[dict]:
    """Rows of ``logs/metrics.csv`` that carry BLEU-2 (MLE epochs and adversarial iterations)."""
    keys = {
        "bleu2": "bleu2", "nll_test": "nll_test", "gen/entropy": "entropy", "gen/unique": "unique",
        "gen/distinct2": "distinct2", "pg/mean_reward": "pg_mean_reward", "pg/final_reward": "pg_final_reward",
        "d/acc_real": "d_acc_real", "d/acc_fake": "d_acc_fake", "loss/d": "loss_d",
    }
    rows = []
    with (run_dir / "logs" / "metrics.csv").open() as f:
        for row in csv.DictReader(f):
            if not row.get("bleu2"):
                continue
            out: dict = {"step": int(float(row["step"]))}
            for src, dst in (("mle/epoch", "mle_epoch"), ("adv/iteration", "adv_iteration")):
                out[dst] = int(float(row[src])) if row.get(src) else None
            for src, dst in keys.items():
                if row.get(src):
                    out[dst] = float(row[src])
            rows.append(out)
    return rows


def read_d_pretrain(run_dir: Path) -> list[dict]:
    """D accuracy per D pretraining round (``logs/metrics.csv``)."""
    rows = []
    with (run_dir / "logs" / "metrics.csv").open() as f:
        for row in csv.DictReader(f):
            if row.get("d_pretrain/round") and row.get("d/acc_real"):
                rows.append({
                    "round": int(float(row["d_pretrain/round"])),
                    "d_acc_real": float(row["d/acc_real"]),
                    "d_acc_fake": float(row["d/acc_fake"]),
                    "loss_d": float(row["loss/d"]) if row.get("loss/d") else None,
                })
    return rows


def load_data(cfg):
    """The poetry data module of ``cfg`` (the same split and vocabulary every run uses)."""
    from ganforge import get_registry

    dm = get_registry().get("poetry").build_datamodule(cfg)
    dm.setup()
    return dm


def evaluate(run_dir: Path, dm, n: int) -> dict:
    """BLEU-2, Self-BLEU-2 and NLL_test of the generator saved in ``run_dir`` (fixed sampling seed)."""
    from ganforge import load_module
    from ganforge_sequence.bleu import self_bleu

    _, module = load_module(run_dir, map_location="cpu")
    gen = module.generator.eval()
    if module.tokenizer.to_spec() != dm.tokenizer.to_spec():
        raise RuntimeError(f"{run_dir}: vocabulary differs from the benchmark's data split")
    start = time.perf_counter()
    with torch.no_grad():
        tokens = gen.sample(n, generator=torch.Generator().manual_seed(EVAL_SEED))
    texts = [dm.tokenizer.decode(t) for t in tokens.tolist()]
    hyps = [list(t) for t in texts]
    index = dm.test_index
    bleu2 = sum(index.sentence_bleu(h, 2) for h in hyps) / len(hyps)
    out = {
        "bleu2": bleu2,
        "self_bleu2": self_bleu(hyps, 2, max_hypotheses=SELF_BLEU_HYPOTHESES, seed=0),
        "nll_test": gen.mean_nll(dm.test_tokens),
        "unique": len(set(texts)) / len(texts),
        "examples": texts[:8],
    }
    out["eval_seconds"] = time.perf_counter() - start
    return out


def nltk_check(texts: list[list[str]], dm) -> dict:
    """The benchmark's BLEU-2 vs nltk's own ``sentence_bleu`` on the same hypotheses and references."""
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    refs = dm.test_index.references
    smooth = SmoothingFunction().method1
    start = time.perf_counter()
    ours = [dm.test_index.sentence_bleu(h, 2) for h in texts]
    theirs = [sentence_bleu(refs, h, weights=(0.5, 0.5), smoothing_function=smooth) for h in texts]
    return {
        "hypotheses": len(texts),
        "references": len(refs),
        "max_abs_diff": max(abs(a - b) for a, b in zip(ours, theirs)),
        "nltk_seconds": time.perf_counter() - start,
    }


def mean_std(values: list[float]) -> dict:
    """Mean and sample standard deviation (n-1) over the seeds."""
    return {
        "mean": statistics.fmean(values),
        "std": statistics.stdev(values) if len(values) > 1 else 0.0,
        "values": values,
    }


def main(argv: list[str] | None = None) -> dict | None:
    """Run the benchmark (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 on a shared machine)")
    ap.add_argument("--quick", action="store_true", help="tiny run that checks the script (prints, writes no result)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--eval-samples", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=None, help="run dirs (default outputs/bench/poetry[_quick])")
    ap.add_argument("--reuse-pretrain", action="store_true", help="keep an existing pretrain run in --out")
    ap.add_argument("--no-write", action="store_true", help="print results only (no bench/results, no docs)")
    ap.add_argument("--render-only", action="store_true",
                    help="rewrite the docs section and figure from bench/results/poetry.json (no training)")
    ap.add_argument("overrides", nargs="*", help="extra gan-run overrides for every stage")
    args = ap.parse_args(argv)
    if args.render_only:
        payload = json.loads((RESULTS / "poetry.json").read_text())
        payload.pop("benchmark", None)  # the recorded "machine" is kept (it describes the training run)
        # descriptions reworded since the run (same settings)
        payload["profile_description"] = PROFILES[payload["profile"]]["description"]
        payload["data"]["split"] = "data.test_fraction=0.1, data.split_seed=0: a seeded shuffle (split_poems)"
        plot(payload, REPO / payload["figure"])
        markdown = render_markdown(payload, "poetry")
        write_results("poetry", payload, markdown)
        print(markdown)
        return payload
    if not DATA.exists():
        print(f"poetry benchmark skipped: {DATA} not found (the SeqGAN paper's corpus, see shared/data/poetry)")
        return None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    torch.set_num_threads(args.threads)
    profile = "quick" if args.quick else "cpu"
    name = "poetry_quick" if args.quick else "poetry"
    out = args.out or REPO / "outputs" / "bench" / name
    extra = list(args.overrides)
    t_start = time.perf_counter()

    probe = compose(profile, extra)
    mle_epochs = int(probe.model.mle.epochs)
    d_rounds = int(probe.model.d_pretrain.rounds)
    iterations = int(probe.model.adversarial.iterations)

    # 1. shared pretraining: MLE epochs, then D rounds; no adversarial iteration.
    walls: dict[str, float] = {}
    if args.reuse_pretrain and (out / "pretrain" / "checkpoints" / "last.ckpt").exists():
        pre_metrics = json.loads((out / "pretrain" / "metrics.json").read_text())
        walls["pretrain"] = float("nan")
    else:
        pre_cfg = compose(profile, extra + ["model.adversarial.iterations=0"])
        pre_metrics, walls["pretrain"] = train_stage(pre_cfg, out / "pretrain", None)

    # 2. the arms, each branched from the pretrained checkpoint with its own seed.
    arm_metrics: dict[str, dict] = {}
    for seed in args.seeds:
        adv_cfg = compose(profile, extra)
        arm_metrics[f"seqgan_{seed}"], walls[f"seqgan_{seed}"] = train_stage(
            adv_cfg, out / f"seqgan_{seed}", out / "pretrain", seed=seed
        )
        mle_cfg = compose(profile, extra)
        with open_dict(mle_cfg):
            mle_cfg.model.phases = OmegaConf.create([
                {"name": "mle_pretrain", "kind": "mle", "steps": mle_epochs},
                {"name": "d_pretrain", "kind": "d_pretrain", "steps": d_rounds},
                {"name": "mle_continue", "kind": "mle", "steps": iterations},
            ])
        arm_metrics[f"mle_{seed}"], walls[f"mle_{seed}"] = train_stage(
            mle_cfg, out / f"mle_{seed}", out / "pretrain", seed=seed
        )

    # 3. one evaluation protocol for all.
    dm = load_data(probe)
    evals = {"pretrained": evaluate(out / "pretrain", dm, args.eval_samples)}
    for run in arm_metrics:
        evals[run] = evaluate(out / run, dm, args.eval_samples)
    real = [list(t) for t in dm.train_texts[: args.eval_samples]]
    from ganforge_sequence.bleu import self_bleu

    real_eval = {
        "bleu2": sum(dm.test_index.sentence_bleu(h, 2) for h in real) / len(real),
        "self_bleu2": self_bleu(real, 2, max_hypotheses=SELF_BLEU_HYPOTHESES, seed=0),
    }
    check = nltk_check([list(t) for t in evals["pretrained"]["examples"]], dm)

    summary = {}
    for arm in ("seqgan", "mle"):
        summary[arm] = {
            metric: mean_std([evals[f"{arm}_{s}"][metric] for s in args.seeds])
            for metric in ("bleu2", "self_bleu2", "nll_test", "unique")
        }
    gap = summary["seqgan"]["bleu2"]["mean"] - summary["mle"]["bleu2"]["mean"]
    worst_std = max(summary["seqgan"]["bleu2"]["std"], summary["mle"]["bleu2"]["std"])
    per_seed_gap = [evals[f"seqgan_{s}"]["bleu2"] - evals[f"mle_{s}"]["bleu2"] for s in args.seeds]
    curves = {"pretrain": read_curve(out / "pretrain")}
    curves.update({run: read_curve(out / run) for run in arm_metrics})
    payload = {
        "profile": profile,
        "profile_description": PROFILES[profile]["description"],
        "command": "python bench/poetry.py --threads 1" + (" --quick" if args.quick else ""),
        "date": DATE,
        "machine_description": MACHINE,
        "torch_threads": torch.get_num_threads(),
        "data": {
            "path": str(DATA.relative_to(REPO.parent)),
            "poems": len(dm.train_texts) + len(dm.test_texts),
            "train": len(dm.train_texts),
            "test": len(dm.test_texts),
            "split": "data.test_fraction=0.1, data.split_seed=0: a seeded shuffle (split_poems)",
            "vocab_size": dm.tokenizer.vocab_size,
            "seq_len": dm.spec()["seq_len"],
        },
        "config": {
            "mle_epochs": mle_epochs,
            "d_pretrain_rounds": d_rounds,
            "adversarial_iterations": iterations,
            "rollouts": int(probe.model.pg.rollouts),
            "rollout_update_rate": float(probe.model.pg.update_rate),
            "batch_size": int(probe.data.batch_size),
            "seeds": args.seeds,
            "overrides": BASE + PROFILES[profile]["overrides"] + extra,
        },
        "evaluation": {
            "samples": args.eval_samples,
            "sampling_seed": EVAL_SEED,
            "references": len(dm.test_texts),
            "self_bleu_hypotheses": SELF_BLEU_HYPOTHESES,
            "bleu": "nltk sentence BLEU, weights (0.5, 0.5), SmoothingFunction().method1, each hypothesis "
            "against the whole test set, averaged (Texygen)",
            "nltk_cross_check": check,
        },
        "evals": evals,
        "real_train_poems": real_eval,
        "summary": summary,
        "bleu2_gap_seqgan_minus_mle": gap,
        "bleu2_gap_per_seed": per_seed_gap,
        "target": {
            "rule": "mean BLEU-2 of SeqGAN - mean BLEU-2 of MLE > the larger of the two stds",
            "met": bool(gap > worst_std),
        },
        "paper_bleu2": PAPER_BLEU2,
        "stage_wall_seconds": walls,
        "phase_seconds": {
            run: {k.split("/")[-1]: v for k, v in m.items() if k.startswith("train/time/")}
            for run, m in {"pretrain": pre_metrics, **arm_metrics}.items()
        },
        "in_run_final_metrics": {
            run: {k: v for k, v in m.items() if not k.startswith("train/")}
            for run, m in {"pretrain": pre_metrics, **arm_metrics}.items()
        },
        "d_pretrain_curve": read_d_pretrain(out / "pretrain"),
        "curves": curves,
        "total_wall_seconds": time.perf_counter() - t_start,
    }
    # --quick and --no-write leave bench/results and the docs alone (the figure stays with the runs)
    write = not (args.no_write or args.quick)
    png = plot(payload, RESULTS / f"{name}_curves.png" if write else out / "curves.png")
    payload["figure"] = os.path.relpath(png, REPO)
    markdown = render_markdown(payload, name)
    if not write:
        print(json.dumps({k: v for k, v in payload.items() if k != "curves"}, indent=2, default=float))
    else:
        print(f"wrote {write_results(name, payload, markdown)}")
    print(markdown)
    return payload


def plot(p: dict, path: Path) -> Path:
    """BLEU-2, NLL_test and generator entropy per MLE epoch / adversarial iteration, per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mle_epochs = p["config"]["mle_epochs"]
    fig, axes = plt.subplots(1, 4, figsize=(20, 4.5))
    panels = (("bleu2", "BLEU-2 (1,000 samples vs test)"), ("nll_test", "NLL_test (nats/token)"),
              ("entropy", "generator entropy (nats/token)"), ("d_acc", "D accuracy on real / fake"))
    pre = [r for r in p["curves"]["pretrain"] if r["mle_epoch"] is not None]
    for ax, (key, title) in zip(axes, panels):
        if key != "d_acc":
            ax.plot([r["mle_epoch"] for r in pre], [r.get(key) for r in pre], color="black", label="pretraining (MLE)")
        for run, rows in p["curves"].items():
            if run == "pretrain":
                continue
            arm, seed = run.split("_")
            style = {"color": "tab:red" if arm == "seqgan" else "tab:blue", "alpha": 0.8,
                     "ls": ("-", "--", ":")[int(seed) % 3]}
            if arm == "seqgan":
                xs = [mle_epochs + r["adv_iteration"] for r in rows if r["adv_iteration"] is not None]
                sel = [r for r in rows if r["adv_iteration"] is not None]
            else:
                sel = [r for r in rows if r["mle_epoch"] is not None and r["mle_epoch"] > mle_epochs]
                xs = [r["mle_epoch"] for r in sel]
            if key == "d_acc":
                if arm == "seqgan":
                    ax.plot(xs, [r.get("d_acc_real") for r in sel], color="tab:green", alpha=0.6,
                            label="real" if seed == "0" else None)
                    ax.plot(xs, [r.get("d_acc_fake") for r in sel], color="tab:orange", alpha=0.6,
                            label="fake" if seed == "0" else None)
                continue
            # each arm's line starts at the common pretrained point
            ys = [r.get(key) for r in sel]
            if pre:
                xs, ys = [pre[-1]["mle_epoch"], *xs], [pre[-1].get(key), *ys]
            ax.plot(xs, ys, label=f"{'SeqGAN' if arm == 'seqgan' else 'MLE'} seed {seed}", **style)
        if key == "bleu2":
            ax.axhline(PAPER_BLEU2["seqgan"], color="tab:red", ls=":", lw=1, label="paper SeqGAN")
            ax.axhline(PAPER_BLEU2["mle"], color="tab:blue", ls=":", lw=1, label="paper MLE")
        ax.axvline(mle_epochs, color="gray", ls="--", lw=0.8)
        ax.set_title(title)
        ax.set_xlabel("MLE epoch, then adversarial iteration / further MLE epoch")
        ax.legend(fontsize=7)
    fig.suptitle(f"SeqGAN vs MLE on seqgan_shi.txt ({p['profile']} profile, {p['torch_threads']} thread)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _ms(s: dict, digits: int = 4) -> str:
    return f"{s['mean']:.{digits}f} ± {s['std']:.{digits}f}"


def interpretation(p: dict) -> list[str]:
    """What the figures say besides the target: the price in NLL_test and diversity, the absolute scale."""
    s, e = p["summary"], p["evals"]
    pre = [r for r in p["curves"]["pretrain"] if r["mle_epoch"] is not None]
    best = min(pre, key=lambda r: r["nll_test"]) if pre else None
    real = p["real_train_poems"]
    lines = [
        f"The gain has a price: SeqGAN's NLL_test is {s['seqgan']['nll_test']['mean'] - s['mle']['nll_test']['mean']:+.3f} "
        f"nats/token against MLE's, and its Self-BLEU-2 {s['seqgan']['self_bleu2']['mean']:.3f} is above both MLE's "
        f"{s['mle']['self_bleu2']['mean']:.3f} and the real poems' {real['self_bleu2']:.3f} (less diverse samples): the "
        "policy gradient sharpens the generator (lower entropy in the curves) towards n-grams D accepts, which "
        "BLEU-2 rewards and NLL_test penalises. "
        f"Absolute BLEU-2 is not comparable with the paper's: real training poems score {real['bleu2']:.3f} here "
        f"against the {p['evaluation']['references']:,} held-out references ({PAPER_BLEU2['real']} in the paper, whose "
        "reference set and split are not published; more references give higher BLEU). Compare the rows with "
        f"each other, or as fractions of the real poems' score: MLE {s['mle']['bleu2']['mean'] / real['bleu2']:.3f}, "
        f"SeqGAN {s['seqgan']['bleu2']['mean'] / real['bleu2']:.3f} (paper: "
        f"{PAPER_BLEU2['mle'] / PAPER_BLEU2['real']:.3f}, {PAPER_BLEU2['seqgan'] / PAPER_BLEU2['real']:.3f}).",
    ]
    if best is not None:
        lines += [
            "",
            f"Pretraining overfits in NLL terms: NLL_test is lowest at MLE epoch {best['mle_epoch']} "
            f"({best['nll_test']:.3f}) and {e['pretrained']['nll_test']:.3f} at epoch {p['config']['mle_epochs']}, while "
            "BLEU-2 keeps its plateau (the curves); the MLE arm's further epochs continue that drift, so its BLEU-2 "
            "stays flat. The generator (the paper's 32-unit LSTM, with 4,693-token embedding and output layers) has "
            "about as many parameters as the training set has tokens.",
        ]
    return lines


def render_markdown(p: dict, name: str) -> str:
    """The docs/benchmarks.md section."""
    c, e, s, d = p["config"], p["evals"], p["summary"], p["data"]
    seeds = c["seeds"]
    walls = p["stage_wall_seconds"]
    arm_wall = {arm: statistics.fmean(walls[f"{arm}_{k}"] for k in seeds) for arm in ("seqgan", "mle")}
    pre = e["pretrained"]
    lines = [
        f"## Poetry: SeqGAN vs MLE on the paper's quatrains, BLEU-2 (`{p['command']}`)",
        "",
        f"{p['date']}, {p['torch_threads']} torch thread (`OMP_NUM_THREADS=1`), CPU, {p['machine_description']}. "
        f"Data: `{d['path']}` ({d['poems']:,} quatrains, 24 character tokens with punctuation, "
        f"vocabulary {d['vocab_size']:,} incl. pad/unk), held out {d['test']:,} poems ({d['split']}); "
        f"train {d['train']:,}.",
        "",
        f"Profile: {p['profile_description']}; G = the paper's LSTM (emb 32, hidden 32, Adam 0.01). "
        f"Protocol: one shared pretraining, saved; then for seeds {', '.join(map(str, seeds))}: "
        f"a SeqGAN arm ({c['adversarial_iterations']} adversarial "
        f"iterations, rollout update rate {c['rollout_update_rate']}) and an MLE arm ({c['adversarial_iterations']} "
        "further MLE epochs), each resuming the pretrained checkpoint with `seed=s`. "
        f"Evaluation (same for all): {p['evaluation']['samples']:,} poems sampled with a fixed seed; BLEU-2 = "
        f"{p['evaluation']['bleu']}; all {p['evaluation']['references']:,} test poems are the references (no cap); "
        f"Self-BLEU-2: {p['evaluation']['self_bleu_hypotheses']} samples each against the other samples; "
        "NLL_test: mean per-token NLL of the test poems. "
        f"BLEU cross-check vs nltk's own `sentence_bleu` on {p['evaluation']['nltk_cross_check']['hypotheses']} "
        f"hypotheses: max |difference| {p['evaluation']['nltk_cross_check']['max_abs_diff']:.1e}.",
        "",
        "| generator | BLEU-2 ↑ | NLL_test ↓ | Self-BLEU-2 (↓ = more diverse) | unique samples | paper BLEU-2 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| pretrained ({c['mle_epochs']} MLE epochs; the common start) | {pre['bleu2']:.4f} | {pre['nll_test']:.3f} | "
        f"{pre['self_bleu2']:.4f} | {pre['unique']:.3f} | - |",
        f"| MLE (+{c['adversarial_iterations']} epochs), {len(seeds)} seeds | {_ms(s['mle']['bleu2'])} | "
        f"{_ms(s['mle']['nll_test'], 3)} | {_ms(s['mle']['self_bleu2'])} | {_ms(s['mle']['unique'], 3)} | "
        f"{PAPER_BLEU2['mle']} |",
        f"| SeqGAN (+{c['adversarial_iterations']} iterations), {len(seeds)} seeds | {_ms(s['seqgan']['bleu2'])} | "
        f"{_ms(s['seqgan']['nll_test'], 3)} | {_ms(s['seqgan']['self_bleu2'])} | {_ms(s['seqgan']['unique'], 3)} | "
        f"{PAPER_BLEU2['seqgan']} |",
        f"| real training poems ({p['evaluation']['samples']:,}) | {p['real_train_poems']['bleu2']:.4f} | - | "
        f"{p['real_train_poems']['self_bleu2']:.4f} | - | {PAPER_BLEU2['real']} |",
        "",
        f"BLEU-2 gain of SeqGAN over MLE: **{p['bleu2_gap_seqgan_minus_mle']:+.4f}** (per seed: "
        f"{', '.join(f'{g:+.4f}' for g in p['bleu2_gap_per_seed'])}); target (gain > one std, the larger of the "
        f"two arms' stds): **{'met' if p['target']['met'] else 'not met'}**.",
        "",
        *interpretation(p),
        "",
        "Per seed (BLEU-2 / NLL_test / Self-BLEU-2):",
        "",
        "| seed | MLE | SeqGAN |",
        "| --- | --- | --- |",
    ]
    for k in seeds:
        m, g = e[f"mle_{k}"], e[f"seqgan_{k}"]
        lines.append(f"| {k} | {m['bleu2']:.4f} / {m['nll_test']:.3f} / {m['self_bleu2']:.4f} | "
                     f"{g['bleu2']:.4f} / {g['nll_test']:.3f} / {g['self_bleu2']:.4f} |")
    lines += [
        "",
        "SeqGAN arm, seed 0, per adversarial iteration (from `logs/metrics.csv`; BLEU-2 of 1,000 samples):",
        "",
        "| iteration | BLEU-2 | NLL_test | entropy | mean reward | D acc real / fake |",
        "| ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in p["curves"].get(f"seqgan_{seeds[0]}", []):
        if r["adv_iteration"] is None:
            continue
        lines.append(
            f"| {r['adv_iteration']} | {r['bleu2']:.4f} | {r['nll_test']:.3f} | {r.get('entropy', float('nan')):.3f} | "
            f"{r.get('pg_mean_reward', float('nan')):.3f} | {r.get('d_acc_real', float('nan')):.2f} / "
            f"{r.get('d_acc_fake', float('nan')):.2f} |"
        )
    dp = p["d_pretrain_curve"]
    if dp:
        lines += ["", "D pretraining accuracy (real / fake) per round: "
                  + ", ".join(f"{r['d_acc_real']:.2f} / {r['d_acc_fake']:.2f}" for r in dp) + "."]
    lines += [
        "",
        f"Wall time: pretraining {walls['pretrain']:.0f} s; per arm (mean) SeqGAN {arm_wall['seqgan']:.0f} s, "
        f"MLE {arm_wall['mle']:.0f} s; whole benchmark {p['total_wall_seconds'] / 60:.1f} min.",
        "",
        f"![poetry curves](../{p['figure']})",
        "",
        f"Raw numbers and all curves: `bench/results/{name}.json`.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
