"""The MLP GAN without a config (flat arguments, as in a notebook) and through its builder."""

import torch
from omegaconf import OmegaConf

from ganforge import GANSettings, compose_config
from ganforge_points.domain import PointsDomain
from ganforge_points.model import MLPGAN


def test_built_in_a_notebook_without_a_config():
    torch.manual_seed(0)
    model = MLPGAN(hidden=16, layers=2, columns=3, mean=[0.0, 10.0, -5.0], std=[1.0, 2.0, 0.5],
                   settings=GANSettings.defaults(latent_dim=4, loss="bce"))
    rows = model.sample(64)
    assert rows.shape == (64, 3)
    assert abs(rows[:, 1].mean().item() - 10.0) < 5.0  # returned in data units, not standardised
    batch = [torch.randn(32, 3)]
    d_loss, _ = model.discriminator_loss(batch)
    g_loss, _ = model.generator_loss(batch)
    (d_loss + g_loss).backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.discriminator.parameters())


def test_builder_reads_the_yaml_once_and_keeps_no_config():
    cfg = compose_config(["domain=points", "model=mlp", "model.hidden=24", "data.batch_size=32"])
    plugin = PointsDomain()
    data = plugin.build_datamodule(cfg)
    data.setup("fit")
    model = plugin.make_module(cfg, data.spec())
    assert not hasattr(model, "cfg")
    linears = [m for m in model.generator if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linears[:-1]] == [24] * cfg.model.layers
    assert linears[0].in_features == model.latent_dim == cfg.model.latent_dim
    assert linears[-1].out_features == data.spec()["columns"]
    assert model.settings.model.loss == cfg.model.loss and model.settings.optim.lr_g == cfg.optim.lr_g
    assert torch.allclose(model.mean, torch.tensor(data.spec()["mean"]))
    assert next(iter(data.train_dataloader()))[0].shape[0] == 32
    assert OmegaConf.is_config(model.run_config)  # kept by the core for checkpoints only
