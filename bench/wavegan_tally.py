"""Every CPU WaveGAN run on the embedded drums in one table (issue 14, item 4).

``bench/audio_learning.py`` writes one JSON per run (``bench/results/audio_learning_wavegan*.json``)
and one docs section per run; after some sixty runs across variants and seeds the question a
reader has -- which settings meet the three targets, and how often -- needs the runs grouped.
This script reads those JSON files (it trains nothing), groups the runs by their overrides
(everything but the seed) and writes, per variant: the seeds, how many runs met all three
targets, each target on its own, and the medians of the final figures:

    python bench/wavegan_tally.py

Writes ``bench/results/wavegan_tally.json`` and the ``wavegan_tally`` section of
docs/benchmarks.md. Variants are shown as one of two named recipes plus what they change.
"""

from __future__ import annotations

import json
import shlex
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, write_results  # noqa: E402
from audio_learning import build_parser  # noqa: E402

_COMMON = "model.upsample=nearest optim.lr_g=4e-4 optim.lr_d=4e-4 ema.decay=0.995 model.d=24"
# The two recipes the docs name: five critic steps with the decay schedule, and two critic steps
# with the schedule stretched to the steps the cheaper steps fit in.
RECIPES = {
    "A": f"{_COMMON} trainer.max_steps=950 optim.decay_start=400",
    "B": f"{_COMMON} model.n_critic=2 trainer.max_steps=1900 optim.decay_start=800",
}


def parse_command(command: str) -> tuple[dict, dict]:
    """``(options, overrides)`` of a recorded ``audio_learning.py`` command line (parsed by its own
    parser), overrides as key -> value (the last one wins, as in Hydra)."""
    args = vars(build_parser().parse_args(shlex.split(command)[2:]))
    overrides = dict(o.partition("=")[::2] for o in args.pop("overrides"))
    return args, overrides


def describe(overrides: dict) -> str:
    """The variant as ``recipe X`` plus its changes, or its overrides when no recipe fits."""
    best, best_shared = None, -1
    for name, text in RECIPES.items():
        recipe = dict(t.partition("=")[::2] for t in text.split())
        if not set(recipe) <= set(overrides):
            continue
        shared = sum(overrides[k] == v for k, v in recipe.items())
        if shared >= best_shared:  # a tie goes to the later recipe (B: the one the docs recommend)
            best, best_shared = name, shared
    if best is None:
        return " ".join(f"`{k}={v}`" for k, v in overrides.items()) or "the `cpu` profile as it is"
    recipe = dict(t.partition("=")[::2] for t in RECIPES[best].split())
    changes = [f"`{k}={v}`" for k, v in overrides.items() if recipe.get(k) != v]
    return f"recipe {best}" + (" with " + " ".join(changes) if changes else "")


def load_runs(results: Path = RESULTS) -> list[dict]:
    """One row per CPU WaveGAN run of ``audio_learning.py`` on the embedded drums."""
    runs = []
    for path in sorted(results.glob("audio_learning_wavegan*.json")):
        data = json.loads(path.read_text())
        options, overrides = parse_command(data["command"])
        if options["data"] != "drums" or data["machine"].get("cuda"):
            continue
        curve = data["curve"]
        first, last = curve[0], data["final"]
        runs.append({
            "file": path.name, "date": data["machine"]["date"], "seed": options["seed"],
            "budget_min": options["budget_min"], "overrides": overrides,
            "variant": describe(overrides), "g_steps": int(last["g_step"]),
            "is_ratio": last["is/samples"] / last["is/real"],
            "distance_drop": 1 - last["spectrum/l1_to_real"] / first["spectrum/l1_to_real"],
            "met": data["met"], "all_three": all(data["met"].values()),
        })
    return runs


def tally(runs: list[dict]) -> list[dict]:
    """Runs grouped by variant, in order of first appearance by date."""
    groups: dict[str, list[dict]] = {}
    for run in sorted(runs, key=lambda r: (r["date"], r["file"])):
        budget = "" if run["budget_min"] == 30 else f" ({run['budget_min']:g} min)"
        groups.setdefault(run["variant"] + budget, []).append(run)
    rows = []
    for variant, members in groups.items():
        rows.append({
            "variant": variant, "runs": len(members), "seeds": sorted(m["seed"] for m in members),
            "dates": sorted({m["date"] for m in members}),
            "all_three": sum(m["all_three"] for m in members),
            "is_ratio_met": sum(m["met"]["is_ratio"] for m in members),
            "distance_met": sum(m["met"]["spectrum_drop"] for m in members),
            "copies_free": sum(m["met"]["no_copies"] for m in members),
            "median_is_ratio": statistics.median(m["is_ratio"] for m in members),
            "median_distance_drop": statistics.median(m["distance_drop"] for m in members),
            "median_g_steps": int(statistics.median(m["g_steps"] for m in members)),
        })
    return rows


def markdown(rows: list[dict], runs: list[dict]) -> str:
    """The ``wavegan_tally`` section of docs/benchmarks.md."""
    dates = sorted({r["date"] for r in runs})
    lines = [
        "## WaveGAN on the embedded drums: every CPU run by variant (issue 14, `bench/wavegan_tally.py`)",
        "",
        f"`python bench/wavegan_tally.py` -- reads the {len(runs)} JSON files that "
        f"`python bench/audio_learning.py --model wavegan ...` wrote from {dates[0]} to {dates[-1]} "
        "(each run: 1 torch thread on a 2-core VM, often beside a second run; its own section below "
        "names its command and date) and groups them by their overrides. Targets per run: IS >= 70% "
        "of the real clips', log-spectrum distance to real down >= 60% from step 0, no generated clip "
        "nearer a training clip than the closest two training clips are. All runs use the `cpu` "
        "profile (8 kHz, 4,096 samples, batch 32) and a 30-min cap unless the variant says otherwise.",
        "",
        f"- recipe A: `{RECIPES['A']}` (five critic steps, the paper's)",
        f"- recipe B: `{RECIPES['B']}` (two critic steps)",
        "",
        "| variant | runs (seeds) | all three met | IS >= 70% | distance -60% | no copies | median IS / real "
        "| median distance drop | median G steps |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        seeds = ", ".join(str(s) for s in r["seeds"])
        lines.append(
            f"| {r['variant']} | {r['runs']} ({seeds}) | {r['all_three']} of {r['runs']} | {r['is_ratio_met']} "
            f"| {r['distance_met']} | {r['copies_free']} | {r['median_is_ratio']:.0%} "
            f"| {r['median_distance_drop']:.0%} | {r['median_g_steps']:,} |")
    met = sum(r["all_three"] for r in runs)
    lines += ["", f"{met} of {len(runs)} runs met all three targets."]
    return "\n".join(lines)


def main() -> None:
    """Tally the runs and write the JSON and the docs section."""
    runs = load_runs()
    rows = tally(runs)
    out = write_results("wavegan_tally", {"command": "python bench/wavegan_tally.py", "variants": rows,
                                          "runs": runs}, markdown(rows, runs))
    print(markdown(rows, runs))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
