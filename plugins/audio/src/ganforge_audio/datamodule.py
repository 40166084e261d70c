"""``AudioDataModule``: fixed-length mono waveforms for WaveGAN/SpecGAN training.

``data.path`` is a folder of WAV/FLAC/OGG files (recursive) or ``null`` for the embedded
synthesised drums (see :mod:`ganforge_audio.drums`). Clips are decoded once and kept in
memory as float32 in [-1, 1].
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import lightning.pytorch as pl
import torch
from torch.utils.data import DataLoader, Dataset

from ganforge.errors import GanforgeError
from ganforge.plugin import DataSpecMixin
from ganforge.utils import loader_worker_init
from ganforge_audio.audio_io import AudioFolder, load_audio_folder
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


class AudioDataModule(DataSpecMixin, pl.LightningDataModule):
    """Audio clips, from flat arguments (:meth:`from_config` reads them from ``cfg.data``;
    see ``conf/domain/audio.yaml`` for every key and its default).

    ``path`` is a folder (``None``: the embedded drums); ``labels`` is ``auto`` (folder
    labels for the embedded drums, none for a user folder), ``none``, ``folder`` or
    ``regex`` (group 1 of ``label_pattern``); ``include``/``exclude`` are optional regexes
    on relative paths and ``max_files`` an optional cap (``None``: no filter, no cap);
    ``normalize`` is ``none`` or ``peak`` (each file scaled to full scale after resampling).

    Spec: ``sample_rate``, ``window``, ``channels`` (1), ``num_clips``, ``class_names``
    (empty when unlabelled) and, when ``spectrogram_moments`` is true (SpecGAN), the
    per-frequency-bin ``spectrogram_mean``/``spectrogram_std`` of the training set.
    """

    def __init__(self, *, path: str | None, sample_rate: int, window: int, slicing: str, labels: str,
                 label_pattern: str | None, include: str | None, exclude: str | None,
                 extensions: Sequence[str], max_files: int | None, normalize: str, spectrogram_moments: bool,
                 batch_size: int, num_workers: int):
        super().__init__()
        self.path = None if path is None else str(path)
        self.sample_rate, self.window = int(sample_rate), int(window)
        self.slicing, self.labels, self.label_pattern = str(slicing), str(labels), label_pattern
        self.include, self.exclude = include, exclude
        self.extensions = [str(e) for e in extensions]
        self.max_files = None if max_files is None else int(max_files)
        self.normalize = str(normalize)
        self.spectrogram_moments = bool(spectrogram_moments)
        self.batch_size, self.num_workers = int(batch_size), int(num_workers)
        self.folder: AudioFolder | None = None

    @classmethod
    def from_config(cls, data: Any) -> AudioDataModule:
        """The builder: every key of a run config's ``data`` node, read once."""
        return cls(
            path=data.path, sample_rate=int(data.sample_rate), window=int(data.window), slicing=str(data.slicing),
            labels=str(data.labels), label_pattern=data.label_pattern, include=data.include, exclude=data.exclude,
            extensions=list(data.extensions), max_files=data.max_files, normalize=str(data.normalize),
            spectrogram_moments=bool(data.spectrogram_moments), batch_size=int(data.batch_size),
            num_workers=int(data.num_workers),
        )

    def _source(self) -> tuple[str, str, str | None]:
        if self.path is None:
            # The embedded drums are labelled by sub-folder (kick/snare/hat).
            return str(default_drums_dir()), "folder" if self.labels == "auto" else self.labels, None
        return self.path, "none" if self.labels == "auto" else self.labels, self.label_pattern

    def setup(self, stage: str | None = None) -> None:
        """Decode the folder once (idempotent) and fill the spec."""
        if self.folder is not None:
            return
        rate, window = self.sample_rate, self.window
        if rate <= 0 or window <= 0:
            raise GanforgeError(f"data.sample_rate={rate}, data.window={window}: expected positive integers")
        path, labels, pattern = self._source()
        self.folder = load_audio_folder(
            path, rate, window, slicing=self.slicing, labels=labels, label_pattern=pattern,
            include=self.include, exclude=self.exclude, extensions=self.extensions, max_files=self.max_files,
            normalize=self.normalize,
        )
        spec: dict[str, Any] = {
            "sample_rate": rate, "window": window, "channels": 1,
            "num_clips": len(self.folder.clips), "class_names": list(self.folder.class_names),
        }
        if self.spectrogram_moments:
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
        batch_size, n_workers = self.batch_size, self.num_workers
        n = len(self.folder.clips)
        return DataLoader(
            WaveformDataset(self.folder, random_crop=self.slicing == "random"),
            batch_size=min(batch_size, n), shuffle=True, drop_last=n > batch_size,
            num_workers=n_workers, persistent_workers=n_workers > 0,
            worker_init_fn=loader_worker_init if n_workers > 0 else None,
        )
