"""The standard InceptionV3 FID network, loaded from a local weights file (no download).

Which file: ``weights-inception-2015-12-05-6726825d.pth`` (about 91 MB), the PyTorch
conversion of TensorFlow's 2015-12-05 Inception graph used by the original FID/IS code,
published by torch-fidelity at
https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/weights-inception-2015-12-05-6726825d.pth
It is the same file torchmetrics' ``FrechetInceptionDistance(feature=2048)`` downloads
(through torch-fidelity) into ``$TORCH_HOME/hub/checkpoints/``; if you already have it
there, point ``metrics.inception_weights`` at that copy.

The network is torch-fidelity's ``FeatureExtractorInceptionV3`` (needs ``pip install
torch-fidelity``; torchmetrics' own wrapper subclasses it), which resizes with
TensorFlow-1-compatible bilinear interpolation so that its features match the
reference implementation; FID uses the 2048-d pool features and IS the unbiased logits,
as in torch-fidelity and torchmetrics.
"""

from __future__ import annotations

from pathlib import Path

import torch

from ganforge.errors import GanforgeError
from ganforge_images.metrics.features import FeatureNet

INCEPTION_WEIGHTS_FILE = "weights-inception-2015-12-05-6726825d.pth"
INCEPTION_WEIGHTS_URL = (
    "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/" + INCEPTION_WEIGHTS_FILE
)


def to_uint8_rgb(images: torch.Tensor) -> torch.Tensor:
    """Map float images in ``[-1, 1]`` to uint8 RGB (grey images repeated to 3 channels)."""
    if images.shape[1] == 1:
        images = images.repeat(1, 3, 1, 1)
    elif images.shape[1] != 3:
        raise GanforgeError(f"inception features: expected 1 or 3 image channels, got {images.shape[1]}")
    return ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


class InceptionFeatureNet(FeatureNet):
    """InceptionV3 (TF 2015-12-05 weights) as a :class:`FeatureNet`: 2048-d pool3, 1008 logits."""

    name = "inception"
    num_features = 2048
    num_classes = 1008

    def __init__(self, weights_path: str | Path) -> None:
        super().__init__()
        path = Path(weights_path).expanduser()
        if not path.is_file():
            raise GanforgeError(
                f"metrics.inception_weights={weights_path}: file not found; expected the torch-fidelity "
                f"InceptionV3 weights '{INCEPTION_WEIGHTS_FILE}' (download it once from {INCEPTION_WEIGHTS_URL})"
            )
        try:
            from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
        except ImportError:
            raise GanforgeError(
                "metrics.feature_net=inception needs the torch-fidelity package: "
                "pip install torch-fidelity (or ganforge-images[inception])"
            ) from None
        try:
            self.net = FeatureExtractorInceptionV3(
                "inception-v3-compat", ["2048", "logits_unbiased"], feature_extractor_weights_path=str(path)
            )
        except Exception as exc:  # noqa: BLE001 - any unloadable file is reported in one line
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise GanforgeError(
                f"metrics.inception_weights={weights_path}: not a valid InceptionV3 state dict "
                f"(expected '{INCEPTION_WEIGHTS_FILE}'): {first}"
            ) from None

    def train(self, mode: bool = True) -> InceptionFeatureNet:
        """Always in eval mode: the converted TF graph has no training behaviour."""
        return super().train(False)

    def _both(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pool, logits = self.net(to_uint8_rgb(images))
        return pool, logits

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """2048-d pool3 features (the FID space of all published FIDs)."""
        return self._both(images)[0]

    def logits(self, images: torch.Tensor) -> torch.Tensor:
        """1008-way logits without bias (the IS convention of the original code)."""
        return self._both(images)[1]
