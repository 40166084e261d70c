"""Benchmark (issue 14, item 3): do pix2pix and CycleGAN learn their translations on this 2-core CPU?

    .venv/bin/python bench/translation.py                    # both parts, ~8 min of training each
    .venv/bin/python bench/translation.py --parts pix2pix    # one part (run the two parts as two
    .venv/bin/python bench/translation.py --parts cyclegan   #   processes to use both cores)
    .venv/bin/python bench/translation.py --quick            # ~1 min of training each: checks the script

Data: the images plugin's embedded translation sets (6,000 training / 1,000 held-out MNIST
digits at 32x32, see ``ganforge_images.data.embedded_translation``), so nothing outside the
repository is needed.

* **pix2pix, edges -> digits** (paired). On the 1,000 held-out pairs, L1 and SSIM
  (``PairedMetrics``, pixels in [0, 1]) of (a) the trained pix2pix generator (EMA weights,
  eval mode), (b) the *copy* baseline: the edge map itself as the prediction, (c) the
  *nearest* baseline: the target of the training pair whose input edge map is nearest to
  the test edge map in pixel L2 (a lookup table of all 6,000 training pairs). Target: L1 at
  least 20% lower and SSIM at least 0.05 higher than the better baseline on each metric,
  with the paired bootstrap 95% interval of each difference excluding zero.
* **CycleGAN, digits <-> bold ink** (unpaired training halves). A domain classifier (the
  images plugin's reference-classifier CNN, trained on domain labels A/B of the training
  images) reports its held-out accuracy, then the share of held-out translations (A->B and
  B->A) it assigns to the target domain (target >= 0.9) and the cycle L1 (A->B->A, B->A->B
  against the input). Because inverting the background alone already fools an A-vs-B
  classifier, a second check is reported without a target: a *stroke* classifier per
  direction (thin vs bold ink on the target's background) and L1/SSIM against the true
  held-out translation (the test split pairs each digit with its own rewrite), with the
  copy and invert-only baselines.

Training goes through the public API (``ganforge.compose_config`` + ``ganforge.train``) at one
torch thread; the number of generator steps is set from a short timed calibration run so that
training takes about ``--budget`` seconds on the machine as loaded when the benchmark runs
(the EMA start and CycleGAN's linear lr decay keep the configs' fractions of the run: 1/3 and
1/2). Writes bench/results/translation_<part>.json, translation.json, labelled sample sheets
bench/results/translation_*.png and the ``translation`` section of docs/benchmarks.md
(``--quick`` writes bench/results/translation_quick* only and leaves the docs alone).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, write_results  # noqa: E402

PARTS = ("pix2pix", "cyclegan")
#: pix2pix's "clear margin" over the better baseline (fixed before the first full run)
L1_RATIO, SSIM_GAIN = 0.8, 0.05
#: CycleGAN: share of translations the domain classifier must assign to the target domain
DOMAIN_TARGET = 0.9
#: the configs' own schedule fractions (conf/model/*.yaml: ema.start_step 1000 and
#: optim.decay_start 1500 of trainer.max_steps 3000), kept when the step count changes
EMA_START_FRACTION, DECAY_START_FRACTION = 1 / 3, 1 / 2


# ---------------------------------------------------------------------------------------- training
def batch_timer(stop_after: float | None = None):
    """A Lightning callback summing the wall time of training batches (evaluation excluded).

    ``stop_after`` (seconds) ends the fit as a safety net should the machine slow down
    below the calibrated speed (the checkpoint is still written at the end of training).
    """
    from lightning.pytorch.callbacks import Callback

    class BatchTimer(Callback):
        def __init__(self):
            self.train_s, self.batches, self.times = 0.0, 0, []

        def on_train_batch_start(self, trainer, module, batch, batch_idx):
            self.t0 = time.perf_counter()

        def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
            dt = time.perf_counter() - self.t0
            self.train_s += dt
            self.batches += 1
            self.times.append(dt)
            if stop_after is not None and self.train_s >= stop_after:
                trainer.should_stop = True

    return BatchTimer()


def overrides(model: str, args, steps: int) -> list[str]:
    """Config of one training run: the model's defaults, one thread, no periodic work."""
    out = [
        "domain=images", f"model={model}", f"seed={args.seed}", "data.path=null", "trainer.accelerator=cpu",
        "trainer.devices=1", "trainer.num_threads=1", f"trainer.max_steps={steps}",
        f"ema.start_step={max(1, round(steps * EMA_START_FRACTION))}",
        # the benchmark evaluates the loaded checkpoint itself; the run's own final evaluation
        # stays (L1/SSIM on held-out pairs, cheap) but FID would train reference classifiers
        "run.progress_bar=false", "run.sample_every=0", "run.eval_every=0", "run.monitor=null",
        "++metrics.feature_net=none",
    ]
    if model == "cyclegan":
        out.append(f"optim.decay_start={max(1, round(steps * DECAY_START_FRACTION))}")
    return out


