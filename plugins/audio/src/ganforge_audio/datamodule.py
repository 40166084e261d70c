"""``AudioDataModule``: fixed-length mono waveforms for WaveGAN/SpecGAN training.

``data.path`` is a folder of WAV/FLAC/OGG files (recursive) or ``null`` for the embedded
synthesised drums (see :mod:`ganforge_audio.drums`). Clips are decoded once and kept in
memory as float32 in [-1, 1].
"""

from __future__ import annotations

import random
from typing import Any

import lightning.pytorch as pl
import torch
from torch.utils.data import DataLoader, Dataset

from ganforge.errors import GanforgeError
from ganforge.plugin import DataSpecMixin
from ganforge.utils import loader_worker_init
from ganforge_audio.audio_io import AUDIO_EXTENSIONS, AudioFolder, load_audio_folder
from ganforge_audio.drums import default_drums_dir
from ganforge_audio.spectrogram import SpectrogramCodec, dataset_moments


class WaveformDataset(Dataset):
    """Items ``(wave [1, window],)`` or ``(wave, label)``; ``random`` slicing crops afresh each read."""

    def __init__(self, folder: AudioFolder, random_crop: bool):
        self.folder, self.random_crop = folder, random_crop

    def __len__(self) -> int:
        return len(self.folder.clips)

    def __getitem__(self, i: int):
        clip, window = self.folder.clips[i], self.folder.window
        if self.random_crop and clip.shape[-1] > window:
            start = random.randint(0, clip.shape[-1] - window)  # seeded per worker by Lightning
            clip = clip[start : start + window]
        wave = clip[:window].unsqueeze(0)
        if self.folder.labels is None:
            return (wave,)
        return wave, torch.tensor(self.folder.labels[i])


def _opt(cfg: Any, key: str, default: Any = None) -> Any:
    value = cfg.get(key, default) if cfg is not None else default
    return default if value is None else value


class AudioDataModule(DataSpecMixin, pl.LightningDataModule):
    """Audio clips from ``cfg.data`` (see ``conf/domain/audio.yaml`` for every key).

    Spec: ``sample_rate``, ``window``, ``channels`` (1), ``num_clips``, ``class_names``
    (empty when unlabelled) and, when ``data.spectrogram_moments`` is true (SpecGAN), the
    per-frequency-bin ``spectrogram_mean``/``spectrogram_std`` of the training set.
    """

    def __init__(self, data_cfg: Any):
        super().__init__()
        self.data_cfg = data_cfg
        self.folder: AudioFolder | None = None

    def _source(self) -> tuple[str, str, str | None]:
        path = self.data_cfg.get("path")
        labels = _opt(self.data_cfg, "labels", "auto")
        if path is None:
            # The embedded drums are labelled by sub-folder (kick/snare/hat).
            return str(default_drums_dir()), "folder" if labels == "auto" else labels, None
        return str(path), "none" if labels == "auto" else labels, self.data_cfg.get("label_pattern")

    def setup(self, stage: str | None = None) -> None:
        """Decode the folder once (idempotent) and fill the spec."""
        if self.folder is not None:
            return
        c = self.data_cfg
        rate, window = int(_opt(c, "sample_rate", 16000)), int(_opt(c, "window", 16384))
        if rate <= 0 or window <= 0:
            raise GanforgeError(f"data.sample_rate={rate}, data.window={window}: expected positive integers")
        path, labels, pattern = self._source()
        self.folder = load_audio_folder(
            path, rate, window,
            slicing=str(_opt(c, "slicing", "first")),
            labels=str(labels), label_pattern=pattern,
            include=c.get("include"), exclude=c.get("exclude"),
            extensions=list(_opt(c, "extensions", AUDIO_EXTENSIONS)),
            max_files=c.get("max_files"),
        )
        spec: dict[str, Any] = {
            "sample_rate": rate, "window": window, "channels": 1,
            "num_clips": len(self.folder.clips), "class_names": list(self.folder.class_names),
        }
        if bool(_opt(c, "spectrogram_moments", False)):
            codec = SpectrogramCodec(window)
            mean, std = dataset_moments(codec, self.folder.stacked().split(256))
            spec["spectrogram_mean"] = [round(float(v), 6) for v in mean]
            spec["spectrogram_std"] = [round(float(v), 6) for v in std]
        self._spec = spec

    def training_waves(self, limit: int | None = None) -> torch.Tensor:
        """Training clips ``[N, 1, window]`` (the first ``limit``, evenly spread over the set)."""
        x = self.folder.stacked()
        if limit is not None and x.shape[0] > limit:
            x = x[torch.linspace(0, x.shape[0] - 1, limit).long()]
        return x

    def train_dataloader(self) -> DataLoader:
        """Shuffled batches; the last partial batch is dropped unless it is the only one."""
        batch_size = int(_opt(self.data_cfg, "batch_size", 64))
        n_workers = int(_opt(self.data_cfg, "num_workers", 0))
        n = len(self.folder.clips)
        return DataLoader(
            WaveformDataset(self.folder, random_crop=_opt(self.data_cfg, "slicing", "first") == "random"),
            batch_size=min(batch_size, n), shuffle=True, drop_last=n > batch_size,
            num_workers=n_workers, persistent_workers=n_workers > 0,
            worker_init_fn=loader_worker_init if n_workers > 0 else None,
        )
