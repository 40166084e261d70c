"""Sample-quality metrics for audio: Inception score and nearest-neighbour diversity."""

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
