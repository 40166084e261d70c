"""Which drum types a trained audio GAN generates (issue 14, item 4: why WaveGAN's IS stalls).

The Inception score of the drums is ``exp(H(mean p) - mean H(p))`` over the drum-type
classifier's predictions ``p``: it falls when the samples crowd into fewer classes (the first
term) or when each sample is classified less confidently (the second). This script splits a
run's score into those two parts, with the share of samples per predicted class, for the run's
sampling generator (the EMA when there is one) and for as many real training clips, and gives
the mean power per quarter of the band (0 to Nyquist) of the real clips of each class and of
the generated clips, to show which sounds the generator does not make:

    python bench/wavegan_classes.py RUN_DIR [RUN_DIR ...] [--n 256] [--json out.json]

It uses the classifier the run's own evaluation used (the domain's cached one for labelled
data, or ``metrics.classifier``) and draws samples the way ``gan-sample`` does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch


def decomposition(probs: torch.Tensor, names: list[str]) -> dict:
    """Class shares, mean confidence and the two entropy terms of the Inception score."""
    eps = 1e-12
    marginal = probs.mean(0)
    h_marginal = float(-(marginal * (marginal + eps).log()).sum())
    h_cond = float(-(probs * (probs + eps).log()).sum(1).mean())
    shares = torch.bincount(probs.argmax(1), minlength=len(names)).float() / len(probs)
    return {
        "share_by_predicted_class": {n: round(float(s), 3) for n, s in zip(names, shares)},
        "mean_probability_by_class": {n: round(float(m), 3) for n, m in zip(names, marginal)},
        "mean_confidence": round(float(probs.max(1).values.mean()), 3),
        "exp_entropy_of_mean": round(float(torch.tensor(h_marginal).exp()), 3),  # effective classes covered
        "exp_mean_entropy": round(float(torch.tensor(h_cond).exp()), 3),  # effective classes per sample (1 = sure)
        "is_single_split": round(float(torch.tensor(h_marginal - h_cond).exp()), 3),
    }


def band_levels(waves: torch.Tensor, bands: int = 4, n_fft: int = 256) -> list[float]:
    """Mean power in dB of ``bands`` equal frequency bands from 0 to Nyquist (torch.stft; the
    loudness helpers of the domain give one broadband level, not this split)."""
    spec = torch.stft(waves.reshape(-1, waves.shape[-1]).float(), n_fft, window=torch.hann_window(n_fft),
                      return_complex=True).abs().square().mean(dim=(0, 2))  # [freq]
    return [round(float(10 * torch.log10(chunk.mean() + 1e-12)), 1) for chunk in spec[1:].chunk(bands)]


@torch.no_grad()
def analyse(run_dir: Path, n: int, seed: int) -> dict:
    """The decomposition for ``n`` generated clips of ``run_dir`` and ``n`` real training clips."""
    from ganforge import load_module
    from ganforge_audio.classifier import evaluation_classifier

    plugin, module = load_module(run_dir)
    cfg = module.run_config
    dm = plugin.build_datamodule(cfg)
    dm.prepare_data()
    dm.setup("fit")
    folder = dm.folder
    classifier = evaluation_classifier(cfg.metrics.classifier, folder, int(cfg.metrics.classifier_epochs))
    if classifier is None:
        raise SystemExit(f"{run_dir}: unlabelled data and no metrics.classifier: no drum-type classes to count")
    classifier.eval()
    torch.manual_seed(seed)
    samples = module.sample(n)
    rate = samples.sample_rate
    real = dm.training_waves(limit=n)

    def probs(waves: torch.Tensor) -> torch.Tensor:
        return torch.cat([classifier(classifier.prepare(w.float(), rate)).softmax(1) for w in waves.split(128)])

    names = list(classifier.class_names)
    every = dm.training_waves()
    labels = torch.as_tensor(folder.labels) if folder.labels is not None else None
    levels = {"generated": band_levels(samples.audio)}
    if labels is not None:
        levels.update({f"real {name}": band_levels(every[labels == i]) for i, name in enumerate(folder.class_names)})
    return {"run_dir": str(run_dir), "n": n, "classes": names, "sample_rate": rate,
            "band_db (quarters of 0..Nyquist)": levels,
            "generated": decomposition(probs(samples.audio), names), "real": decomposition(probs(real), names)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dirs", nargs="+", type=Path)
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    results = [analyse(d, args.n, args.seed) for d in args.run_dirs]
    text = json.dumps(results, indent=1)
    if args.json:
        args.json.write_text(text)
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
