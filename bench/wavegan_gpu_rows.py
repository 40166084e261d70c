"""Write the 2026-11-27 GPU sections of docs/benchmarks.md from the archives that
``bench/gpu_wavegan_sweep.sh`` and ``bench/gpu_paper_rows.sh`` brought back (issue 14).

* ``wavegan_gpu_sweep``: the WaveGAN CPU recipe and three variants, 3 seeds each, trained on a
  lent GPU through ``bench/audio_learning.py`` (the CPU benchmark's own protocol and step counts);
* ``audio_learning_wavegan_paper_gpu``: WaveGAN d=64 at 16 kHz (the paper's model) through the
  same protocol for the time the device call allowed;
* ``image_learning_dcgan64_gpu_full``: DCGAN 64 px on MNIST to the end of its budget.

    python bench/wavegan_gpu_rows.py bench/results/gpu_2026-11-27
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, write_section  # noqa: E402

RECIPES = {  # name -> what differs from the CPU recipe (bench/gpu_wavegan_sweep.sh)
    "base": "the CPU recipe: d=24, batch 32, 950 steps, lr decay from step 400",
    "b64": "d=16, batch 64, 870 steps (about the same CPU time per step)",
    "nops": "the recipe without phase shuffle in D",
    "long": "the recipe with 1,500 steps (60% more), decay from step 650",
}
IS_TARGET, DROP_TARGET = 0.7, 0.6


def unpack(archive: Path) -> Path:
    """Extract one archive into a temporary directory."""
    target = Path(tempfile.mkdtemp(prefix=f"gpu-{archive.stem}-"))
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


def summarise(run: dict) -> dict:
    """IS ratio and spectrum drop at the end and the best IS ratio along the curve, as the CPU benchmark scores them."""
    curve = run["curve"]
    first, last = curve[0], curve[-1]
    return {"steps": last["g_step"], "is_ratio": last["is/samples"] / last["is/real"],
            "best_is_ratio": max(c["is/samples"] / c["is/real"] for c in curve[1:]),
            "drop": 1 - last["spectrum/l1_to_real"] / first["spectrum/l1_to_real"], "copies": run["copies"]["copies"],
            "met": all(run["met"].values())}


def sweep_section(folder: Path, date: str) -> dict:
    """The recipes x seeds table and its JSON."""
    runs = {}
    for f in sorted(folder.glob("audio_learning_wavegan_gpu_*.json")):
        recipe, seed = f.stem.removeprefix("audio_learning_wavegan_gpu_").rsplit("_seed", 1)
        runs[(recipe, int(seed))] = summarise(json.loads(f.read_text()))
    rows, per_recipe = [], {}
    for recipe, what in RECIPES.items():
        got = [runs[k] for k in sorted(runs) if k[0] == recipe]
        per_recipe[recipe] = {"passed": sum(r["met"] for r in got), "runs": len(got),
                              "median_is_ratio": statistics.median(r["is_ratio"] for r in got)}
        cells = "; ".join(f"{r['is_ratio']:.0%} / {r['drop']:.0%}" for r in got)
        rows.append(f"| {recipe} | {what} | {cells} | {per_recipe[recipe]['passed']} of {len(got)} |")
    md = "\n".join([
        "### WaveGAN: the CPU recipe across seeds, trained on a GPU (issue 14)",
        "",
        f"`bash bench/gpu_wavegan_sweep.sh` on the lent NVIDIA H200, {date}: 12 runs side by side, each "
        "`python bench/audio_learning.py --model wavegan --budget-min 7 --eval-every 200 --seed S --tag _gpu_<recipe>_seedS "
        "model.upsample=nearest optim.lr_g=4e-4 optim.lr_d=4e-4 ema.decay=0.995 trainer.accelerator=gpu <recipe>` "
        "(1 torch CPU thread each, seeds 1-3). Everything but the device is the CPU benchmark's: the `cpu` profile "
        "(embedded drums at 8 kHz, 4,096-sample windows), WGAN-GP with 5 critic steps, the same step counts, "
        "evaluation of 256 clips at step 0 and every 200 steps, the copy check. Every run ended on its step count "
        "(4-5 min each). CUDA seeds draw other random numbers than CPU seeds, so seed 1 here is not seed 1 on the CPU: "
        "what carries over is how often a recipe succeeds.",
        "",
        "| recipe | change | IS / real, spectrum drop at the end (seeds 1, 2, 3) | all three targets met |",
        "| --- | --- | --- | ---: |",
        *rows,
        "",
        "No recipe is reliable: 1 run of 12 meets all three targets (b64, seed 3: IS 72%, drop 60%). IS climbs to "
        "38-53% of real by step 400 (b64 seed 3: 70%) and then stays there or falls; 60% more steps (`long`) end "
        "lower than the recipe (37-47%), so the number of steps the 30-minute budget allows is not what holds "
        "WaveGAN back here, and phase shuffle is not the cause either. With the CPU runs, the recipe met all "
        "targets in 1 of 8 runs (CPU: seed 0 of seeds 0-4; GPU: none of 3).",
    ])
    write_section("wavegan_gpu_sweep", md)
    return {"runs": {f"{k[0]}_seed{k[1]}": v for k, v in runs.items()}, "per_recipe": per_recipe}


def paper_section(folder: Path, date: str) -> dict:
    """WaveGAN d=64 at 16 kHz through the CPU benchmark's protocol."""
    run = json.loads((folder / "audio_learning_wavegan_paper_gpu.json").read_text())
    rows = [f"| {c['g_step']} | {c['is/samples']:.2f} | {c['is/real']:.2f} | {c['spectrum/l1_to_real']:.2f} | "
            f"{c.get('nn/train', float('nan')):.1f} |" for c in run["curve"]]
    s, fin = summarise(run), run["final"]
    md = "\n".join([
        "### WaveGAN at paper size (d=64, 16 kHz, 16,384 samples) on a GPU (issue 14's paper-scale row)",
        "",
        f"`{run['command']}` on the lent NVIDIA H200, {date}, beside one DCGAN 64 px run: the model YAML "
        "unchanged (WGAN-GP, 5 critic steps, Adam 1e-4 (0.5, 0.9), batch 64, phase shuffle 2, transposed "
        f"convolutions); 4.5 min of wall time for the whole run, {s['steps']} generator steps (about 4 per second); "
        "evaluation as in the CPU rows (256 clips, the drum-type classifier, log-spectrum distance, copy check).",
        "",
        "| G step | IS samples | IS real | log-spectrum distance | NN distance to train |",
        "| ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"IS {s['is_ratio']:.0%} of real, spectrum distance {s['drop']:.0%} lower, {s['copies']} copies: after "
        f"{s['steps']} steps the paper's model has the drums' mean spectrum but no drum in any sample: a sample's "
        f"nearest training clip is {fin['nn/train'] / fin['nn/real_self']:.0f}x farther than real clips are from each "
        f"other in the classifier's features ({run['copies']['min_gen_to_train'] / run['copies']['closest_distinct_training_pair']:.0f}x "
        f"in log-mel space), and samples sit closer to one another ({fin['nn/self']:.1f}) than real clips do "
        f"({fin['nn/real_self']:.1f}). The CPU profile with the paper's settings looked the same after 2,012 steps "
        "(IS 1.00, distance -73%). The paper trains for days on a GPU; this row measures where 4.5 GPU minutes get, "
        "not a reproduction.",
    ])
    write_section("audio_learning_wavegan_paper_gpu", md)
    return {"paper": s}


