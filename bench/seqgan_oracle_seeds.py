"""SeqGAN vs MLE on the synthetic oracle over several oracle draws (issue 15, items 3 and 4).

Summarises runs of ``bench/seqgan_oracle.py --current-rollout --tag _seed<S> data.oracle_seed=<S>
seed=<S>`` (one per oracle draw; each has its own shared pretraining, then MLE, SeqGAN with
the paper's delayed rollout copy, and SeqGAN with the rollout policy read from the current
generator, all from that pretraining). Writes ``bench/results/seqgan_oracle_seeds.json``,
a curve PNG and the ``seqgan_oracle_seeds`` section of docs/benchmarks.md.

    python bench/seqgan_oracle.py --profile cpu --current-rollout --tag _seed1 data.oracle_seed=1 seed=1
    python bench/seqgan_oracle_seeds.py --seeds 0 1 2 [--command "how the runs were made"]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, save_figure, write_results  # noqa: E402

ARMS = {"pretrained": "after pretraining", "mle": "MLE (+30 epochs)", "seqgan": "SeqGAN, delayed rollout copy (0.8)",
        "seqgan_current": "SeqGAN, rollout = current G (0.0)"}


def mean_std(xs: list[float]) -> str:
    """``mean ± std`` (sample std) with three decimals."""
    return f"{statistics.mean(xs):.3f} ± {statistics.stdev(xs):.3f}" if len(xs) > 1 else f"{xs[0]:.3f}"


def curve_png(runs: dict[int, dict], path: Path) -> Path:
    """NLL_oracle per adversarial iteration (SeqGAN, both rollout policies) and per MLE epoch, per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(runs), figsize=(4 * len(runs), 3.2), sharey=False)
    for ax, (seed, run) in zip(axes if len(runs) > 1 else [axes], runs.items(), strict=True):
        curves, epochs = run["curves"], run["config"]["mle_epochs"]
        for arm, style in (("seqgan", "-o"), ("seqgan_current", "-s")):
            pts = [(c["adv_iteration"], c["nll_oracle"]) for c in curves.get(arm, []) if c["adv_iteration"] is not None]
            ax.plot(*zip(*pts), style, ms=3, label=ARMS[arm])
        pts = [(c["mle_epoch"] - epochs, c["nll_oracle"]) for c in curves["mle"] if c["mle_epoch"] and c["mle_epoch"] >= epochs]
        ax.plot(*zip(*pts), "-^", ms=3, label="MLE (x: epochs after pretraining)")
        ax.set_title(f"oracle seed {seed}")
        ax.set_xlabel("adversarial iteration / MLE epoch")
        ax.set_ylabel("NLL_oracle")
    axes[0].legend(fontsize=7) if len(runs) > 1 else axes.legend(fontsize=7)
    return save_figure(fig, path)


def main() -> None:
    """Aggregate the per-seed results and write the section."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--command", default=None, help="the command line that produced the per-seed runs")
    args = ap.parse_args()
    runs = {}
    for s in args.seeds:
        path = RESULTS / f"seqgan_oracle_{args.profile}_seed{s}.json"
        if not path.is_file():
            raise SystemExit(f"{path} is missing: run bench/seqgan_oracle.py --tag _seed{s} data.oracle_seed={s} first")
        runs[s] = json.loads(path.read_text())
    arms = [a for a in ARMS if all(a in r["final"] for r in runs.values())]
    fin = {a: {m: [r["final"][a][m] for r in runs.values()] for m in ("nll_oracle", "nll_test")} for a in arms}
    gains = [r["final"]["mle"]["nll_oracle"] - r["final"]["seqgan"]["nll_oracle"] for r in runs.values()]
    gaps = [r["final"]["seqgan"]["nll_test"] - r["final"]["mle"]["nll_test"] for r in runs.values()]
    per_seed_met = [g >= 0.2 and t <= 0.1 for g, t in zip(gains, gaps, strict=True)]
    first = next(iter(runs.values()))
    machine, device = first["machine"], first["device"]
    png = curve_png(runs, RESULTS / "seqgan_oracle_seeds.png")
    rows = [f"| {ARMS[a]} | {' / '.join(f'{x:.3f}' for x in fin[a]['nll_oracle'])} | {mean_std(fin[a]['nll_oracle'])} | "
            f"{mean_std(fin[a]['nll_test'])} |" for a in arms]
    floor = " / ".join(f"{r['final']['seqgan']['nll_oracle_real']:.3f}" for r in runs.values())
    rows.append(f"| oracle's own samples (floor) | {floor} | - | - |")
    policy = ""
    if "seqgan_current" in arms:
        diff = [c - d for c, d in zip(fin["seqgan_current"]["nll_oracle"], fin["seqgan"]["nll_oracle"], strict=True)]
        walls = {a: [r["stage_wall_seconds"][a] for r in runs.values()] for a in ("seqgan", "seqgan_current")}
        policy = (f"Rollout policy (item 3): NLL_oracle of the current-generator rollouts minus the delayed copy's, per seed: "
                  f"{', '.join(f'{d:+.3f}' for d in diff)} (mean {statistics.mean(diff):+.3f}; negative = current better); "
                  f"adversarial stage wall seconds: delayed copy {mean_std(walls['seqgan'])}, current "
                  f"{mean_std(walls['seqgan_current'])}.")
    cmd = args.command or (f"python bench/seqgan_oracle.py --profile {args.profile} --current-rollout --tag _seed<S> "
                           "data.oracle_seed=<S> seed=<S>")
    md = "\n".join([
        f"## SeqGAN vs MLE over {len(runs)} oracle draws (`bench/seqgan_oracle_seeds.py`, issue 15 items 3-4)",
        "",
        f"`{cmd}` for S in {', '.join(map(str, runs))}, then `python bench/seqgan_oracle_seeds.py --seeds "
        f"{' '.join(map(str, runs))}` -- {machine['date']}, {machine['cuda'] or 'CPU'} ({device}), "
        f"{first['torch_threads']} torch CPU threads per run, the {len(runs)} runs side by side on one machine. "
        f"Profile `{args.profile}` unchanged: {first['profile_description']}. Each oracle draw (`data.oracle_seed`, "
        "the 'real' distribution) has its own pretraining; its MLE and SeqGAN arms branch from that one checkpoint.",
        "",
        "| generator | NLL_oracle per seed | NLL_oracle mean ± std | NLL_test mean ± std |",
        "| --- | --- | ---: | ---: |",
        *rows,
        "",
        f"Target (cpu profile): SeqGAN ≤ MLE − 0.2 nats NLL_oracle and NLL_test ≤ MLE + 0.1, on every oracle draw. "
        f"Gain per seed: {', '.join(f'{g:.3f}' for g in gains)} (mean {mean_std(gains)}); NLL_test SeqGAN − MLE: "
        f"{', '.join(f'{t:+.3f}' for t in gaps)}. Met on {sum(per_seed_met)} of {len(runs)} draws: "
        f"**{'met' if all(per_seed_met) else 'not met'}**.",
        "",
        policy,
        "",
        f"![NLL_oracle curves per oracle draw](../bench/results/{png.name})",
    ])
    payload = {"seeds": list(runs), "command": cmd, "final": fin, "gain": gains, "nll_test_gap": gaps,
               "per_seed_met": per_seed_met, "met": all(per_seed_met), "source_machine": machine}
    write_results("seqgan_oracle_seeds", payload, md)
    print(md)


if __name__ == "__main__":
    main()
