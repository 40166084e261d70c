"""An MLP GAN over standardised rows."""

from __future__ import annotations

from typing import Any, Mapping

import torch
from omegaconf import DictConfig
from torch import nn

from ganforge import AdversarialModule, GANSettings


def mlp(sizes: list[int], act: nn.Module) -> nn.Sequential:
    """Linear layers with ``act`` between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act)
    return nn.Sequential(*layers)


class MLPGAN(AdversarialModule):
    """Generator and discriminator are MLPs of ``hidden`` units x ``layers``.

    Args:
        hidden: units per hidden layer.
        layers: hidden layers of each network.
        columns: numbers per row (the data spec's ``columns``).
        mean, std: per-column moments of the data; samples are returned in data units.
        settings: the adversarial loop's settings (loss, latent size, optimizers, EMA ...).

    No config in here: :meth:`from_config` turns a run config into these arguments, and a
    notebook passes them directly (``settings=GANSettings.defaults(latent_dim=8)``).
    """

    def __init__(self, *, hidden: int, layers: int, columns: int, mean: list[float], std: list[float], settings: GANSettings):
        super().__init__(settings)
        self.generator = mlp([self.latent_dim] + [hidden] * layers + [columns], nn.ReLU())
        self.discriminator = nn.Sequential(mlp([columns] + [hidden] * layers + [1], nn.LeakyReLU(0.2)), nn.Flatten(0))
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))

    @classmethod
    def from_config(cls, cfg: DictConfig, spec: Mapping[str, Any]) -> MLPGAN:
        """The builder: each key read once from the run config (its default lives in
        ``conf/model/mlp.yaml``), the data's shape and moments from the data spec."""
        return cls(
            hidden=int(cfg.model.hidden),
            layers=int(cfg.model.layers),
            columns=int(spec["columns"]),
            mean=[float(v) for v in spec["mean"]],
            std=[float(v) for v in spec["std"]],
            settings=GANSettings.from_config(cfg),
        )

    def sample(self, n: int, **options: Any) -> torch.Tensor:
        """``n`` rows in data units."""
        return super().sample(n, **options) * self.std + self.mean
