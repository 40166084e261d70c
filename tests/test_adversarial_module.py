"""AdversarialModule trained by a real Lightning Trainer on a tiny learnable problem."""

import lightning.pytorch as pl
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ganforge import AdversarialModule, GanforgeError, GANSettings

TARGET_MEAN = 4.0


class Gaussian1D(AdversarialModule):
    """Learn N(4, 0.5) from N(0, I) noise with two small MLPs."""

    def __init__(self, cfg):
        # flat settings built once from the test's partial config (defaults: conf/config.yaml)
        super().__init__(GANSettings.defaults(optim=cfg["optim"], ema=cfg["ema"], max_steps=cfg["trainer"]["max_steps"],
                                              **cfg["model"]))
        self.generator = nn.Sequential(nn.Linear(self.latent_dim, 16), nn.ReLU(), nn.Linear(16, 1))
        self.discriminator = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1), nn.Flatten(0))
        self.d_updates = 0

    def discriminator_update(self, batch):
        self.d_updates += 1
        super().discriminator_update(batch)


def make_cfg(**model):
    return {
        "model": {"loss": "bce", "n_critic": 1, "latent_dim": 4, **model},
        "trainer": {"max_steps": 300},
        "optim": {"lr_g": 5e-3, "lr_d": 5e-3, "betas": [0.5, 0.999]},
        "ema": {"decay": 0.0},
    }


def fit(module, n=4096, batch=128):
    torch.manual_seed(0)
    data = torch.randn(n, 1) * 0.5 + TARGET_MEAN
    loader = DataLoader(TensorDataset(data), batch_size=batch, shuffle=True, drop_last=True)
    trainer = pl.Trainer(
        accelerator="cpu", max_epochs=-1, max_steps=-1, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False,
    )
    trainer.fit(module, train_dataloaders=loader)
    return trainer


@pytest.mark.parametrize("loss", ["bce", "lsgan", "hinge"])
def test_generator_learns_the_target_mean(loss):
    torch.manual_seed(0)
    module = Gaussian1D(make_cfg(loss=loss))
    with torch.no_grad():
        start = module.sample(2000).mean().item()
    fit(module)
    samples = module.sample(2000)
    assert abs(start - TARGET_MEAN) > 3.0
    assert abs(samples.mean().item() - TARGET_MEAN) < 0.6, samples.mean()
    assert module.g_step == 300


def test_wgan_gp_with_n_critic_counts_steps_and_learns():
    torch.manual_seed(0)
    cfg = make_cfg(loss="wgan", n_critic=3, gp_weight=1.0)
    cfg["trainer"]["max_steps"] = 300
    cfg["optim"] = {"lr_g": 2e-3, "lr_d": 2e-3, "betas": [0.5, 0.9]}
    module = Gaussian1D(cfg)
    fit(module)
    assert module.g_step == 300
    assert module.d_updates == 900  # n_critic D updates per generator step
    assert abs(module.sample(2000).mean().item() - TARGET_MEAN) < 1.0


def test_ema_generator_is_used_for_sampling():
    cfg = make_cfg()
    cfg["ema"] = {"decay": 0.9}
    cfg["trainer"]["max_steps"] = 20
    module = Gaussian1D(cfg)
    fit(module)
    assert module.sampling_generator() is module.ema.shadow
    # the average lags behind the trained weights
    assert not torch.allclose(module.ema.shadow[0].weight, module.generator[0].weight)


@pytest.mark.parametrize("kind", ["mle", "after_generator", "global", "training"])
def test_unknown_phase_kind_is_rejected_at_construction_with_the_real_kinds(kind):
    """Phase kinds come from the model's declared handlers, never from method names."""
    cfg = make_cfg(phases=[{"name": "warmup", "kind": kind, "steps": 2}])
    with pytest.raises(GanforgeError) as err:
        Gaussian1D(cfg)
    assert str(err.value) == f"model.phases (Gaussian1D): unknown phase kind '{kind}'; valid choices: adversarial"


def test_declared_phase_handlers_run_in_order():
    class Warmup(Gaussian1D):
        def phase_handlers(self):
            return {**super().phase_handlers(), "warmup": self.warmup_step}

        def warmup_step(self, batch, batch_idx):
            self.warmups = getattr(self, "warmups", 0) + 1
            return 1

    module = Warmup(make_cfg(phases=[{"name": "w", "kind": "warmup", "steps": 3},
                                     {"name": "adv", "kind": "adversarial", "steps": None}]))
    module.max_steps = 5
    fit(module)
    assert module.warmups == 3 and module.g_step == 5


def test_bad_n_critic_names_the_key():
    with pytest.raises(GanforgeError, match=r"^model.n_critic=0: expected an integer >= 1$"):
        Gaussian1D(make_cfg(n_critic=0))


class CountingGaussian1D(Gaussian1D):
    """Records, per generator forward, whether it ran with grad (and inside a D update)."""

    def __init__(self, cfg):
        super().__init__(cfg)
        self.forwards = []
        self.in_d = False

    def discriminator_update(self, batch):
        self.in_d = True
        try:
            super().discriminator_update(batch)
        finally:
            self.in_d = False

    def generator_forward(self, generator, batch):
        self.forwards.append(("D" if self.in_d else "G", torch.is_grad_enabled()))
        return super().generator_forward(generator, batch)


@pytest.mark.parametrize(
    ("n_critic", "reuse", "per_step"),
    [
        (1, "auto", [("D", True)]),  # one forward with grad, reused by the G update
        (1, False, [("D", False), ("G", True)]),
        (3, "auto", [("D", False)] * 3 + [("G", True)]),
        (3, True, [("D", False)] * 2 + [("D", True)]),  # the last critic step's batch, kept for G
        (3, False, [("D", False)] * 3 + [("G", True)]),
    ],
)
def test_generator_update_reuses_the_d_steps_fake_batch_when_allowed(n_critic, reuse, per_step):
    cfg = make_cfg(n_critic=n_critic, reuse_fake=reuse)
    cfg["trainer"]["max_steps"] = 6
    module = CountingGaussian1D(cfg)
    fit(module)
    assert module.g_step == 6
    assert module.forwards == per_step * 6
    assert module._kept_fake is None  # no graph held between steps


def test_reused_fake_batch_still_learns_and_bad_reuse_value_is_named():
    torch.manual_seed(0)
    module = Gaussian1D(make_cfg(reuse_fake="auto"))
    assert module.reuse_fake_batch
    fit(module)
    assert abs(module.sample(2000).mean().item() - TARGET_MEAN) < 0.6
    with pytest.raises(GanforgeError, match=r"^model.reuse_fake='sometimes': expected one of true, false, auto$"):
        Gaussian1D(make_cfg(reuse_fake="sometimes"))  # checked when the settings are built
