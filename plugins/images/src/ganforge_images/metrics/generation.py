"""FID, KID and IS of generated images through torchmetrics, in any :class:`FeatureNet`'s space.

Real-image statistics are computed once per :class:`GenerationMetrics` and kept across
calls (``reset_real_features=False``), so periodic evaluation during training only
pays for the generated images. Metric names follow :func:`metric_key`:
``fid/<feature net>/n<samples>/<split>`` -- the feature network, the number of
generated samples and the real split they were compared with -- so numbers computed
differently never share a name.
"""

from __future__ import annotations

import warnings
from typing import Callable

import torch
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.inception import InceptionScore
from torchmetrics.image.kid import KernelInceptionDistance

from ganforge.distributed import distributed_available
from ganforge.errors import GanforgeError
from ganforge_images.metrics.features import FeatureHead, FeatureNet

#: metrics compute on this rank's data during rank 0's evaluation (see ganforge.distributed)
LOCAL = {"distributed_available_fn": distributed_available}


def metric_key(metric: str, net: str, n: int, split: str | None = None) -> str:
    """Self-describing metric name, e.g. ``fid/classifier-3fa2c1d9e0b1/n1000/test``."""
    key = f"{metric}/{net}/n{int(n)}"
    return f"{key}/{split}" if split else key


def _batches(images: torch.Tensor, batch_size: int):
    for start in range(0, len(images), batch_size):
        yield images[start : start + batch_size]


class GenerationMetrics:
    """Compares generated images with a fixed set of real images in a feature network's space.

    Args:
        feature_net: the embedding network (reference classifier or Inception).
        real_images: float ``[N, C, H, W]`` in ``[-1, 1]`` from the evaluation ``split``.
        split: name of the real split (``test``, ``val``, ``train``...), recorded in names.
        n_samples: generated images per evaluation (recorded in names).
        kid_subset_size: KID subset size (capped at the number of images available).
        is_splits: splits for the Inception Score's mean/std.
        batch_size: images per feature-network call.
    """

    def __init__(
        self,
        feature_net: FeatureNet,
        real_images: torch.Tensor,
        split: str,
        n_samples: int,
        kid_subset_size: int = 100,
        kid_subsets: int = 50,
        is_splits: int = 10,
        batch_size: int = 200,
        compute_kid: bool = True,
        compute_is: bool = True,
    ) -> None:
        if len(real_images) < 2 or int(n_samples) < 2:
            raise GanforgeError(
                f"metrics.n_samples={n_samples}: FID needs at least 2 real and 2 generated images "
                f"(have {len(real_images)} real in split '{split}')"
            )
        self.net, self.split, self.n_samples, self.batch_size = feature_net, split, int(n_samples), batch_size
        self.compute_is = compute_is and feature_net.num_classes is not None
        self.compute_kid = compute_kid
        self.fid = FrechetInceptionDistance(feature=FeatureHead(feature_net), reset_real_features=False, **LOCAL)
        # (torchmetrics accumulates and computes FID in float64 already; set_dtype would also cast the net)
        subset = max(2, min(kid_subset_size, len(real_images), self.n_samples))
        with warnings.catch_warnings():
            # "will save all extracted features in buffer": ours are a few hundred floats per image
            warnings.filterwarnings("ignore", message=".*will save all extracted features.*")
            self.kid = KernelInceptionDistance(
                feature=FeatureHead(feature_net), subsets=kid_subsets, subset_size=subset, reset_real_features=False,
                **LOCAL,
            )
            self.inception_score = (
                InceptionScore(feature=FeatureHead(feature_net, "logits"), splits=is_splits, **LOCAL)
                if self.compute_is
                else None
            )
        self.n_real = len(real_images)
        for batch in _batches(real_images, batch_size):
            self.fid.update(batch.float(), real=True)
            if self.compute_kid:
                self.kid.update(batch.float(), real=True)

    def __call__(self, images_or_sampler: torch.Tensor | Callable[[int], torch.Tensor]) -> dict[str, float]:
        """Metrics for ``n_samples`` generated images: a tensor, or a ``sampler(k) -> images``."""
        self.fid.reset()
        self.kid.reset()
        if self.inception_score is not None:
            self.inception_score.reset()
        produced = 0
        with torch.no_grad():
            while produced < self.n_samples:
                k = min(self.batch_size, self.n_samples - produced)
                if callable(images_or_sampler):
                    batch = images_or_sampler(k)
                else:
                    batch = images_or_sampler[produced : produced + k]
                    if len(batch) == 0:
                        raise GanforgeError(
                            f"metrics.n_samples={self.n_samples}: only {produced} generated images were given"
                        )
                batch = batch.detach().float().cpu()
                self.fid.update(batch, real=False)
                if self.compute_kid:
                    self.kid.update(batch, real=False)
                if self.inception_score is not None:
                    self.inception_score.update(batch)
                produced += len(batch)
        name, n = self.net.name, self.n_samples
        out = {metric_key("fid", name, n, self.split): float(self.fid.compute())}
        if self.compute_kid:
            kid_mean, _ = self.kid.compute()
            out[metric_key("kid", name, n, self.split)] = float(kid_mean)
        if self.inception_score is not None:
            is_mean, _ = self.inception_score.compute()
            out[metric_key("is", name, n)] = float(is_mean)
        return out
