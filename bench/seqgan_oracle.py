"""SeqGAN vs MLE on the synthetic oracle (Yu et al., AAAI 2017, Table 1 / Figure 2).

One run, same pretraining for both contestants:

1. ``pretrain``: MLE pretraining of G, then D pretraining (``gan-run``'s training code,
   ``domain=oracle model=seqgan`` with no adversarial iteration).
2. ``seqgan``: resumes from (1) and runs the adversarial iterations (policy gradient
   with Monte-Carlo rollouts + D updates).
3. ``mle``: resumes from (1) and continues MLE training for as many epochs as (2) has
   iterations (the paper's MLE curve).

Reported: NLL_oracle / NLL_test curves and final values, the wall time of each phase,
and the rollout throughput (completed sequences/s) of the batched implementation vs
the slow reference on the trained networks. Results go to
``bench/results/seqgan_oracle_<profile>.json`` and ``docs/benchmarks.md``.

Profiles:

* ``paper`` -- the full protocol of the official code (120 MLE epochs, 50 D rounds of
  10k negatives x 3 epochs, 200 adversarial iterations of 1 g-step with 16 rollouts and
  5 d-steps x 3 epochs, the 12-width CNN). For a GPU.
* ``cpu`` -- the same oracle, generator and policy-gradient update, with a reduced
  discriminator, fewer MLE epochs, D rounds, rollouts and d-steps, so it finishes in
  under an hour on a small CPU (run with ``--threads 1`` on a busy machine).

Usage: ``python bench/seqgan_oracle.py --profile cpu --threads 1``
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from pathlib import Path

import torch
from omegaconf import OmegaConf, open_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, train_stage, write_results  # noqa: E402

PAPER_TABLE1 = {"random": 10.310, "mle": 9.038, "seqgan": 8.736}

PROFILES: dict[str, dict] = {
    "paper": {
        "overrides": [],
        "description": "official-code protocol: MLE 120 epochs; D 50 x (10k neg + 3 epochs); "
        "200 x (1 g-step, 16 rollouts; 5 d-steps x 3 epochs); paper CNN (12 widths, 1,720 filters)",
    },
    "cpu": {
        "overrides": [
            "data.num_test=5000",
            "model.mle.epochs=30",
            "model.discriminator.emb_dim=32",
            "model.discriminator.filter_sizes=[2,3,5,10,20]",
            "model.discriminator.num_filters=[32,32,32,32,32]",
            "model.d_pretrain.rounds=5",
            "model.d_pretrain.epochs=2",
            "model.adversarial.iterations=30",
            "model.adversarial.d_steps=1",
            "model.adversarial.d_epochs=1",
            "model.adversarial.negatives=5000",
            "model.pg.rollouts=8",
            "model.eval.samples=2000",
            "model.eval.every=2",
            "model.eval.mle_every=5",
            "model.eval.d_pretrain_every=1",
        ],
        "description": "CPU: MLE 30 epochs; D (5 widths x 32 filters, emb 32) 5 x (10k neg + 2 epochs); "
        "30 x (1 g-step, 8 rollouts; 1 d-step x 1 epoch on 5k fresh negatives)",
    },
}

BASE = ["domain=oracle", "model=seqgan", "run.progress_bar=false", "run.sample_every=0", "run.checkpoint_every=0"]


def compose(profile: str, device: str, extra: list[str]):
    """The profile's config (before the per-stage edits)."""
    from ganforge import compose_config

    accel = ["trainer.accelerator=gpu", "trainer.devices=1"] if device == "cuda" else ["trainer.accelerator=cpu"]
    return compose_config(BASE + accel + PROFILES[profile]["overrides"] + extra)