def calibrate(model: str, args, work: Path) -> float:
    """Seconds per generator step of ``model`` on this machine now (median of a short run)."""
    import statistics

    from ganforge import compose_config, train

    timer = batch_timer()
    train(compose_config(overrides(model, args, args.calibration_steps)), work / f"{model}_calibration", callbacks=[timer])
    # the first batches pay for allocation and lazy initialisation; the lower quartile, because
    # the median of a short run landed a third under the budget in the quick checks (other
    # jobs' load spikes slow a few steps; the safety stop in train_part bounds an overshoot)
    times = timer.times[10:] if len(timer.times) > 20 else timer.times[5:] or timer.times
    return statistics.quantiles(times, n=4)[0] if len(times) >= 4 else statistics.median(times)


def train_part(model: str, args, work: Path) -> dict:
    """Calibrate, train for about ``args.budget`` seconds; the run dir and timing figures."""
    from ganforge import compose_config, train

    s_per_step = calibrate(model, args, work)
    steps = max(20, int(args.budget / s_per_step))
    run_dir = work / model
    cfg = compose_config(overrides(model, args, steps))
    timer = batch_timer(stop_after=1.25 * args.budget)
    start = time.perf_counter()
    final = train(cfg, run_dir, callbacks=[timer])
    wall = time.perf_counter() - start
    print(f"{model}: {int(final.get('g_step', 0))} steps, {timer.train_s:.0f} s of training", flush=True)
    return {
        "run_dir": str(run_dir), "calibration_s_per_step": round(s_per_step, 4), "planned_steps": steps,
        "g_steps": int(final.get("g_step", steps)), "train_s": round(timer.train_s, 1), "run_wall_s": round(wall, 1),
        "steps_per_s": round(timer.batches / max(timer.train_s, 1e-9), 3), "config": run_config(cfg),
        "run_final_metrics": {k: round(float(v), 4) for k, v in final.items() if "/test" in k},
    }


def run_config(cfg) -> dict:
    """The settings that define a run, for the JSON (model, optim, ema, data, trainer)."""
    from omegaconf import OmegaConf

    return {k: OmegaConf.to_container(cfg[k], resolve=True) for k in ("model", "optim", "ema", "data", "trainer")}


def datamodule(model: str, args):
    """The run's data module, set up (training and held-out data in memory)."""
    from ganforge import compose_config, get_registry

    cfg = compose_config(overrides(model, args, 1))
    dm = get_registry().get("images").build_datamodule(cfg)
    dm.setup("fit")
    return dm


# ---------------------------------------------------------------------------------------- metrics
def paired(prediction, target) -> dict:
    """L1 and SSIM of ``prediction`` against ``target`` (``PairedMetrics``: pixels in [0, 1])."""
    from ganforge_images.metrics.paired import PairedMetrics

    m = PairedMetrics()
    m.update(prediction, target)
    values = m.compute(split="test")
    return {key.split("/")[0]: round(v, 4) for key, v in values.items()}


def per_image(prediction, target):
    """Per-image L1 and SSIM (their means are :func:`paired`'s figures), for paired bootstraps."""
    import torch
    from torchmetrics.functional.image import structural_similarity_index_measure

    p = ((prediction.float().clamp(-1, 1) + 1) / 2).contiguous()
    t = ((target.float().clamp(-1, 1) + 1) / 2).contiguous()
    l1 = (p - t).abs().flatten(1).mean(1)
    ssim = structural_similarity_index_measure(p, t, data_range=1.0, reduction="none")
    return l1, torch.as_tensor(ssim).flatten()


