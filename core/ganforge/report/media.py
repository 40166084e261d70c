"""Sample media for experiment trackers: what a plugin's ``media_for_logging`` returns
and how it reaches TensorBoard (``add_image`` / ``add_audio``).

The default hook turns the sample files of a step into media: PNG/JPEG sheets as
images, 16-bit PCM WAVs as audio. Plugins add what is not a file of that kind yet
(e.g. a rendered piano roll).
"""

from __future__ import annotations

import logging
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger("ganforge")

#: TensorBoard stores every logged clip; long sample strips are cut to this many seconds
MAX_AUDIO_SECONDS = 30.0


@dataclass
class Media:
    """One image or audio file to log under ``tag`` (e.g. ``samples/images``)."""

    kind: str  # "image" | "audio"
    tag: str
    path: Path


def default_media(files: Iterable[Path]) -> list[Media]:
    """Images and WAVs among ``files``, tagged by what follows the step stem
    (``step_0000500_spectrograms.png`` -> ``samples/spectrograms``)."""
    media = []
    for path in files:
        path = Path(path)
        suffix = path.suffix.lower()
        rest = path.stem.split("_", 2)[2] if path.stem.startswith("step_") and path.stem.count("_") >= 2 else ""
        if path.stem == "final" or path.stem.startswith("final_"):
            rest = path.stem[6:]
        if suffix in (".png", ".jpg", ".jpeg"):
            media.append(Media("image", f"samples/{rest or 'sheet'}", path))
        elif suffix == ".wav":
            media.append(Media("audio", f"samples/{rest or 'audio'}", path))
    return media


def read_image(path: Path) -> np.ndarray:
    """``[H, W, 3]`` uint8 (PIL is imported here only: the core does not require it)."""
    from PIL import Image

    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


def read_wav(path: Path, max_seconds: float = MAX_AUDIO_SECONDS) -> tuple[np.ndarray, int]:
    """A PCM WAV as float32 mono in [-1, 1] and its rate (stdlib ``wave``: no audio
    library needed in the core; 8/16/32-bit integer PCM, channels averaged)."""
    with wave.open(str(path), "rb") as fh:
        rate, width, channels = fh.getframerate(), fh.getsampwidth(), fh.getnchannels()
        frames = fh.readframes(min(fh.getnframes(), int(max_seconds * rate)))
    if width == 1:
        data = (np.frombuffer(frames, np.uint8).astype(np.float32) - 128) / 128
    elif width in (2, 4):
        kind = np.int16 if width == 2 else np.int32
        data = np.frombuffer(frames, kind).astype(np.float32) / float(np.iinfo(kind).max)
    else:
        raise ValueError(f"{path}: {8 * width}-bit WAV; expected 8, 16 or 32-bit PCM")
    return data.reshape(-1, channels).mean(axis=1), rate


def log_to_tensorboard(experiment, media: Iterable[Media], step: int) -> int:
    """Log media with a TensorBoard ``SummaryWriter``; returns how many were logged."""
    import torch

    count = 0
    for item in media:
        try:
            if item.kind == "image":
                experiment.add_image(item.tag, read_image(item.path), step, dataformats="HWC")
            elif item.kind == "audio":
                data, rate = read_wav(item.path)
                experiment.add_audio(item.tag, torch.from_numpy(data).clamp(-1, 1).unsqueeze(0), step, sample_rate=rate)
            else:
                continue
            count += 1
        except Exception as exc:  # noqa: BLE001 - a tracker must not stop training
            log.warning("tensorboard media: %s not logged (%s: %s)", item.path, type(exc).__name__, exc)
    return count
