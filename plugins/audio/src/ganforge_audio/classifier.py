"""The log-mel audio classifier behind the audio Inception score.

The WaveGAN paper scores samples with a classifier trained on the real data set (SC09
spoken digits). ganforge does the same: :func:`train_classifier` fits a small CNN on
log-mel features of a labelled folder with a Lightning ``Trainer``, and
:func:`save_classifier`/:func:`load_classifier` store it as one ``.pt`` file that later
runs reuse (see :func:`cached_classifier`, keyed by the data set's files and settings).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import torch
import torch.nn.functional as F
import torchaudio
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchmetrics.classification import MulticlassAccuracy

from ganforge.distributed import distributed_available
from ganforge.errors import GanforgeError
from ganforge.utils import seeded, temporary_path
from ganforge_audio.audio_io import AudioFolder, resample
from ganforge_audio.drums import cache_root

log = logging.getLogger("ganforge_audio")

FORMAT = "ganforge-audio-classifier"
FORMAT_VERSION = 1


class LogMel(nn.Module):
    """Waveform ``[B, 1, window]`` -> log-mel ``[B, 1, n_mels, ~65 frames]``.

    The hop is ``window / 64`` (FFT four hops long), so every window length gives about
    the same time resolution in frames.
    """

    def __init__(self, sample_rate: int, window: int, n_mels: int = 40):
        super().__init__()
        self.hop = max(16, window // 64)
        self.n_fft = 4 * self.hop
        self.mel = torchaudio.transforms.MelSpectrogram(
            sample_rate=sample_rate, n_fft=self.n_fft, hop_length=self.hop, n_mels=n_mels,
            f_min=20.0, f_max=sample_rate / 2, power=2.0,
        )

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        """Log of the mel power (``+1e-6`` keeps silence finite)."""
        return torch.log(self.mel(wave.reshape(wave.shape[0], -1)) + 1e-6).unsqueeze(1)


class AudioClassifier(nn.Module):
    """Log-mel front end, per-mel-bin standardisation and a 4-block CNN.

    Args:
        class_names: label of each output logit.
        sample_rate, window: the input format; :meth:`prepare` converts other audio to it.
        n_mels: mel bands.
        width: channels of the first conv block (doubled in each of the next three).
    """

    def __init__(self, class_names: Sequence[str], sample_rate: int, window: int, n_mels: int = 40, width: int = 16):
        super().__init__()
        self.class_names = list(class_names)
        self.sample_rate, self.window, self.n_mels, self.width = int(sample_rate), int(window), int(n_mels), int(width)
        self.features = LogMel(sample_rate, window, n_mels)
        self.register_buffer("feat_mean", torch.zeros(n_mels))
        self.register_buffer("feat_std", torch.ones(n_mels))
        blocks: list[nn.Module] = []
        in_ch = 1
        for i in range(4):
            out_ch = width * 2**i
            blocks += [nn.Conv2d(in_ch, out_ch, 3, padding=1), nn.BatchNorm2d(out_ch), nn.ReLU()]
            blocks.append(nn.MaxPool2d(2) if i < 3 else nn.AdaptiveAvgPool2d(1))
            in_ch = out_ch
        self.body = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(in_ch, len(self.class_names)))

    def config(self) -> dict:
        """Constructor arguments (stored next to the weights)."""
        return {"class_names": self.class_names, "sample_rate": self.sample_rate, "window": self.window,
                "n_mels": self.n_mels, "width": self.width}

    def prepare(self, wave: torch.Tensor, sample_rate: int) -> torch.Tensor:
        """Resample ``[B, 1, L]`` audio to the classifier's rate and cut/zero-pad to its window."""
        wave = resample(wave.float(), int(sample_rate), self.sample_rate)
        n = wave.shape[-1]
        if n >= self.window:
            return wave[..., : self.window]
        return F.pad(wave, (0, self.window - n))

    def normalised_features(self, wave: torch.Tensor) -> torch.Tensor:
        """Standardised log-mel features ``[B, 1, n_mels, frames]`` of prepared audio."""
        return self.standardise(self.features(wave))

    def standardise(self, log_mel: torch.Tensor) -> torch.Tensor:
        """Per-mel-bin standardisation of log-mel features."""
        return (log_mel - self.feat_mean.view(1, 1, -1, 1)) / self.feat_std.view(1, 1, -1, 1)

    def classify_log_mel(self, log_mel: torch.Tensor) -> torch.Tensor:
        """Logits from (unstandardised) log-mel features."""
        return self.head(self.body(self.standardise(log_mel)))

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        """Logits ``[B, n_classes]`` for prepared audio ``[B, 1, window]``."""
        return self.classify_log_mel(self.features(wave))

    @torch.no_grad()
    def log_mel_of(self, waves: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        """Log-mel features of many prepared clips ``[N, 1, window]``, in chunks."""
        return torch.cat([self.features(w) for w in waves.split(batch_size)])

    @torch.no_grad()
    def fit_feature_moments(self, log_mel: torch.Tensor) -> None:
        """Set the per-mel-bin standardisation from training log-mel features."""
        self.feat_mean.copy_(log_mel.mean(dim=(0, 1, 3)))
        self.feat_std.copy_(log_mel.std(dim=(0, 1, 3)).clamp_min(1e-3))


class _ClassifierTask(pl.LightningModule):
    """Lightning wrapper: cross-entropy on precomputed log-mel features, with augmentation.

    Features are computed once per clip (the STFT dominates the cost otherwise), so the
    augmentation works in the feature domain: a delay of up to ``max_shift`` frames
    (filled with silence) and a level change of -6..0 dB (an additive constant in log
    power). Generated one-shots are neither sample-aligned with nor as loud as the
    training clips, and the score should not depend on that.
    """

    def __init__(self, model: AudioClassifier, lr: float, max_shift: int):
        super().__init__()
        self.model, self.lr, self.max_shift = model, lr, max_shift
        self.val_acc = MulticlassAccuracy(num_classes=len(model.class_names), average="micro",
                                          distributed_available_fn=distributed_available)

    def _augment(self, log_mel: torch.Tensor) -> torch.Tensor:
        b, _, _, frames = log_mel.shape
        silence = math.log(1e-6)
        shifts = torch.randint(0, self.max_shift + 1, (b,), device=log_mel.device)
        idx = torch.arange(frames, device=log_mel.device).view(1, 1, 1, -1) - shifts.view(-1, 1, 1, 1)
        shifted = log_mel.gather(3, idx.clamp_min(0).expand_as(log_mel))
        shifted = torch.where(idx >= 0, shifted, torch.full((), silence, device=log_mel.device))
        gain_db = torch.empty(b, 1, 1, 1, device=log_mel.device).uniform_(-6.0, 0.0)
        return torch.maximum(shifted + gain_db * math.log(10) / 10, torch.full((), silence, device=log_mel.device))

    def training_step(self, batch, batch_idx):
        log_mel, y = batch
        loss = F.cross_entropy(self.model.classify_log_mel(self._augment(log_mel)), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        log_mel, y = batch
        self.val_acc.update(self.model.classify_log_mel(log_mel).argmax(1), y)

    def on_validation_epoch_end(self):
        self.log("val_acc", self.val_acc.compute())
        self.val_acc.reset()

    def configure_optimizers(self):
        return torch.optim.Adam(self.model.parameters(), lr=self.lr)


def train_classifier(
    waves: torch.Tensor,
    labels: Sequence[int],
    class_names: Sequence[str],
    sample_rate: int,
    epochs: int = 15,
    batch_size: int = 64,
    val_fraction: float = 0.1,
    lr: float = 1e-3,
    width: int = 16,
    seed: int = 0,
    accelerator: str = "cpu",
) -> tuple[AudioClassifier, dict[str, float]]:
    """Train an :class:`AudioClassifier` on ``waves [N, 1, window]`` with integer ``labels``.

    A seeded random ``val_fraction`` of the examples is held out; returns the model (eval
    mode) and ``{"val_accuracy", "train_examples", "val_examples"}``.
    """
    labels_t = torch.as_tensor(list(labels), dtype=torch.long)
    if waves.dim() != 3 or waves.shape[0] != labels_t.shape[0]:
        raise GanforgeError(f"classifier training: expected waves [N, 1, L] and N labels, got {list(waves.shape)} and {labels_t.shape[0]}")
    if len(set(labels_t.tolist())) < 2:
        raise GanforgeError("classifier training: the labelled data has fewer than 2 classes; an Inception score needs several")
    # Seeded before the model is built and inside ``seeded``: the classifier is then a function
    # of the data and the settings alone (a cached one is the same whichever run trained it),
    # and a run that trains it mid-way keeps its own random streams (seed_everything would
    # otherwise reset them, so a run's result would depend on the state of the cache).
    device = "cuda" if accelerator in ("gpu", "cuda") and torch.cuda.is_available() else None
    saved_env = {k: os.environ.get(k) for k in ("PL_GLOBAL_SEED", "PL_SEED_WORKERS")}
    try:
        with seeded(seed, device):
            pl.seed_everything(seed, workers=True, verbose=False)
            return _fit_classifier(waves, labels_t, class_names, sample_rate, epochs, batch_size, val_fraction,
                                   lr, width, seed, accelerator)
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _fit_classifier(waves: torch.Tensor, labels_t: torch.Tensor, class_names: Sequence[str], sample_rate: int,
                    epochs: int, batch_size: int, val_fraction: float, lr: float, width: int, seed: int,
                    accelerator: str) -> tuple[AudioClassifier, dict[str, float]]:
    """:func:`train_classifier`'s work, run under its seed."""
    gen = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(labels_t), generator=gen)
    n_val = max(1, int(round(val_fraction * len(perm)))) if len(perm) >= 10 else 0
    val_idx, train_idx = perm[:n_val], perm[n_val:]
    model = AudioClassifier(class_names, sample_rate, waves.shape[-1], width=width)
    feats = model.log_mel_of(waves)
    model.fit_feature_moments(feats[train_idx])
    task = _ClassifierTask(model, lr, max_shift=feats.shape[-1] // 16)
    batch_size = min(batch_size, max(8, len(train_idx) // 8))  # several updates per epoch on small sets
    train_dl = DataLoader(TensorDataset(feats[train_idx], labels_t[train_idx]), batch_size=batch_size, shuffle=True,
                          drop_last=len(train_idx) > batch_size)
    val_dl = DataLoader(TensorDataset(feats[val_idx], labels_t[val_idx]), batch_size=256) if n_val else None
    trainer = pl.Trainer(
        max_epochs=epochs, accelerator=accelerator, devices=1, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
    )
    trainer.fit(task, train_dl, val_dl)
    model.eval()
    acc = float("nan")
    if n_val:
        with torch.no_grad():
            pred = model.classify_log_mel(feats[val_idx]).argmax(1)
        acc = (pred == labels_t[val_idx]).float().mean().item()
    return model.cpu(), {"val_accuracy": acc, "train_examples": float(len(train_idx)), "val_examples": float(n_val)}


def save_classifier(model: AudioClassifier, path: str | Path, metrics: dict[str, float] | None = None) -> Path:
    """Write the classifier (config, weights, training metrics) to one ``.pt`` file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT, "version": FORMAT_VERSION, "config": model.config(),
               "state_dict": {k: v.cpu() for k, v in model.state_dict().items()}, "metrics": dict(metrics or {})}
    tmp = temporary_path(path)  # per process: two runs caching the same classifier never share one
    torch.save(payload, tmp)
    tmp.replace(path)
    return path


def load_classifier(path: str | Path) -> AudioClassifier:
    """Load a classifier written by :func:`save_classifier` (eval mode, CPU)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise GanforgeError(f"audio classifier file '{path}' does not exist; train one with `gan-audio-classifier train`")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # corrupt or foreign file: say which one
        raise GanforgeError(f"cannot read audio classifier '{path}': {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise GanforgeError(f"'{path}' is not a ganforge audio classifier (expected format '{FORMAT}')")
    model = AudioClassifier(**payload["config"])
    model.load_state_dict(payload["state_dict"])
    model.metrics = dict(payload.get("metrics", {}))
    return model.eval()


def dataset_key(folder: AudioFolder, settings: dict[str, Any]) -> str:
    """A stable hash of the clips' source files, labels and the training settings."""
    h = hashlib.sha1()
    h.update(json.dumps({"files": folder.files, "labels": folder.labels, "classes": folder.class_names,
                         "rate": folder.sample_rate, "window": folder.window, "version": FORMAT_VERSION,
                         **settings}, sort_keys=True).encode())
    # Content, not only names: a few samples of every clip.
    for clip in folder.clips:
        h.update(clip[:: max(1, clip.numel() // 64)].numpy().tobytes())
    return h.hexdigest()[:16]


def cached_classifier(folder: AudioFolder, cache_dir: str | Path, epochs: int = 15, **train_kw: Any) -> tuple[AudioClassifier, Path]:
    """The classifier for a labelled ``folder``: loaded from ``cache_dir`` or trained and saved there."""
    if folder.labels is None:
        raise GanforgeError("the audio Inception score needs labelled data: set data.labels to folder or regex")
    key = dataset_key(folder, {"epochs": epochs, **{k: v for k, v in train_kw.items() if k != "accelerator"}})
    path = Path(cache_dir).expanduser() / f"classifier-{key}.pt"
    if path.is_file():
        return load_classifier(path), path
    log.info("training the audio IS classifier on %d clips (%d classes) -> %s", len(folder.clips), len(folder.class_names), path)
    model, metrics = train_classifier(folder.stacked(), folder.labels, folder.class_names, folder.sample_rate, epochs=epochs, **train_kw)
    save_classifier(model, path, metrics)
    model.metrics = metrics
    return model, path



def evaluation_classifier(classifier_file: str | None, folder: AudioFolder, epochs: int) -> AudioClassifier | None:
    """The classifier the domain's evaluation scores with: ``metrics.classifier`` (a file from
    ``gan-audio-classifier``) when set, else for labelled data the one trained on it and cached
    under the ganforge cache, else ``None`` (unlabelled data: nearest-neighbour metrics only)."""
    if classifier_file:
        return load_classifier(str(classifier_file))
    if folder.labels is None:
        return None
    return cached_classifier(folder, cache_root() / "classifiers", epochs=epochs)[0]