def bootstrap_diff(a, b, seed: int, n: int = 2000) -> tuple[float, float]:
    """95% paired-bootstrap interval of ``mean(a - b)`` over the held-out images."""
    import torch

    d = (a - b).double()
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(len(d), (n, len(d)), generator=g)
    means = d[idx].mean(1)
    return round(float(means.quantile(0.025)), 4), round(float(means.quantile(0.975)), 4)


def nearest_targets(train_inputs, train_targets, test_inputs, chunk: int = 250):
    """For each test input, the target of the training pair whose input is nearest in pixel L2."""
    import torch

    flat_train = train_inputs.flatten(1).double()
    picks = []
    for x in torch.split(test_inputs.flatten(1).double(), chunk):
        picks.append(torch.cdist(x, flat_train).argmin(1))
    return train_targets[torch.cat(picks)]


def sheet(columns: list, labels: tuple[str, ...], path: Path, n: int = 8) -> str:
    """A labelled sample sheet: one cell per held-out example, the ``columns`` side by side."""
    from ganforge_images.export import save_grid
    from ganforge_images.models.translation import side_by_side

    cells = side_by_side(*(c[:n] for c in columns))
    save_grid(cells, path, nrow=2, labels=labels)
    return str(path.relative_to(REPO))


# ---------------------------------------------------------------------------------------- parts
def translate_live(module, images, direction: str, batch_size: int = 250):
    """Translate with the live (non-averaged) generator in eval mode.

    ``module.translate`` uses the EMA copy (what ``gan-sample`` uses, and what the targets
    are judged on); the live weights are reported beside it because with a budget of about
    a thousand steps the average still spans much of a fast-changing trajectory.
    """
    import torch

    net = module.translator(module.generator, direction)
    was = module.generator.training
    module.generator.eval()
    try:
        with torch.no_grad():
            return torch.cat([net(c) for c in torch.split(images, batch_size)]).cpu()
    finally:
        module.generator.train(was)


def pix2pix_part(args, work: Path, tag: str) -> dict:
    """Train pix2pix on edges -> digits and compare it with the copy and nearest-target baselines."""
    from ganforge import load_module, seeded

    trained = train_part("pix2pix", args, work)
    dm = datamodule("pix2pix", args)
    train, test = dm.train, dm.test_data()
    _, module = load_module(trained["run_dir"])
    with seeded(args.seed + 1):
        translated = module.translate(test.a, "AtoB").cpu()
    predictions = {
        "pix2pix": translated,
        "pix2pix_live": translate_live(module, test.a, "AtoB"),
        "copy": test.a,  # the edge map itself
        "nearest": nearest_targets(train.a, train.b, test.a),
    }
    scores = {name: paired(p, test.b) for name, p in predictions.items()}
    per = {name: per_image(p, test.b) for name, p in predictions.items()}
    # the target is judged on the EMA generator only (chosen before the first full run)
    best_l1 = min(("copy", "nearest"), key=lambda n: scores[n]["l1"])
    best_ssim = max(("copy", "nearest"), key=lambda n: scores[n]["ssim"])
    l1_ci = bootstrap_diff(per["pix2pix"][0], per[best_l1][0], args.seed)
    ssim_ci = bootstrap_diff(per["pix2pix"][1], per[best_ssim][1], args.seed + 1)
    l1_ok = scores["pix2pix"]["l1"] <= L1_RATIO * scores[best_l1]["l1"] and l1_ci[1] < 0
    ssim_ok = scores["pix2pix"]["ssim"] >= scores[best_ssim]["ssim"] + SSIM_GAIN and ssim_ci[0] > 0
    png = sheet([test.a, translated, predictions["copy"], predictions["nearest"], test.b],
                ("input", "pix2pix", "copy baseline", "nearest baseline", "target"),
                RESULTS / f"translation{tag}_pix2pix.png")
    return {
        **trained, "n_train_pairs": len(train.a), "n_test_pairs": len(test.a), "scores": scores,
        "better_baseline": {"l1": best_l1, "ssim": best_ssim},
        "diff_ci95": {"l1": l1_ci, "ssim": ssim_ci},
        "target": {"l1": f"<= {L1_RATIO:g} x {best_l1} ({L1_RATIO * scores[best_l1]['l1']:.4f}), CI of diff < 0",
                   "ssim": f">= {best_ssim} + {SSIM_GAIN:g} ({scores[best_ssim]['ssim'] + SSIM_GAIN:.4f}), CI of diff > 0",
                   "l1_met": l1_ok, "ssim_met": ssim_ok, "met": l1_ok and ssim_ok},
        "sheet": png,
    }


