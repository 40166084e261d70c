"""Sample-quality metrics for audio: Inception score, nearest-neighbour diversity and the
log-spectrum distance to real clips."""

from __future__ import annotations

import warnings

import torch
from torch import nn
from torchmetrics.image.inception import InceptionScore

from ganforge.distributed import distributed_available
from ganforge_audio.classifier import AudioClassifier

#: metrics compute on this rank's data during rank 0's evaluation (see ganforge.distributed)
LOCAL = {"distributed_available_fn": distributed_available}


class _PreparedLogits(nn.Module):
    """Adapter so torchmetrics' InceptionScore calls the audio classifier on raw audio."""

    def __init__(self, classifier: AudioClassifier, sample_rate: int):
        super().__init__()
        self.classifier, self.sample_rate = classifier, sample_rate

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.classifier.prepare(wave, self.sample_rate))


@torch.no_grad()
def inception_score(
    classifier: AudioClassifier, waves: torch.Tensor, sample_rate: int, splits: int = 10, batch_size: int = 100
) -> tuple[float, float]:
    """Inception score (mean, std over ``splits``) of audio ``[N, 1, L]`` at ``sample_rate``.

    torchmetrics' ``InceptionScore`` accepts any feature module returning logits; here it
    is the log-mel classifier, as in the WaveGAN paper. Splits shrink for small ``N`` so
    that every split has at least 10 examples.
    """
    classifier.eval()
    splits = max(1, min(splits, waves.shape[0] // 10))
    with warnings.catch_warnings():
        # "will save all extracted features": a few hundred logits here, not images.
        warnings.filterwarnings("ignore", message=".*save all extracted features.*")
        metric = InceptionScore(feature=_PreparedLogits(classifier, sample_rate), splits=splits, **LOCAL)
    for chunk in waves.float().split(batch_size):
        metric.update(chunk)
    mean, std = metric.compute()
    return float(mean), float(0.0 if splits == 1 else std)


@torch.no_grad()
def classifier_features(classifier: AudioClassifier, waves: torch.Tensor, sample_rate: int, batch_size: int = 256) -> torch.Tensor:
    """Flattened standardised log-mel features ``[N, D]`` (the space nearest neighbours use)."""
    out = [classifier.normalised_features(classifier.prepare(w, sample_rate)).flatten(1) for w in waves.float().split(batch_size)]
    return torch.cat(out)


def nearest_neighbour_distances(generated: torch.Tensor, training: torch.Tensor) -> dict[str, float]:
    """Mean Euclidean distance from each generated feature vector to its nearest neighbour.

    ``self``: among the other generated examples (low = collapsed, repetitive output);
    ``train``: in the training set (near 0 = memorised training examples). Rows are
    feature vectors ``[N, D]``.
    """
    d_self = torch.cdist(generated, generated)
    d_self.fill_diagonal_(float("inf"))
    d_train = torch.cdist(generated, training)
    return {"self": d_self.min(dim=1).values.mean().item(), "train": d_train.min(dim=1).values.mean().item()}


@torch.no_grad()
def mean_log_spectrum(waves: torch.Tensor, n_fft: int = 512) -> torch.Tensor:
    """Natural log of the mean power spectrum of clips ``[N, 1, L]`` (Hann window, hop n_fft/4),
    averaged over clips and frames: ``[n_fft / 2 + 1]``.

    torchaudio's Spectrogram would do the STFT too; this is the same ``torch.stft`` call, kept
    here so the metric needs nothing the data module does not already load.
    """
    x = waves.float().reshape(waves.shape[0], -1)
    # data.window may be as short as 256 samples: the centred STFT pads n_fft/2 by reflection,
    # which needs n_fft <= the clip length
    n_fft = min(n_fft, x.shape[-1])
    window = torch.hann_window(n_fft, device=x.device)
    power = torch.stft(x, n_fft, hop_length=n_fft // 4, window=window, return_complex=True).abs().square()
    return torch.log(power.mean(dim=(0, 2)) + 1e-10)


def log_spectrum_distance(generated: torch.Tensor, real: torch.Tensor, n_fft: int = 512) -> float:
    """Mean absolute difference (nats) between the mean log power spectra of ``generated`` and ``real``.

    0 when the two sets have the same average spectrum; a generator that has learnt the
    drums' spectral envelope (where kicks, snares and hats put their energy) scores low long
    before its clips sound clean, which makes it an early learning signal (issue 14's
    "falls >= 60% from step 0"). A level change by a factor ``g`` adds ``|log g^2|``.
    """
    return float((mean_log_spectrum(generated, n_fft) - mean_log_spectrum(real, n_fft)).abs().mean())
