"""Sequence models and data modules built from flat typed arguments (no DictConfig) and by
their ``from_config`` builders (issue 13: builders turn config into arguments)."""

from __future__ import annotations

from dataclasses import asdict
from importlib.resources import files

import lightning.pytorch as pl
import torch
import yaml

from ganforge import GANSettings, compose_config, get_registry
from ganforge_sequence.datamodules import OracleDataModule
from ganforge_sequence.models import MLEGenerator, SeqGAN, SequenceSamples
from ganforge_sequence.schemas import (
    AdversarialOptions,
    DiscriminatorOptions,
    DPretrainOptions,
    EvalOptions,
    GeneratorOptions,
    PolicyGradientOptions,
    SeqGANEvalOptions,
)
from ganforge_sequence.tokenizer import IntegerTokenizer

GEN = GeneratorOptions(emb_dim=8, hidden_dim=8, num_layers=1, init_std=0.1)


def seqgan_flat(phases):
    """A tiny SeqGAN from flat arguments only."""
    return SeqGAN(
        vocab_size=12, seq_len=6, start_token=0, tokenizer=IntegerTokenizer(12), generator=GEN,
        discriminator=DiscriminatorOptions(emb_dim=4, filter_sizes=[1, 2], num_filters=[3, 3], highway_layers=1,
                                           dropout=0.25, l2_reg=0.2, batch_size=8),
        d_pretrain=DPretrainOptions(epochs=1, negatives=8),
        adversarial=AdversarialOptions(g_steps=1, d_steps=1, d_epochs=1, negatives=8),
        pg=PolicyGradientOptions(rollouts=2, update_rate=0.8, baseline="none", baseline_decay=0.9, reward="prob",
                                 reduction="sum", rollout_rows="auto", reward_batch=64),
        evaluation=SeqGANEvalOptions(samples=8, mle_every=0, every=0, d_pretrain_every=0),
        separate_mle_optimizer=True, seed=0,
        settings=GANSettings.defaults(optim={"lr_g": 0.01, "lr_d": 1e-3}, ema={"decay": 0.0}, phases=phases),
    )


def test_flat_mle_generator_trains_a_step_and_samples():
    model = MLEGenerator(
        vocab_size=12, seq_len=6, start_token=0, tokenizer=IntegerTokenizer(12), generator=GEN,
        evaluation=EvalOptions(samples=8, mle_every=0), seed=0,
        settings=GANSettings.defaults(optim={"lr_g": 0.01}, ema={"decay": 0.0},
                                      phases=[{"name": "mle", "kind": "mle", "steps": 1}]),
    )
    assert not hasattr(model, "cfg")
    tokens = torch.randint(0, 12, (16, 6))
    opt = torch.optim.Adam(model.generator.parameters(), lr=0.01)
    before = float(model.generator.nll(tokens).detach())
    for _ in range(5):  # the MLE loss the mle phase minimises, on the built generator
        loss = model.generator.nll(tokens)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(model.generator.nll(tokens).detach()) < before
    samples = model.sample(3)
    assert isinstance(samples, SequenceSamples) and samples.tokens.shape == (3, 6)
    assert all(len(t.split()) == 6 for t in samples.texts())


def test_flat_seqgan_trains_every_phase_and_samples():
    torch.manual_seed(0)
    model = seqgan_flat([{"name": "mle", "kind": "mle", "steps": 1}, {"name": "d", "kind": "d_pretrain", "steps": 1},
                         {"name": "adv", "kind": "adversarial", "steps": 2}])
    assert not hasattr(model, "cfg") and model.num_rollouts == 2 and model.d_batch_size == 8
    assert model.rollout_rows() == SeqGAN.CPU_ROLLOUT_TABLE // 12
    dm = OracleDataModule(vocab_size=12, seq_len=6, emb_dim=4, hidden_dim=4, oracle_seed=0, sample_seed=1,
                          num_train=16, num_test=8, batch_size=8, num_workers=0)
    trainer = pl.Trainer(accelerator="cpu", max_epochs=6, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, datamodule=dm)
    assert model.mle_epochs_done == 1 and model.d_rounds_done == 1 and model.adversarial_iterations == 2
    assert model.g_step == 2 + 2  # 16 / 8 MLE updates, then one policy-gradient update per iteration
    assert model.sample(5).tokens.shape == (5, 6)


def test_from_config_holds_no_config_and_takes_the_yaml_values():
    cfg = compose_config(["domain=oracle", "model=seqgan", "data.vocab_size=50",
                          "data.num_train=16", "data.num_test=8"])
    plugin = get_registry().get("oracle")
    dm = plugin.build_datamodule(cfg)
    assert isinstance(dm, OracleDataModule) and not hasattr(dm, "data_cfg") and dm.batch_size == 64
    dm.setup("fit")
    module = plugin.make_module(cfg, dm.spec())
    assert not hasattr(module, "cfg") and isinstance(module, SeqGAN)
    yaml_model = yaml.safe_load(files("ganforge_sequence.conf").joinpath("model", "seqgan.yaml").read_text())["model"]
    assert asdict(module.pg) == yaml_model["pg"]
    assert {k: v for k, v in asdict(module.evaluation).items()} == yaml_model["eval"]
    assert module.d_batch_size == yaml_model["discriminator"]["batch_size"] == 64
    assert module.adversarial_options.d_steps == 5 and module.d_pretrain_options.negatives is None
    assert module.separate_mle_optimizer is True and module.settings.optim.lr_g == 0.01
    assert module.generator.embedding.embedding_dim == yaml_model["generator"]["emb_dim"]
    assert [p.kind for p in module.settings.phases] == ["mle", "d_pretrain", "adversarial"]
    mle = plugin.make_module(compose_config(["domain=oracle", "model=mle"]), dm.spec())
    assert isinstance(mle, MLEGenerator) and not hasattr(mle, "cfg") and mle.evaluation == EvalOptions(10000, 5)