def classifier(x0, x1, v0, v1, args, name: str):
    """The images plugin's reference-classifier CNN trained to tell ``x0`` (class 0) from ``x1`` (class 1)."""
    import torch

    from ganforge_images.metrics.classifier import train_reference_classifier

    x = torch.cat([x0, x1])
    y = torch.cat([torch.zeros(len(x0)), torch.ones(len(x1))]).long()
    vx = torch.cat([v0, v1])
    vy = torch.cat([torch.zeros(len(v0)), torch.ones(len(v1))]).long()
    return train_reference_classifier(x, y, vx, vy, num_classes=2, epochs=args.classifier_epochs,
                                      min_steps=args.classifier_min_steps, max_val=len(vx), seed=args.seed,
                                      name=name, accelerator="cpu", progress=False)


def share(trained, images, label: int) -> float:
    """The share of ``images`` the classifier assigns to class ``label``."""
    import torch

    with torch.no_grad():
        preds = torch.cat([trained.model.logits(c).argmax(1) for c in torch.split(images, 500)])
    return round(float((preds == label).float().mean()), 4)


def cyclegan_part(args, work: Path, tag: str) -> dict:
    """Train CycleGAN on digits <-> bold ink; domain-classifier share, cycle L1, stroke check."""
    from ganforge import load_module, seeded

    trained = train_part("cyclegan", args, work)
    dm = datamodule("cyclegan", args)
    train, test = dm.train, dm.test_data()
    _, module = load_module(trained["run_dir"])
    with seeded(args.seed + 1):
        ab = module.translate(test.a, "AtoB").cpu()
        ba = module.translate(test.b, "BtoA").cpu()
        aba = module.translate(ab, "BtoA").cpu()
        bab = module.translate(ba, "AtoB").cpu()
    # A vs B: class 0 = A (white digits on black), 1 = B (bold dark ink on white)
    domain = classifier(train.a, train.b, test.a, test.b, args, "domain classifier")
    # thin vs bold ink on the target domain's background: invert-only baselines fail it
    stroke_b = classifier(-train.a, train.b, -test.a, test.b, args, "stroke classifier (white paper)")
    stroke_a = classifier(train.a, -train.b, test.a, -test.b, args, "stroke classifier (black paper)")
    directions = {}
    for name, source, target, translation, cycled, label, stroke, stroke_label in (
        ("AtoB", test.a, test.b, ab, aba, 1, stroke_b, 1),
        ("BtoA", test.b, test.a, ba, bab, 0, stroke_a, 0),
    ):
        arms = {"cyclegan": translation, "cyclegan_live": translate_live(module, source, name), "copy": source,
                "invert": -source}
        directions[name] = {
            "target_domain_share": {arm: share(domain, x, label) for arm, x in arms.items()},
            "stroke_share": {arm: share(stroke, x, stroke_label) for arm, x in arms.items()},
            "true_pair": {arm: paired(x, target) for arm, x in arms.items()},
            "cycle": paired(cycled, source),
            "sheet": sheet([source, translation, cycled, target], ("input", "translated", "cycled", "true target"),
                           RESULTS / f"translation{tag}_cyclegan_{name}.png"),
        }
    met = all(d["target_domain_share"]["cyclegan"] >= DOMAIN_TARGET for d in directions.values())
    return {
        **trained, "n_train": [len(train.a), len(train.b)], "n_test": len(test.a),
        "classifiers": {"domain": domain.summary(), "stroke_white_paper": stroke_b.summary(),
                        "stroke_black_paper": stroke_a.summary()},
        "directions": directions, "target": {"domain_share": f">= {DOMAIN_TARGET:g} each direction", "met": met},
    }


