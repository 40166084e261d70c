"""Image models built two ways: from flat, typed arguments with no config anywhere (a notebook),
and by their ``from_config`` builders from a composed run config (the YAML's values, no
``cfg`` kept on the module)."""

from __future__ import annotations

import pytest
import torch
from omegaconf import DictConfig, OmegaConf

from ganforge import GANSettings, compose_config
from ganforge.errors import GanforgeError
from ganforge_images.augment import attach_diffaugment
from ganforge_images.domain import ImagesDomain
from ganforge_images.evaluation import metrics_config
from ganforge_images.models import CGAN, DCGAN, MODELS, WGANGP, CycleGAN, Pix2Pix, StyleGAN2
from ganforge_images.models.cgan_concat import CGANConcat

#: the data spec each data kind gives (what ``datamodule.spec()`` returns)
SPECS = {
    "images": {"channels": 1, "size": 16, "num_classes": 10, "class_names": [str(i) for i in range(10)]},
    "paired": {"channels_in": 1, "channels": 1, "size": 16},
    "unpaired": {"channels_a": 1, "channels_b": 3, "size": 16},
}


def settings(**model) -> GANSettings:
    return GANSettings.defaults(latent_dim=8, **model)


def flat_models() -> dict[str, torch.nn.Module]:
    """One model of each class, from keyword arguments only."""
    return {
        "dcgan": DCGAN(channels=1, size=16, g_width=8, d_width=8, d_norm="batch", settings=settings()),
        "wgan-gp": WGANGP(channels=1, size=16, g_width=8, d_width=8, critic_norm="layer",
                          settings=settings(loss="wgan", n_critic=5, gp_weight=10.0)),
        "cgan": CGAN(channels=1, size=16, num_classes=10, class_names=None, g_width=8, d_width=8, embed_dim=4,
                     settings=settings(loss="hinge")),
        "cgan-concat": CGANConcat(channels=1, size=16, num_classes=10, class_names=None, g_width=8, d_width=8,
                                  embed_dim=4, d_norm="batch", settings=settings()),
        "pix2pix": Pix2Pix(channels_in=1, channels=3, size=16, g_width=8, g_depth=None, g_norm="batch", dropout=0.5,
                           d_width=8, d_layers=2, d_norm="batch", l1_weight=100.0, preview_count=2,
                           settings=settings()),
        "cyclegan": CycleGAN(channels_a=1, channels_b=3, size=16, g_width=8, n_blocks=1, n_down=2, g_norm="instance",
                             d_width=8, d_layers=2, d_norm="instance", cycle_weight=10.0, identity_weight=0.5,
                             pool_size=4, preview_count=2, settings=settings(loss="lsgan")),
        "stylegan2": StyleGAN2(channels=1, size=16, w_dim=16, mapping_layers=2, mapping_lr_mul=0.01,
                               channel_base=256, channel_max=32, mbstd_group=4, style_mixing=0.9, r1_interval=2,
                               pl_weight=2.0, pl_interval=2, pl_decay=0.01, pl_batch_shrink=2, ema_kimg=10.0,
                               images_per_step=32, truncation=1.0, settings=settings(r1_gamma=1.0)),
    }


def test_every_model_class_is_covered():
    assert {type(m) for m in flat_models().values()} == set(MODELS.values())


def test_flat_models_sample_and_take_a_gradient_step_without_any_config():
    torch.manual_seed(0)
    for name, module in flat_models().items():
        assert not hasattr(module, "cfg") and module.run_config is None, name
        assert not any(isinstance(v, DictConfig) for v in vars(module).values()), name
        if module.data_kind == "images":
            assert module.sample(3).shape == (3, 1, 16, 16), name
            batch = (torch.rand(4, 1, 16, 16) * 2 - 1, torch.arange(4))
        else:
            batch = (torch.rand(4, 1, 16, 16) * 2 - 1, torch.rand(4, 3, 16, 16) * 2 - 1)  # 1 -> 3 channels
            assert module.translate(batch[0]).shape == (4, 3, 16, 16), name
        if name == "stylegan2":  # its own lazy-regularised updates; the plain logistic loss here
            d_loss = torch.nn.functional.softplus(-module.discriminate(batch[0], batch)).mean()
            g_loss = torch.nn.functional.softplus(-module.discriminate(module.fake_images(4), batch)).mean()
        else:
            d_loss, _ = module.discriminator_loss(batch)
            g_loss, _ = module.generator_loss(batch)
        for loss, params in ((d_loss, module.discriminator_parameters()), (g_loss, module.generator_parameters())):
            assert torch.isfinite(loss), name
            params = [p for p in params if p.requires_grad]
            grads = torch.autograd.grad(loss, params, allow_unused=True)
            assert any(g is not None and float(g.abs().sum()) > 0 for g in grads), name


