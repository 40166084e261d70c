"""Writing generated audio: 16-bit WAV files and a spectrogram PNG sheet."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from matplotlib import colormaps
from PIL import Image
from torchvision.utils import make_grid

from ganforge_audio.audio_io import write_wav


def as_waveforms(samples: torch.Tensor) -> torch.Tensor:
    """Normalise a batch of mono audio to ``[N, L]`` float32 on the CPU.

    Accepts ``[N, L]``, ``[N, 1, L]`` or a single ``[L]`` signal.
    """
    x = samples.detach().float().cpu()
    if x.dim() == 1:
        x = x.unsqueeze(0)
    if x.dim() == 3:
        if x.shape[1] != 1:
            raise ValueError(f"expected mono audio [N, 1, L], got {list(x.shape)}")
        x = x[:, 0]
    if x.dim() != 2:
        raise ValueError(f"expected audio of shape [N, L] or [N, 1, L], got {list(x.shape)}")
    return x


def write_individual(samples: torch.Tensor, out_dir: Path, stem: str, sample_rate: int) -> list[Path]:
    """One 16-bit WAV per sample: ``out_dir/<stem>_000.wav`` ..."""
    waves = as_waveforms(samples)
    width = max(3, len(str(len(waves) - 1)))
    return [write_wav(Path(out_dir) / f"{stem}_{i:0{width}d}.wav", w, sample_rate) for i, w in enumerate(waves)]


def write_concatenated(samples: torch.Tensor, path: Path, sample_rate: int, gap_s: float = 0.25) -> Path:
    """All samples in one WAV, separated by ``gap_s`` seconds of silence (easy to audition)."""
    waves = as_waveforms(samples)
    gap = torch.zeros(int(gap_s * sample_rate))
    pieces = []
    for w in waves:
        pieces += [w, gap]
    return write_wav(path, torch.cat(pieces[:-1]), sample_rate)


def log_spectrogram_db(waves: torch.Tensor, n_fft: int = 256, hop: int | None = None, top_db: float = 60.0) -> torch.Tensor:
    """``[N, L]`` -> ``[N, n_fft/2+1, frames]`` power spectrogram in dB relative to the batch peak.

    The default hop gives at least ~128 frames (so short clips still make a readable
    picture) and at most 64 samples.
    """
    hop = hop or max(8, min(64, waves.shape[-1] // 128))
    spec = torch.stft(waves, n_fft, hop, window=torch.hann_window(n_fft), return_complex=True).abs() ** 2
    db = 10 * torch.log10(spec.clamp_min(1e-10))
    return db.clamp_min(db.max() - top_db)


def spectrogram_sheet(samples: torch.Tensor, path: Path, ncol: int | None = None, colormap: str = "magma") -> Path:
    """Save a grid of log-power spectrograms (low frequencies at the bottom) as a PNG."""
    waves = as_waveforms(samples)
    db = log_spectrogram_db(waves)
    norm = (db - db.min()) / (db.max() - db.min() + 1e-9)
    norm = norm.flip(1)  # image rows go top-down; put 0 Hz at the bottom
    rgb = torch.from_numpy(colormaps[colormap](norm.numpy())[..., :3]).permute(0, 3, 1, 2).float()
    ncol = ncol or max(1, math.ceil(math.sqrt(len(waves))))
    grid = make_grid(rgb, nrow=ncol, padding=2, pad_value=1.0)
    img = (grid.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(path)
    return path


def export_audio(samples: torch.Tensor, out_dir: Path, stem: str, sample_rate: int, individual: bool = False) -> list[Path]:
    """What the domain's ``export_samples`` writes.

    ``individual=True``: one WAV per sample. Otherwise one WAV with all samples in a
    row (``<stem>.wav``) and the spectrogram sheet (``<stem>_spectrograms.png``).
    """
    out_dir = Path(out_dir)
    if individual:
        return write_individual(samples, out_dir, stem, sample_rate)
    return [
        write_concatenated(samples, out_dir / f"{stem}.wav", sample_rate),
        spectrogram_sheet(samples, out_dir / f"{stem}_spectrograms.png"),
    ]