# ---------------------------------------------------------------------------------------- report
def pix2pix_md(r: dict) -> list[str]:
    """The pix2pix rows of the docs section."""
    s, t = r["scores"], r["target"]
    return [
        f"**pix2pix, edges -> digits** (`{r.get('command', '?')}`, {r.get('date', '?')}: {r['g_steps']} generator steps ({r['planned_steps']} planned) in "
        f"{r['train_s'] / 60:.1f} min of training, {r['steps_per_s']:.2f} steps/s, batch 16, `conf/model/pix2pix.yaml` defaults; {r['n_test_pairs']} held-out "
        f"pairs, {r['n_train_pairs']} training pairs for the nearest baseline)",
        "",
        "| prediction | L1 (lower better) | SSIM (higher better) |",
        "| --- | ---: | ---: |",
        f"| pix2pix (EMA generator: the target's subject) | {s['pix2pix']['l1']:.4f} | {s['pix2pix']['ssim']:.4f} |",
        *([f"| pix2pix (live generator) | {s['pix2pix_live']['l1']:.4f} | {s['pix2pix_live']['ssim']:.4f} |"]
          if "pix2pix_live" in s else []),
        f"| copy baseline (the edge map itself) | {s['copy']['l1']:.4f} | {s['copy']['ssim']:.4f} |",
        f"| nearest baseline (target of the training pair with the L2-nearest input) | {s['nearest']['l1']:.4f} | "
        f"{s['nearest']['ssim']:.4f} |",
        "",
        f"Target (a clear margin over the better baseline): L1 {t['l1']}: {s['pix2pix']['l1']:.4f}, difference 95% CI "
        f"{r['diff_ci95']['l1']} -> {'met' if t['l1_met'] else 'NOT met'}; SSIM {t['ssim']}: {s['pix2pix']['ssim']:.4f}, "
        f"difference 95% CI {r['diff_ci95']['ssim']} -> {'met' if t['ssim_met'] else 'NOT met'}.",
        "",
        f"![pix2pix sheet](../{r['sheet']})",
    ]


def cyclegan_md(r: dict) -> list[str]:
    """The CycleGAN rows of the docs section."""
    c = r["classifiers"]
    rows = []
    for name, d in r["directions"].items():
        for arm in ("cyclegan", "cyclegan_live", "copy", "invert"):
            tp = d["true_pair"][arm]
            cyc = f"{d['cycle']['l1']:.4f} / {d['cycle']['ssim']:.3f}" if arm == "cyclegan" else "-"
            label = {"cyclegan": "CycleGAN (EMA)", "cyclegan_live": "CycleGAN (live generator)", "copy": "copy input",
                     "invert": "invert input only"}[arm]
            # the stroke classifiers know only the target domain's background: meaningless on a copied input
            stroke = "-" if arm == "copy" else f"{d['stroke_share'][arm]:.3f}"
            rows.append(f"| {name} | {label} | {d['target_domain_share'][arm]:.3f} | {stroke} | "
                        f"{tp['l1']:.4f} | {tp['ssim']:.3f} | {cyc} |")
    verdict = "; ".join(f"{n} {d['target_domain_share']['cyclegan']:.3f}" for n, d in r["directions"].items())
    return [
        f"**CycleGAN, digits <-> bold ink** (`{r.get('command', '?')}`, {r.get('date', '?')}: {r['g_steps']} generator steps ({r['planned_steps']} planned) in "
        f"{r['train_s'] / 60:.1f} min of training, {r['steps_per_s']:.2f} steps/s, batch 8, `conf/model/cyclegan.yaml` defaults; {r['n_train'][0]} + "
        f"{r['n_train'][1]} unpaired training images, {r['n_test']} held-out digits per direction)",
        "",
        f"Classifiers: the images plugin's reference-classifier CNN (`train_reference_classifier`, the FID network) "
        f"trained on labels A/B of the training images, held-out accuracy {c['domain']['val_accuracy']:.3f}; "
        f"stroke classifiers (thin vs bold ink on the target's background; no target, a check that more than the "
        f"background changed): white paper {c['stroke_white_paper']['val_accuracy']:.3f}, black paper "
        f"{c['stroke_black_paper']['val_accuracy']:.3f}. The A/B classifier separates the domains by their "
        "background, so inverting the input alone passes it (the invert-only row); the stroke share and the L1/SSIM "
        "to the true pair (the held-out B is the rewrite of the same digit) show whether the strokes were "
        "translated too.",
        "",
        "| direction | images | target-domain share | target-stroke share | L1 to true pair | SSIM | cycle L1 / SSIM |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"Target: >= {DOMAIN_TARGET:g} of translations classified as the target domain: {verdict} -> "
        f"{'met' if r['target']['met'] else 'NOT met'}.",
        "",
        " ".join(f"![CycleGAN {n}](../{d['sheet']})" for n, d in r["directions"].items()),
    ]


