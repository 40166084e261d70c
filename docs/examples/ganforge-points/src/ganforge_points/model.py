"""An MLP GAN over standardised rows."""

from __future__ import annotations

from typing import Any, Mapping

import torch
from torch import nn

from ganforge import AdversarialModule


def mlp(sizes: list[int], act: nn.Module) -> nn.Sequential:
    """Linear layers with ``act`` between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act)
    return nn.Sequential(*layers)


class MLPGAN(AdversarialModule):
    """Generator and discriminator are MLPs of ``model.hidden`` x ``model.layers``.

    Samples are returned in data units (the spec's column moments undo standardisation).
    """

    def __init__(self, cfg: Any, spec: Mapping[str, Any]):
        super().__init__(cfg, spec)
        hidden, layers, cols = int(self.cfg.model.hidden), int(self.cfg.model.layers), int(spec["columns"])
        self.generator = mlp([self.latent_dim] + [hidden] * layers + [cols], nn.ReLU())
        self.discriminator = nn.Sequential(mlp([cols] + [hidden] * layers + [1], nn.LeakyReLU(0.2)), nn.Flatten(0))
        self.register_buffer("mean", torch.tensor(spec["mean"]))
        self.register_buffer("std", torch.tensor(spec["std"]))

    def sample(self, n: int, **options: Any) -> torch.Tensor:
        """``n`` rows in data units."""
        return super().sample(n, **options) * self.std + self.mean
