"""The interface every feature network for FID/KID/IS implements, and torchmetrics adapters.

Generated and real images reach a feature network as float tensors ``[N, C, H, W]`` in
``[-1, 1]`` (the generators' tanh range). Each network converts them to what it needs
(resize, channel repeat, uint8) itself, so the metric code never special-cases one.
"""

from __future__ import annotations

from abc import abstractmethod

import torch
from torch import nn


class FeatureNet(nn.Module):
    """A frozen network giving embeddings (FID/KID) and class logits (IS) of images.

    Attributes:
        name: short identifier recorded in metric names (e.g. ``classifier-3fa2c1d9``,
            ``inception``), so numbers from different feature spaces are never mixed.
        num_features: embedding width.
        num_classes: logit width, or ``None`` when the network has no meaningful classes
            (then the Inception Score is not computed).
    """

    name: str = "features"
    num_features: int = 0
    num_classes: int | None = None

    @abstractmethod
    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Embeddings ``[N, num_features]`` of images in ``[-1, 1]``."""

    @abstractmethod
    def logits(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits ``[N, num_classes]`` of images in ``[-1, 1]``."""



class FeatureHead(nn.Module):
    """Adapter giving torchmetrics' FID/KID/IS a module whose ``forward`` is one output.

    ``output="features"`` for FID/KID, ``"logits"`` for IS. It exposes ``num_features``
    so torchmetrics does not probe the network with a dummy image.
    """

    def __init__(self, net: FeatureNet, output: str = "features") -> None:
        super().__init__()
        if output not in ("features", "logits"):
            raise ValueError(f"FeatureHead output must be 'features' or 'logits', got {output!r}")
        self.net = net
        self.output = output
        self.num_features = net.num_features if output == "features" else int(net.num_classes or 0)

    @torch.no_grad()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Embeddings or logits of ``images`` (float, ``[-1, 1]``)."""
        self.net.eval()  # frozen BatchNorm statistics and no dropout whatever the caller's mode
        return self.net.features(images) if self.output == "features" else self.net.logits(images)