def read_curve(run_dir: Path) -> list[dict]:
    """Rows of ``logs/metrics.csv`` that carry NLL metrics."""
    path = run_dir / "logs" / "metrics.csv"
    rows = []
    with path.open() as f:
        for row in csv.DictReader(f):
            if row.get("nll_oracle"):
                rows.append(
                    {
                        "step": int(float(row["step"])),
                        "mle_epoch": float(row["mle/epoch"]) if row.get("mle/epoch") else None,
                        "adv_iteration": float(row["adv/iteration"]) if row.get("adv/iteration") else None,
                        "nll_oracle": float(row["nll_oracle"]),
                        "nll_test": float(row["nll_test"]),
                        **({"pg_mean_reward": float(row["pg/mean_reward"])} if row.get("pg/mean_reward") else {}),
                        **({"d_acc_real": float(row["d/acc_real"])} if row.get("d/acc_real") else {}),
                        **({"d_acc_fake": float(row["d/acc_fake"])} if row.get("d/acc_fake") else {}),
                    }
                )
    return rows


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def rollout_throughput(
    run_dir: Path, device: str, rollouts: int, batch: int, reps: int, rows_setting: str | int | None = None
) -> dict:
    """Sequences/s of batched vs slow rollouts on the trained G (rollout policy) and D.

    The batched rollouts use the model's ``rollout_rows`` (the block size training used),
    or ``rows_setting`` when given (e.g. ``"auto"``).
    """
    from ganforge import load_module
    from ganforge.policy_gradient import discriminator_reward, rollout_rewards, slow_rollout_rewards

    _, module = load_module(run_dir, map_location=device)
    module.to(device)
    if rows_setting is not None:
        module.rollout_rows_setting = module.parse_rollout_rows(rows_setting)
    rows = module.rollout_rows()
    policy, disc = module.rollout.eval(), module.discriminator.eval()
    reward = discriminator_reward(disc)
    with torch.no_grad():
        tokens = module.generator.sample(batch, generator=None)
        t_len = tokens.shape[1]
        g = torch.Generator(device="cpu").manual_seed(0)
        uniforms = torch.rand(t_len - 1, rollouts, batch, t_len, generator=g).to(device)
        rollout_rewards(policy, tokens, reward, rollouts, uniforms=uniforms, max_rows=rows)  # warm-up
        sync(device)
        start = time.perf_counter()
        for _ in range(reps):
            fast = rollout_rewards(policy, tokens, reward, rollouts, uniforms=uniforms, max_rows=rows)
        sync(device)
        t_fast = (time.perf_counter() - start) / reps
        start = time.perf_counter()
        slow = slow_rollout_rewards(policy, tokens, reward, rollouts, uniforms=uniforms)
        sync(device)
        t_slow = time.perf_counter() - start
    n = batch * rollouts * (t_len - 1)
    return {
        "batch": batch,
        "rollouts": rollouts,
        "seq_len": t_len,
        "sequences_per_call": n,
        "rows_per_block": rows,
        "batched_seconds": t_fast,
        "slow_seconds": t_slow,
        "batched_seq_per_s": n / t_fast,
        "slow_seq_per_s": n / t_slow,
        "speedup": t_slow / t_fast,
        # Exactly 0 on the CPU; on a GPU, kernels that differ with the batch size can flip a
        # token drawn at a CDF boundary, which changes one completion (hence max >> mean).
        "max_abs_reward_diff": float((fast - slow).abs().max()),
        "mean_abs_reward_diff": float((fast - slow).abs().mean()),
    }


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", choices=sorted(PROFILES), default="cpu")
    ap.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (1 is fastest on a shared machine)")
    ap.add_argument("--out", type=Path, default=None, help="run dirs (default outputs/bench/seqgan_oracle_<profile>)")
    ap.add_argument("--iterations", type=int, default=None, help="override the adversarial iterations")
    ap.add_argument("--throughput-reps", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="print results only (no bench/results, no docs)")
    ap.add_argument(
        "--throughput-only",
        action="store_true",
        help="re-measure only the rollout throughput of an existing run (--out) and rewrite its results",
    )
    ap.add_argument(
        "--timing-only",
        action="store_true",
        help="run 3 MLE epochs, 2 D rounds and 2 iterations of the profile and extrapolate its full wall time",
    )
    ap.add_argument("--tag", default="", help="suffix of the results name (e.g. _seed1 with data.oracle_seed=1)")
    ap.add_argument(
        "--current-rollout",
        action="store_true",
        help="also run SeqGAN with model.pg.update_rate=0 (rollout policy = the current generator, the official "
        "code's behaviour) from the same pretraining",
    )
    ap.add_argument("overrides", nargs="*", help="extra gan-run overrides for every stage (e.g. data.oracle_seed=1)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    out = args.out or REPO / "outputs" / "bench" / f"seqgan_oracle_{args.profile}"
    extra = list(args.overrides) + ([f"model.adversarial.iterations={args.iterations}"] if args.iterations else [])

    if args.throughput_only:
        return remeasure_throughput(args, device, out)
    probe = compose(args.profile, device, extra)
    full = {
        "mle_epochs": int(probe.model.mle.epochs),
        "d_pretrain_rounds": int(probe.model.d_pretrain.rounds),
        "adversarial_iterations": int(probe.model.adversarial.iterations),
    }
    if args.timing_only:
        extra += ["model.mle.epochs=3", "model.d_pretrain.rounds=2", "model.adversarial.iterations=2"]
        out = args.out or REPO / "outputs" / "bench" / f"seqgan_oracle_{args.profile}_timing"
        probe = compose(args.profile, device, extra)
    iterations = int(probe.model.adversarial.iterations)
    mle_epochs, d_rounds = int(probe.model.mle.epochs), int(probe.model.d_pretrain.rounds)

    # 1. shared pretraining: MLE epochs, then D rounds; no adversarial iteration.
    pre_cfg = compose(args.profile, device, extra + ["model.adversarial.iterations=0"])
    pre_metrics, pre_wall = train_stage(pre_cfg, out / "pretrain", None)
    # 2. SeqGAN adversarial iterations from the pretrained state.
    adv_cfg = compose(args.profile, device, extra)
    adv_metrics, adv_wall = train_stage(adv_cfg, out / "seqgan", out / "pretrain")
    # 3. MLE baseline: as many further MLE epochs as SeqGAN has iterations, same start.
    mle_cfg = compose(args.profile, device, extra)
    with open_dict(mle_cfg):
        mle_cfg.model.phases = OmegaConf.create(
            [
                {"name": "mle_pretrain", "kind": "mle", "steps": mle_epochs},
                {"name": "d_pretrain", "kind": "d_pretrain", "steps": d_rounds},
                {"name": "mle_continue", "kind": "mle", "steps": iterations},
            ]
        )
    mle_metrics, mle_wall = train_stage(mle_cfg, out / "mle", out / "pretrain")
    # 4. (optional) the rollout policy read from the current generator instead of the delayed copy
    current = None
    if args.current_rollout:
        cur_cfg = compose(args.profile, device, extra + ["model.pg.update_rate=0.0"])
        current = train_stage(cur_cfg, out / "seqgan_current", out / "pretrain")

    throughput = rollout_throughput(
        out / "seqgan", device, int(probe.model.pg.rollouts), int(probe.data.batch_size), args.throughput_reps
    )

    def final(m: dict) -> dict:
        return {k: m[k] for k in ("nll_oracle", "nll_test", "nll_oracle_real") if k in m}

    seqgan, mle = final(adv_metrics), final(mle_metrics)
    gain = mle["nll_oracle"] - seqgan["nll_oracle"]
    test_gap = seqgan["nll_test"] - mle["nll_test"]
    phase_seconds = {
        "mle_pretrain": pre_metrics.get("train/time/mle_pretrain_s"),
        "d_pretrain": pre_metrics.get("train/time/d_pretrain_s"),
        "seqgan_adversarial": adv_metrics.get("train/time/adversarial_s"),
        "mle_continue": mle_metrics.get("train/time/mle_continue_s"),
    }
    payload = {
        "profile": args.profile,
        "profile_description": PROFILES[args.profile]["description"],
        "device": device,
        "torch_threads": torch.get_num_threads(),
        "config": {
            "mle_epochs": mle_epochs,
            "d_pretrain_rounds": d_rounds,
            "adversarial_iterations": iterations,
            "rollouts": int(probe.model.pg.rollouts),
            "batch_size": int(probe.data.batch_size),
            "overrides": PROFILES[args.profile]["overrides"] + extra,
        },
        "final": {"pretrained": final(pre_metrics), "mle": mle, "seqgan": seqgan,
                  **({"seqgan_current": final(current[0])} if current else {})},
        "seqgan_nll_oracle_gain_over_mle": gain,
        "seqgan_nll_test_minus_mle": test_gap,
        "target": {
            "nll_oracle_gain_at_least": 0.2,
            "nll_test_worse_at_most": 0.1,
            "met": bool(gain >= 0.2 and test_gap <= 0.1),
        },
        "paper_table1_nll_oracle": PAPER_TABLE1,
        "phase_seconds": phase_seconds,
        "stage_wall_seconds": {"pretrain": pre_wall, "seqgan": adv_wall, "mle": mle_wall,
                               **({"seqgan_current": current[1]} if current else {})},
        "rollout_throughput": throughput,
        "curves": {
            "pretrain": read_curve(out / "pretrain"),
            "seqgan": read_curve(out / "seqgan"),
            "mle": read_curve(out / "mle"),
            **({"seqgan_current": read_curve(out / "seqgan_current")} if current else {}),
        },
    }
    name = f"seqgan_oracle_{args.profile}{args.tag}"
    if args.timing_only:
        payload = timing_payload(payload, full)
        name += "_timing"
    markdown = render_timing_markdown(payload) if args.timing_only else render_markdown(payload)
    if args.no_write:
        print(json.dumps({k: v for k, v in payload.items() if k != "curves"}, indent=2, default=float))
        print(markdown)
    else:
        path = write_results(name, payload, markdown)
        print(f"wrote {path}")
        print(markdown)
    return payload


def remeasure_throughput(args, device: str, out: Path) -> dict:
    """``--throughput-only``: new rollout figures for the results of an earlier full run."""
    from _common import RESULTS

    name = f"seqgan_oracle_{args.profile}"
    payload = json.loads((RESULTS / f"{name}.json").read_text())
    cfg = payload["config"]
    payload.pop("benchmark", None)
    payload["rollout_throughput"] = rollout_throughput(
        out / "seqgan", device, cfg["rollouts"], cfg["batch_size"], args.throughput_reps, rows_setting="auto"
    )
    write_results(name, payload, render_markdown(payload))
    print(json.dumps(payload["rollout_throughput"], indent=2))
    return payload


def timing_payload(p: dict, full: dict) -> dict:
    """Per-unit phase times of a truncated run and the extrapolated wall time of the full profile."""
    c, s = p["config"], p["phase_seconds"]
    # The first MLE epoch also pays one-off start-up costs, so the estimate errs high.
    unit = {
        "mle_epoch": s["mle_pretrain"] / c["mle_epochs"],
        "d_pretrain_round": s["d_pretrain"] / c["d_pretrain_rounds"],
        "adversarial_iteration": s["seqgan_adversarial"] / c["adversarial_iterations"],
    }
    estimate = {
        "mle_pretrain": unit["mle_epoch"] * full["mle_epochs"],
        "d_pretrain": unit["d_pretrain_round"] * full["d_pretrain_rounds"],
        "seqgan_adversarial": unit["adversarial_iteration"] * full["adversarial_iterations"],
        "mle_continue": unit["mle_epoch"] * full["adversarial_iterations"],
    }
    return {
        "profile": p["profile"],
        "profile_description": p["profile_description"],
        "device": p["device"],
        "torch_threads": p["torch_threads"],
        "measured_units": {k: c[k] for k in ("mle_epochs", "d_pretrain_rounds", "adversarial_iterations")},
        "full_units": full,
        "seconds_per_unit": unit,
        "estimated_full_seconds": {**estimate, "total": sum(estimate.values())},
        "rollout_throughput": p["rollout_throughput"],
    }


def render_timing_markdown(p: dict) -> str:
    """The docs/benchmarks.md section of a ``--timing-only`` run."""
    u, e, tp, f = p["seconds_per_unit"], p["estimated_full_seconds"], p["rollout_throughput"], p["full_units"]
    return "\n".join(
        [
            f"## SeqGAN oracle benchmark, profile `{p['profile']}`: cost on {p['device']} "
            f"(`bench/seqgan_oracle.py --profile {p['profile']} --timing-only`)",
            "",
            f"Profile `{p['profile']}`: {p['profile_description']}. Measured on a truncated run "
            f"({p['measured_units']['mle_epochs']} MLE epochs, {p['measured_units']['d_pretrain_rounds']} D rounds, "
            f"{p['measured_units']['adversarial_iterations']} adversarial iterations) and extrapolated; no quality figures.",
            "",
            "| phase | seconds per unit | units in the profile | estimated seconds |",
            "| --- | ---: | ---: | ---: |",
            f"| MLE pretraining (epoch) | {u['mle_epoch']:.2f} | {f['mle_epochs']} | {e['mle_pretrain']:.0f} |",
            f"| D pretraining (round) | {u['d_pretrain_round']:.2f} | {f['d_pretrain_rounds']} | {e['d_pretrain']:.0f} |",
            f"| SeqGAN adversarial (iteration) | {u['adversarial_iteration']:.2f} | {f['adversarial_iterations']} | "
            f"{e['seqgan_adversarial']:.0f} |",
            f"| MLE baseline continuation (epoch) | {u['mle_epoch']:.2f} | {f['adversarial_iterations']} | "
            f"{e['mle_continue']:.0f} |",
            f"| total | | | {e['total']:.0f} ({e['total'] / 3600:.2f} h) |",
            "",
            f"Rollouts ({tp['batch']} x {tp['rollouts']} rollouts x {tp['seq_len'] - 1} prefixes = "
            f"{tp['sequences_per_call']} completions, scored by the profile's D): batched "
            f"{tp['batched_seq_per_s']:.0f} seq/s ({tp['batched_seconds'] * 1000:.1f} ms per g-step), slow reference "
            f"{tp['slow_seq_per_s']:.0f} seq/s ({tp['slow_seconds']:.2f} s): **{tp['speedup']:.0f}x**; "
            f"|reward difference| with shared random numbers: max {tp['max_abs_reward_diff']:.1e}, "
            f"mean {tp['mean_abs_reward_diff']:.1e}.",
            "",
            f"Raw numbers: `bench/results/seqgan_oracle_{p['profile']}_timing.json`.",
        ]
    )


def _fmt(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def render_markdown(p: dict) -> str:
    """The docs/benchmarks.md section of one profile."""
    f, t, tp = p["final"], p["target"], p["rollout_throughput"]
    lines = [
        f"## SeqGAN vs MLE on the synthetic oracle (`bench/seqgan_oracle.py --profile {p['profile']}`)",
        "",
        f"Profile `{p['profile']}`: {p['profile_description']}. Device: {p['device']} "
        f"({p['torch_threads']} torch thread(s)). Same pretraining for both; MLE continues for as many epochs "
        "as SeqGAN has adversarial iterations. NLL_oracle: mean per-token NLL of "
        f"generated sequences under the oracle; NLL_test: the generator's NLL of held-out oracle samples.",
        "",
        "| generator | NLL_oracle | NLL_test |",
        "| --- | ---: | ---: |",
        f"| after pretraining ({p['config']['mle_epochs']} MLE epochs) | {_fmt(f['pretrained'].get('nll_oracle'))} | "
        f"{_fmt(f['pretrained'].get('nll_test'))} |",
        f"| MLE (+{p['config']['adversarial_iterations']} epochs) | {_fmt(f['mle'].get('nll_oracle'))} | {_fmt(f['mle'].get('nll_test'))} |",
        f"| SeqGAN (+{p['config']['adversarial_iterations']} iterations) | {_fmt(f['seqgan'].get('nll_oracle'))} | "
        f"{_fmt(f['seqgan'].get('nll_test'))} |",
        f"| oracle's own samples (floor) | {_fmt(f['seqgan'].get('nll_oracle_real'))} | - |",
        f"| paper Table 1 (different oracle draw) | random {PAPER_TABLE1['random']}, MLE {PAPER_TABLE1['mle']}, "
        f"SeqGAN {PAPER_TABLE1['seqgan']} | - |",
        "",
        f"SeqGAN's NLL_oracle gain over MLE: **{p['seqgan_nll_oracle_gain_over_mle']:.3f}** nats (target >= 0.2); "
        f"NLL_test difference (SeqGAN - MLE): **{p['seqgan_nll_test_minus_mle']:.3f}** (target <= 0.1). "
        f"Target met: **{'yes' if t['met'] else 'no'}**.",
        "",
        "| phase | wall seconds |",
        "| --- | ---: |",
        *[f"| {k} | {_fmt(v, 1)} |" for k, v in p["phase_seconds"].items()],
        "",
        f"Rollouts ({tp['batch']} sequences x {tp['rollouts']} rollouts x {tp['seq_len'] - 1} prefixes = "
        f"{tp['sequences_per_call']} completions per g-step, scored by the trained D): batched "
        f"(blocks of {tp.get('rows_per_block') or 'all'} rows) "
        f"{tp['batched_seq_per_s']:.0f} seq/s ({tp['batched_seconds']:.2f} s), slow reference "
        f"{tp['slow_seq_per_s']:.0f} seq/s ({tp['slow_seconds']:.2f} s): **{tp['speedup']:.1f}x**; "
        f"|reward difference| between the two with shared random numbers: max {tp['max_abs_reward_diff']:.1e}, "
        f"mean {tp['mean_abs_reward_diff']:.1e}.",
        "",
        "Curves (NLL_oracle / NLL_test):",
        "",
        "| stage | x | NLL_oracle | NLL_test |",
        "| --- | --- | ---: | ---: |",
    ]
    for stage, key in (("pretrain", "mle_epoch"), ("mle", "mle_epoch"), ("seqgan", "adv_iteration")):
        rows = p["curves"][stage]
        if stage == "pretrain":
            rows = [r for r in rows if r["mle_epoch"] is not None]
        label = "epoch" if key == "mle_epoch" else "iteration"
        for r in rows:
            if r.get(key) is not None:
                lines.append(f"| {stage} | {label} {int(r[key])} | {r['nll_oracle']:.3f} | {r['nll_test']:.3f} |")
    lines += ["", f"Raw numbers: `bench/results/seqgan_oracle_{p['profile']}.json`."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
