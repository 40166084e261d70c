"""Audio benchmark: WaveGAN generator-steps/s and the Inception score after a fixed CPU budget.

Parts (all through the real ganforge training loop: config composition, the audio data
module, ``AdversarialModule`` with WGAN-GP, Lightning ``Trainer``):

* ``speed``: generator steps/s of ``wavegan`` at the paper size (d = 64, 16 kHz,
  16384 samples, batch 64, 5 critic updates + gradient penalty per generator step) and at
  a small CPU profile (d = 16, 8 kHz, 4096 samples, batch 64).
* ``is``: on the Free Spoken Digit Dataset (``../shared/data/audio/recordings`` when
  present, or ``--data``): train the log-mel IS classifier on the official train split
  (index 5-49), report its test accuracy and the IS of the real test clips (index 0-4),
  then train WaveGAN at the small profile for ``--budget-s`` seconds and report the IS
  and nearest-neighbour distances of its samples.

Writes ``bench/results/audio.json`` and the ``audio`` section of ``docs/benchmarks.md``
(``--gpu-json`` merges a speed-only result produced on a GPU machine with
``--part speed --device cuda --json-only FILE``).

    python bench/audio.py                       # everything, ~20 minutes on 2 CPU cores
    python bench/audio.py --part speed --device cuda --json-only gpu.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch
from lightning.pytorch.callbacks import Callback

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
FSDD = REPO.parent / "shared" / "data" / "audio" / "recordings"
FSDD_TEST = r"_[0-4]\.wav$"  # official split: recordings 0-4 of each speaker/digit are the test set
FSDD_LABEL = r"^(\d)_"
SMALL = {"sample_rate": 8000, "window": 4096, "d": 16}
PAPER = {"sample_rate": 16000, "window": 16384, "d": 64}


class StepTimer(Callback):
    """Records the wall time of every generator step; stops after ``max_steps`` or ``budget_s``."""

    def __init__(self, budget_s: float | None = None):
        self.budget_s = budget_s
        self.times: list[float] = []
        self.t0 = 0.0
        self._last = -1

    def on_train_start(self, trainer, module):
        self.t0 = time.perf_counter()
        self._last = module.g_step

    def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
        if module.g_step != self._last:
            self._last = module.g_step
            if module.device.type == "cuda":
                torch.cuda.synchronize()
            self.times.append(time.perf_counter() - self.t0)
        if self.budget_s is not None and time.perf_counter() - self.t0 > self.budget_s:
            trainer.should_stop = True


def run_wavegan(overrides: list[str], run_dir: Path, budget_s: float | None = None):
    """Train wavegan with ``overrides`` through the core loop; returns (module, datamodule, timer)."""
    from ganforge import compose_config, get_registry, make_trainer

    cfg = compose_config(["domain=audio", "model=wavegan", "run.progress_bar=false", "run.sample_every=0",
                          "run.checkpoint_every=0", "run.sample_count=0", "run.log_every=0",
                          "metrics.n_samples=0", *overrides])
    plugin = get_registry().get("audio")
    dm = plugin.build_datamodule(cfg)
    dm.setup("fit")
    module = plugin.make_module(cfg, dm.spec())
    timer = StepTimer(budget_s)
    trainer = make_trainer(cfg, run_dir, [timer], seed=0)
    trainer.fit(module, datamodule=dm)
    return module, dm, timer


def steps_per_s(times: list[float]) -> float:
    """Generator steps/s, leaving out the first step (allocation, cuDNN autotuning) when
    more than one was timed."""
    if not times:
        return float("nan")
    if len(times) == 1:
        return 1.0 / times[0]
    return (len(times) - 1) / (times[-1] - times[0])


def profile(name: str, prof: dict, steps: int, device: str, data: str | None, tmp: Path) -> dict:
    """Time ``steps`` generator steps of one profile."""
    over = [f"data.sample_rate={prof['sample_rate']}", f"data.window={prof['window']}", f"model.d={prof['d']}",
            f"trainer.max_steps={steps}", f"trainer.accelerator={device}", "data.batch_size=64"]
    if data:
        over.append(f"data.path={data}")
    t = time.perf_counter()
    module, dm, timer = run_wavegan(over, tmp / name)
    rate = steps_per_s(timer.times)
    result = {**prof, "batch_size": 64, "n_critic": 5, "loss": "wgan-gp", "device": device,
              "steps_timed": max(1, len(timer.times) - 1), "generator_steps_per_s": rate,
              "seconds_per_step": 1.0 / rate if rate == rate and rate > 0 else float("nan"),
              "wall_s": time.perf_counter() - t,
              "params_g": sum(p.numel() for p in module.generator.parameters()),
              "params_d": sum(p.numel() for p in module.discriminator.parameters())}
    print(f"[speed] {name}: {rate:.4f} G steps/s on {device}", flush=True)
    return result


def inception_part(data: Path, budget_s: float, n_samples: int, tmp: Path) -> dict:
    """Classifier on FSDD train, IS of real test clips, IS of WaveGAN after ``budget_s``."""
    from ganforge_audio.audio_io import load_audio_folder
    from ganforge_audio.classifier import save_classifier, train_classifier
    from ganforge_audio.export import export_audio
    from ganforge_audio.metrics import classifier_features, inception_score, nearest_neighbour_distances

    rate, window = SMALL["sample_rate"], SMALL["window"]
    t = time.perf_counter()
    train = load_audio_folder(data, rate, window, labels="regex", label_pattern=FSDD_LABEL, exclude=FSDD_TEST)
    test = load_audio_folder(data, rate, window, labels="regex", label_pattern=FSDD_LABEL, include=FSDD_TEST)
    clf, clf_metrics = train_classifier(train.stacked(), train.labels, train.class_names, rate, epochs=15)
    clf_path = save_classifier(clf, tmp / "fsdd_classifier.pt", clf_metrics)
    x_test = test.stacked()
    with torch.no_grad():
        test_acc = (torch.cat([clf(x).argmax(1) for x in x_test.split(256)]) == torch.tensor(test.labels)).float().mean().item()
    is_real_test = inception_score(clf, x_test, rate)
    clf_s = time.perf_counter() - t
    print(f"[is] classifier: test accuracy {test_acc:.3f}, IS(real test) {is_real_test[0]:.3f} ({clf_s:.0f} s)", flush=True)

    # Regexes are quoted for Hydra's override grammar (brackets would parse as a list).
    over = [f"data.path={data}", f"data.exclude='{FSDD_TEST}'", f"data.sample_rate={rate}", f"data.window={window}",
            f"model.d={SMALL['d']}", "trainer.max_steps=1000000", "trainer.accelerator=cpu", "data.batch_size=64"]
    module, dm, timer = run_wavegan(over, tmp / "fsdd_wavegan", budget_s=budget_s)
    with torch.no_grad():
        torch.manual_seed(0)
        samples = module.sample(n_samples)
        is_gen = inception_score(clf, samples.audio, rate)
        f_gen = classifier_features(clf, samples.audio, rate)
        f_train = classifier_features(clf, train.stacked(), rate)
        f_test = classifier_features(clf, x_test, rate)
    nn_gen = nearest_neighbour_distances(f_gen, f_train)
    nn_real = nearest_neighbour_distances(f_test, f_train)
    export_audio(samples.audio[:16], tmp / "samples", "fsdd_wavegan", rate)
    print(f"[is] WaveGAN after {len(timer.times)} steps: IS {is_gen[0]:.3f}", flush=True)
    return {
        "data": "Free Spoken Digit Dataset (FSDD), 8 kHz; train = index 5-49, test = index 0-4",
        "profile": {**SMALL, "batch_size": 64, "n_critic": 5, "loss": "wgan-gp"},
        "classifier": {"train_clips": len(train.clips), "test_clips": len(test.clips),
                       "val_accuracy": clf_metrics["val_accuracy"], "test_accuracy": test_acc,
                       "train_seconds": clf_s, "file": clf_path.name},
        "is_real_test": is_real_test[0], "is_real_test_std": is_real_test[1],
        "budget_s": budget_s, "generator_steps": len(timer.times),
        "is_samples": is_gen[0], "is_samples_std": is_gen[1], "n_samples": n_samples,
        "nn_self_samples": nn_gen["self"], "nn_train_samples": nn_gen["train"],
        "nn_self_real_test": nn_real["self"], "nn_train_real_test": nn_real["train"],
    }


def markdown(payload: dict) -> str:
    """The ``audio`` section of docs/benchmarks.md."""
    m = payload["machine"] if "machine" in payload else {}
    lines = ["## audio (WaveGAN)", "",
             f"`python bench/audio.py` on {m.get('cpu_count', '?')} CPU cores ({m.get('torch_threads', '?')} torch threads), "
             f"torch {m.get('torch', '?')}, {m.get('date', '')}. Every figure goes through the real training loop "
             "(WGAN-GP, 5 critic updates per generator step, batch 64). The CPU is shared with other jobs, so "
             "CPU figures are pessimistic; GPU rows, when present, come from `--part speed --device cuda`.", "",
             "| profile | device | G params | D params | generator steps/s | s/step |", "| --- | --- | --- | --- | --- | --- |"]
    for key, r in payload.get("speed", {}).items():
        lines.append(f"| {key}: d={r['d']}, {r['sample_rate'] // 1000} kHz, {r['window']} samples | {r['device']} | "
                     f"{r['params_g'] / 1e6:.2f} M | {r['params_d'] / 1e6:.2f} M | {r['generator_steps_per_s']:.4f} | "
                     f"{r['seconds_per_step']:.2f} |")
    isr = payload.get("inception")
    if isr:
        c = isr["classifier"]
        lines += ["", "Inception score on spoken digits (FSDD, 10 classes; log-mel CNN classifier trained by ganforge "
                  f"on {c['train_clips']} train clips, test accuracy {c['test_accuracy']:.3f}):", "",
                  "| what | IS | NN distance within | NN distance to train |", "| --- | --- | --- | --- |",
                  f"| real test clips ({c['test_clips']}) | {isr['is_real_test']:.2f} +- {isr['is_real_test_std']:.2f} | "
                  f"{isr['nn_self_real_test']:.1f} | {isr['nn_train_real_test']:.1f} |",
                  f"| WaveGAN d=16, 8 kHz, after {isr['budget_s'] / 60:.0f} min CPU ({isr['generator_steps']} steps), "
                  f"{isr['n_samples']} samples | {isr['is_samples']:.2f} +- {isr['is_samples_std']:.2f} | "
                  f"{isr['nn_self_samples']:.1f} | {isr['nn_train_samples']:.1f} |", "",
                  "For scale: the paper's SC09 classifier scores real digits near 9 and WaveGAN well below that "
                  "after days of GPU training; minutes of CPU training are a check of the whole pipeline, not a "
                  "reproduction of the paper's numbers."]
    elif payload.get("inception_skipped"):
        lines += ["", f"Inception score part skipped: {payload['inception_skipped']}"]
    return "\n".join(lines)


def main(argv=None) -> int:
    """Run the requested parts and write the results."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--part", choices=["all", "speed", "is", "none"], default="all")
    p.add_argument("--reuse", help="start from an earlier results JSON (e.g. to merge --gpu-json with --part none)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--paper-steps", type=int, default=1,
                   help="generator steps run at d=64 (with more than one, the first is a warm-up)")
    p.add_argument("--small-steps", type=int, default=11)
    p.add_argument("--budget-s", type=float, default=600.0, help="CPU seconds of WaveGAN training for the IS")
    p.add_argument("--n-samples", type=int, default=500)
    p.add_argument("--data", default=str(FSDD))
    # One thread by default: on the shared 2-core machine (several jobs at once) two
    # threads made a WaveGAN step 5x slower than one (spinning thread pools).
    p.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    p.add_argument("--gpu-json", help="merge a speed result written on a GPU machine (--json-only)")
    p.add_argument("--json-only", help="write only this JSON file (no docs section)")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    os.environ.setdefault("GANFORGE_CACHE", str(Path(tempfile.gettempdir()) / "ganforge-bench-cache"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-audio-"))
    data = Path(args.data)
    payload: dict = {"speed": {}}
    if args.reuse:
        old = json.loads(Path(args.reuse).read_text())
        payload = {k: v for k, v in old.items() if k not in ("benchmark", "machine")}
    if args.part in ("all", "speed"):
        small_data = str(data) if data.is_dir() else None
        payload["speed"]["paper"] = profile("paper", PAPER, args.paper_steps, args.device, None, tmp)
        payload["speed"]["small"] = profile("small", SMALL, args.small_steps, args.device, small_data, tmp)
    if args.gpu_json:
        gpu = json.loads(Path(args.gpu_json).read_text())
        for key, r in gpu.get("speed", {}).items():
            payload["speed"][f"{key}-gpu"] = {**r, "device": gpu.get("device_name", r["device"])}
    if args.part in ("all", "is"):
        if data.is_dir():
            payload["inception"] = inception_part(data, args.budget_s, args.n_samples, tmp)
        else:
            payload["inception_skipped"] = f"{data} not found (the FSDD recordings)"
    payload["samples_dir"] = str(tmp)
    if args.json_only:
        payload["device_name"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
        Path(args.json_only).write_text(json.dumps(payload, indent=2, default=float) + "\n")
        return 0
    from _common import machine_info, write_results

    payload["machine"] = machine_info()
    out = write_results("audio", payload, markdown(payload))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