def report(args, tag: str, started: float) -> None:
    """Write translation.json and the docs section from whichever part results exist."""
    parts = {}
    for part in PARTS:
        path = RESULTS / f"translation{tag}_{part}.json"
        if path.is_file():
            parts[part] = json.loads(path.read_text())
    cmd = "python bench/translation.py " + " ".join(sys.argv[1:])
    lines = [
        "## pix2pix and CycleGAN learn their translations on the CPU (issue 14 item 3) (`bench/translation.py`)",
        "",
        f"`{cmd}` -- {time.strftime('%Y-%m-%d')}, 1 torch thread per process, machine: this 2-core VM. "
        "Embedded data (6,000 training / 1,000 held-out MNIST digits at 32x32). Each model trains through "
        "`ganforge.train` for about the stated budget (generator steps = budget / seconds per step timed in a "
        "short calibration run; EMA start and CycleGAN's lr decay at 1/3 and 1/2 of the steps, as in the configs), "
        "then `ganforge.load_module` translates the held-out inputs with the EMA generator in eval mode. "
        "L1 and SSIM: `PairedMetrics` (pixels in [0, 1]); CIs: paired bootstrap over the held-out images.",
        "",
    ]
    if "pix2pix" in parts:
        lines += pix2pix_md(parts["pix2pix"]) + [""]
    if "cyclegan" in parts:
        lines += cyclegan_md(parts["cyclegan"]) + [""]
    walls = ", ".join(f"{p} {r['budget_s']:.0f} s budget, {r.get('part_wall_s', float('nan')) / 60:.1f} min wall "
                      "(calibration, training, evaluation)" for p, r in parts.items())
    lines.append(f"Per part: {walls}; this process's wall time {(time.time() - started) / 60:.1f} min.")
    md = "\n".join(lines)
    print(md, flush=True)
    if tag:  # a quick check: its figures stay out of docs/benchmarks.md
        (RESULTS / f"translation{tag}.json").write_text(json.dumps({"command": cmd, "parts": parts}, indent=2) + "\n")
    else:
        write_results("translation", {"command": cmd, "parts": parts}, md)


def main() -> None:
    """Run the chosen parts, then write the results."""
    import shutil
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated: {', '.join(PARTS)}")
    parser.add_argument("--budget", type=float, default=None, help="training seconds per model (default 480; --quick 60)")
    parser.add_argument("--quick", action="store_true", help="about 1 min of training per model: checks the script")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--calibration-steps", type=int, default=None)
    parser.add_argument("--classifier-epochs", type=int, default=None)
    parser.add_argument("--classifier-min-steps", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the run dirs (printed) instead of deleting them")
    args = parser.parse_args()
    args.budget = args.budget or (60.0 if args.quick else 480.0)
    args.calibration_steps = args.calibration_steps or (15 if args.quick else 40)
    args.classifier_epochs = args.classifier_epochs or (1 if args.quick else 3)
    args.classifier_min_steps = args.classifier_min_steps if args.classifier_min_steps is not None else (
        50 if args.quick else 300)
    import torch

    torch.set_num_threads(1)
    # quick runs write their own files (translation_quick*), never the full run's figures
    tag = "_quick" if args.quick else ""
    started = time.time()
    for part in args.parts.split(","):
        if part not in PARTS:
            raise SystemExit(f"--parts: unknown part {part!r}; choose from {', '.join(PARTS)}")
        work = Path(tempfile.mkdtemp(prefix=f"ganforge-bench-translation-{part}-"))
        part_start = time.time()
        try:
            res = (pix2pix_part if part == "pix2pix" else cyclegan_part)(args, work, tag)
        finally:
            if args.keep:
                print(f"run dirs kept in {work}", flush=True)
            else:
                shutil.rmtree(work, ignore_errors=True)
        res.update({"budget_s": args.budget, "seed": args.seed, "quick": args.quick,
                    "command": "python bench/translation.py " + " ".join(sys.argv[1:]),
                    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                    "part_wall_s": round(time.time() - part_start, 1)})
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"translation{tag}_{part}.json").write_text(json.dumps(res, indent=2, default=float) + "\n")
        print(json.dumps(res["target"]), flush=True)
    report(args, tag, started)


if __name__ == "__main__":
    main()
