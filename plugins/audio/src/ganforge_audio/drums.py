"""The embedded default data set: procedurally synthesised one-shot drum sounds.

``gan-run domain=audio model=wavegan`` must work with no data path, so the plugin
synthesises a small labelled set of kick, snare and hi-hat one-shots (classic analogue
drum-machine recipes: pitch-swept sine kicks, tone + filtered-noise snares, metallic
square-cluster / noise hats) from a fixed seed. It is generated on first use into a cache
folder as real 16-bit WAV files (one sub-folder per class) and then read through the same
folder reader as user data. Nothing is downloaded and no third-party audio is included, so
no attribution is needed; the files are deterministic (same seed -> same bytes).

Shipping the WAVs would cost ~1.5 MB in the package; synthesising takes about a second.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from scipy import signal

from ganforge_audio.audio_io import write_wav

DRUM_CLASSES = ("hat", "kick", "snare")
VERSION = 1
DEFAULT_SEED = 1234
DEFAULT_PER_CLASS = 40
SAMPLE_RATE = 16000
DURATION_S = 0.5


def cache_root() -> Path:
    """Where ganforge_audio caches generated data and classifiers: ``audio/`` in
    :func:`ganforge.cache_dir` (``$GANFORGE_CACHE_DIR``, else ``~/.cache/ganforge``)."""
    from ganforge import cache_dir

    return cache_dir("audio")


def _envelope(n: int, decay_s: float, rate: int, attack_s: float = 0.001) -> np.ndarray:
    t = np.arange(n) / rate
    env = np.exp(-t / decay_s)
    attack = max(1, int(attack_s * rate))
    env[:attack] *= np.linspace(0.0, 1.0, attack)
    return env


def _filtered(x: np.ndarray, rate: int, kind: str, freq: float | tuple[float, float], order: int = 2) -> np.ndarray:
    # scipy's Butterworth sections rather than torchaudio's biquads: the latter clamp
    # their output to [-1, 1], which would clip unit-variance noise.
    sos = signal.butter(order, freq, btype=kind, fs=rate, output="sos")
    return signal.sosfilt(sos, x)


def synth_kick(rng: np.random.Generator, rate: int, n: int) -> np.ndarray:
    """Sine whose pitch falls exponentially (~150 -> ~45 Hz) plus a short click."""
    t = np.arange(n) / rate
    f_start, f_end = rng.uniform(110, 190), rng.uniform(38, 60)
    sweep = rng.uniform(0.02, 0.06)
    freq = f_end + (f_start - f_end) * np.exp(-t / sweep)
    phase = 2 * np.pi * np.cumsum(freq) / rate
    body = np.sin(phase) * _envelope(n, rng.uniform(0.12, 0.3), rate)
    click = _filtered(rng.standard_normal(n), rate, "lowpass", rng.uniform(2000, 5000)) * _envelope(n, 0.004, rate)
    drive = rng.uniform(1.0, 2.5)  # soft saturation as in analogue kicks
    return np.tanh(drive * (body + rng.uniform(0.1, 0.4) * click)) / np.tanh(drive)


def synth_snare(rng: np.random.Generator, rate: int, n: int) -> np.ndarray:
    """Two damped tones (~180/330 Hz) plus band-passed noise ("snares")."""
    t = np.arange(n) / rate
    f0 = rng.uniform(160, 240)
    tone = (np.sin(2 * np.pi * f0 * t) + 0.6 * np.sin(2 * np.pi * f0 * rng.uniform(1.6, 1.9) * t))
    tone *= _envelope(n, rng.uniform(0.03, 0.07), rate)
    centre = rng.uniform(2500, 5000)
    noise = _filtered(rng.standard_normal(n), rate, "bandpass", (centre / 1.6, min(centre * 1.6, 7500)))
    noise *= _envelope(n, rng.uniform(0.08, 0.2), rate)
    mix = rng.uniform(0.35, 0.65)
    return (1 - mix) * tone + mix * 2.5 * noise


def synth_hat(rng: np.random.Generator, rate: int, n: int) -> np.ndarray:
    """Six inharmonic square waves plus noise, high-passed; closed (short) or open (long)."""
    t = np.arange(n) / rate
    base = rng.uniform(280, 420)
    ratios = np.array([2.0, 3.0, 4.16, 5.43, 6.79, 8.21])
    metal = sum(np.sign(np.sin(2 * np.pi * base * r * t + rng.uniform(0, 2 * np.pi))) for r in ratios) / 6
    source = 0.6 * metal + 0.4 * rng.standard_normal(n)
    # Hats live near the top of the 8 kHz band that a 16 kHz rate can hold.
    bright = _filtered(source, rate, "highpass", rng.uniform(4500, 6500), order=4)
    decay = rng.uniform(0.02, 0.06) if rng.random() < 0.6 else rng.uniform(0.15, 0.3)
    return 3.0 * bright * _envelope(n, decay, rate, attack_s=0.0005)


SYNTHS = {"kick": synth_kick, "snare": synth_snare, "hat": synth_hat}


def synthesise_drums(
    out_dir: Path,
    per_class: int = DEFAULT_PER_CLASS,
    seed: int = DEFAULT_SEED,
    sample_rate: int = SAMPLE_RATE,
    duration_s: float = DURATION_S,
) -> list[Path]:
    """Write ``per_class`` WAVs per drum class under ``out_dir/<class>/`` and return them.

    Each class uses its own child seed, so adding clips to one class does not change the
    others. Every clip is peak-normalised to a random level in [0.6, 0.95] and faded out
    over its last 10 ms so it never ends in a click.
    """
    n = int(round(sample_rate * duration_s))
    fade = np.linspace(1.0, 0.0, int(0.01 * sample_rate))
    paths = []
    for ci, name in enumerate(DRUM_CLASSES):
        rng = np.random.default_rng([seed, ci])
        for i in range(per_class):
            clip = SYNTHS[name](rng, sample_rate, n)
            clip[-len(fade):] *= fade
            clip = clip / (np.abs(clip).max() + 1e-9) * rng.uniform(0.6, 0.95)
            paths.append(write_wav(out_dir / name / f"{name}_{i:03d}.wav", torch.from_numpy(clip), sample_rate))
    return paths


def default_drums_dir(per_class: int = DEFAULT_PER_CLASS, seed: int = DEFAULT_SEED) -> Path:
    """The cached embedded drum set, synthesised on first call (safe against concurrent runs).

    Generation goes to a temporary folder that is renamed into place only when complete,
    so an interrupted run never leaves a half-written data set behind.
    """
    root = cache_root() / f"drums-v{VERSION}-seed{seed}-n{per_class}"
    manifest = root / "manifest.json"
    if manifest.exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=root.name + ".", dir=root.parent))
    try:
        paths = synthesise_drums(tmp, per_class, seed)
        info = {
            "what": "procedurally synthesised one-shot drums (ganforge_audio.drums)",
            "version": VERSION, "seed": seed, "per_class": per_class, "classes": list(DRUM_CLASSES),
            "sample_rate": SAMPLE_RATE, "duration_s": DURATION_S, "files": len(paths),
            "license": "generated by ganforge; no third-party material",
        }
        (tmp / "manifest.json").write_text(json.dumps(info, indent=2) + "\n")
        try:
            tmp.rename(root)
        except OSError:  # another process finished first: keep theirs
            pass
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return root