def dcgan_section(folder: Path, date: str) -> dict:
    """DCGAN 64 px on MNIST to the end of its budget."""
    part = json.loads((folder / "image_learning_dcgan64.json").read_text())
    arm = part["part"]["arms"]["dcgan-64px"]
    rows = [f"| {p['train_s']:.0f} | {p['g_step']} | {p['fid']:.1f} | {p['kid']:.1f} | {p['is']:.2f} |"
            for p in arm["curve"]]
    md = "\n".join([
        "### DCGAN at 64 px on a GPU, to the end of the budget (issue 14's paper-scale row)",
        "",
        f"`{part['command']}` on the lent NVIDIA H200, {date}, beside the paper-size WaveGAN run: DCGAN (the "
        "paper's 64 px generator, batch 128, Adam 2e-4 (0.5, 0.999)) on all 60,000 MNIST training images resized to "
        f"64 px, {arm['steps_per_s']:.0f} G steps/s; classifier-FID/KID/IS of 1,000 EMA samples vs 1,000 test images.",
        "",
        "| training s | G steps | classifier-FID | KID | IS |",
        "| ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "Best at 4,939 steps (72.8); by 14,816 steps the generator has collapsed: every sample is the same grey blob "
        "(IS 1.00). The 32 px main job does not reach this point (5,000 steps); at 64 px on MNIST the paper's "
        "settings need an earlier stop or a lower learning rate past ~5,000 steps. In a `gan-run` of this model "
        "`checkpoints/best.ckpt` keeps the generator with the best FID (dcgan's config monitors it every 1,000 "
        "steps), so a collapse late in a run does not cost the good generator.",
    ])
    write_section("image_learning_dcgan64_gpu_full", md)
    return {"dcgan64": arm["curve"]}


def main() -> None:
    """Unpack both archives and write the three sections and one JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    args = ap.parse_args()
    date = args.folder.name.removeprefix("gpu_")
    sweep, rows = unpack(args.folder / "sweep.tar.gz"), unpack(args.folder / "paper_rows.tar.gz")
    result = {"benchmark": "wavegan_gpu_rows", "date": date, "device": "NVIDIA H200",
              **sweep_section(sweep, date), **paper_section(rows, date), **dcgan_section(rows, date)}
    (RESULTS / "wavegan_gpu_rows.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