def test_flat_cyclegan_switches_identity_off_across_channel_counts():
    assert flat_models()["cyclegan"].identity_weight == 0.0  # 1 -> 3 channels: G_AB(b) is not comparable with b


def test_diffaugment_attaches_to_a_flat_model():
    module = flat_models()["stylegan2"]
    aug = attach_diffaugment(module, "color+cutout", p=1.0, ada_target=0.6, ada_interval=4, ada_kimg=500.0)
    assert module.diffaugment is aug and aug.policy == ["color", "cutout"] and float(aug.p) == 0.0
    with pytest.raises(GanforgeError, match="model 'notebook' does not report it"):
        attach_diffaugment(flat_models()["dcgan"], ["color"], p=1.0, ada_target=0.6, ada_interval=4, ada_kimg=500.0)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_from_config_takes_the_yaml_values_and_keeps_no_config(name, monkeypatch):
    cfg = compose_config(["domain=images", f"model={name}"])
    cls = MODELS[name]
    seen: dict = {}
    original = cls.__init__

    def spy(self, **kwargs):
        seen.update(kwargs)
        original(self, **kwargs)

    monkeypatch.setattr(cls, "__init__", spy)
    spec = {**SPECS[cls.data_kind], "size": int(cfg.data.size)}  # the YAML's 32 px (PatchGAN depth)
    module = ImagesDomain().make_module(cfg, spec)
    assert not hasattr(module, "cfg")
    yaml_model = OmegaConf.to_container(cfg.model, resolve=True)
    compared = [k for k in seen if k in yaml_model]
    assert len(compared) >= 3, compared
    for key in compared:
        value = yaml_model[key]
        assert seen[key] == (value if key != "ema_kimg" else float(value)), key
    for key in set(seen) & set(spec):
        assert seen[key] == spec[key], key
    s = seen["settings"]
    assert (s.model.latent_dim, s.model.loss, s.model.n_critic) == (
        cfg.model.latent_dim if "latent_dim" in cfg.model else 100, cfg.model.loss, cfg.model.n_critic)
    assert (s.optim.lr_g, s.optim.lr_d, s.ema.decay) == (cfg.optim.lr_g, cfg.optim.lr_d, cfg.ema.decay)
    assert module.run_config is cfg  # attached for checkpoints only


def test_stylegan2_builder_counts_the_global_batch():
    cfg = compose_config(["domain=images", "model=stylegan2", "data.batch_size=16", "trainer.devices=2"])
    module = StyleGAN2.from_config(cfg, SPECS["images"])
    assert module.images_per_step == 32
    assert module.ema_decay() == pytest.approx(0.5 ** (32 / 10_000))


def test_diffaugment_keys_come_from_the_yaml_and_the_schema():
    cfg = compose_config(["domain=images", "model=stylegan2", "model.diffaugment=translation", "model.ada_target=0.6"])
    module = ImagesDomain().make_module(cfg, SPECS["images"])
    assert module.diffaugment.ada_interval == 4 and module.diffaugment.ada_kimg == 500.0  # schema defaults
    assert module.diffaugment.ada_target == 0.6


def test_metrics_settings_are_the_domain_yaml_without_a_run_config():
    cfg = compose_config(["domain=images", "model=dcgan"])
    assert metrics_config(None) == metrics_config(cfg)
    assert metrics_config(None).n_samples == 1000 and metrics_config(None).feature_net == "classifier"
