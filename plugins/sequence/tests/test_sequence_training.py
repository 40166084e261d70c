"""Real few-step training of the sequence models through the ganforge core."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf, open_dict

from ganforge import load_module, train
from ganforge.errors import GanforgeError
from ganforge.testing.runs import compose_smoke, run_smoke, sample_files
from ganforge_sequence.datamodules import PoetryDataModule
from ganforge_sequence.generator import LSTMGenerator
from ganforge_sequence.models import MLEGenerator, SeqGAN

TINY_ORACLE = [
    "data.vocab_size=30",
    "data.seq_len=6",
    "data.num_train=256",
    "data.num_test=128",
    "data.batch_size=32",
    "model.generator.emb_dim=16",
    "model.generator.hidden_dim=16",
    "model.eval.samples=256",
]


def csv_rows(run_dir: Path) -> list[dict]:
    with (run_dir / "logs" / "metrics.csv").open() as f:
        return list(csv.DictReader(f))


def test_mle_pretraining_lowers_nll_on_tiny_oracle(tmp_path):
    metrics = run_smoke("oracle", "mle", tmp_path, TINY_ORACLE + ["model.mle.epochs=6"])
    epochs = [r for r in csv_rows(tmp_path) if r.get("mle/epoch")]
    assert [float(r["mle/epoch"]) for r in epochs] == [1, 2, 3, 4, 5, 6]
    first, last = epochs[0], epochs[-1]
    assert float(last["nll_test"]) < float(first["nll_test"]) - 0.2
    assert float(last["nll_oracle"]) < float(first["nll_oracle"]) - 0.2
    assert metrics["g_step"] == 6 * (256 // 32)  # every MLE update is one ganforge step
    assert metrics["phase"] == "mle_pretrain"


def test_seqgan_runs_every_phase_and_logs_each_iteration(tmp_path):
    metrics = run_smoke("oracle", "seqgan", tmp_path, ["model.adversarial.iterations=3"])
    rows = csv_rows(tmp_path)
    iterations = [r for r in rows if r.get("adv/iteration")]
    assert [float(r["adv/iteration"]) for r in iterations] == [1, 2, 3]
    for r in iterations:
        for key in ("d/acc_real", "d/acc_fake", "pg/mean_reward", "nll_oracle", "nll_test"):
            assert r[key] != "", key
        assert 0.0 <= float(r["pg/mean_reward"]) <= 1.0
        assert 0.0 <= float(r["d/acc_real"]) <= 1.0
    assert any(r.get("d_pretrain/round") for r in rows)
    # 32 training sequences / batch 8 = 4 MLE updates, then 3 policy-gradient updates.
    assert metrics["g_step"] == 4 + 3
    assert metrics["phase"] == "adversarial"
    for phase in ("mle_pretrain", "d_pretrain", "adversarial"):
        assert metrics[f"train/time/{phase}_s"] > 0
    assert {"nll_oracle", "nll_test", "nll_oracle_real"} <= set(metrics)
    assert metrics["nll_oracle_real"] < metrics["nll_oracle"]

    plugin, module = load_module(tmp_path)
    assert isinstance(module, SeqGAN) and module.adversarial_iterations == 3
    # The delayed rollout policy was saved and lags behind the generator.
    lag = [(a - b).abs().max().item() for a, b in zip(module.rollout.parameters(), module.generator.parameters(), strict=True)]
    assert max(lag) > 0


def test_policy_gradient_against_fixed_discriminator_raises_reward(tmp_path):
    overrides = TINY_ORACLE + [
        "model.mle.epochs=2",
        "model.d_pretrain.rounds=3",
        "optim.lr_d=0.01",
        "model.d_pretrain.negatives=256",
        "model.discriminator.filter_sizes=[1,2,3]",
        "model.discriminator.num_filters=[8,8,8]",
        "model.discriminator.emb_dim=8",
        "model.adversarial.iterations=12",
        "model.adversarial.d_steps=0",  # D frozen: the reward is a fixed function
        "model.pg.rollouts=4",
        "model.pg.baseline=batch_mean",
        "model.eval.every=0",
    ]
    run_smoke("oracle", "seqgan", tmp_path, overrides)
    rewards = [float(r["pg/mean_reward"]) for r in csv_rows(tmp_path) if r.get("adv/iteration")]
    assert len(rewards) == 12
    assert sum(rewards[-3:]) / 3 > sum(rewards[:3]) / 3 + 0.03


def test_resume_from_pretraining_continues_in_the_adversarial_phase(tmp_path):
    run_smoke("oracle", "seqgan", tmp_path / "pre", ["model.adversarial.iterations=0"])
    pre = json.loads((tmp_path / "pre" / "metrics.json").read_text())
    assert pre["phase"] == "d_pretrain" and pre["g_step"] == 4
    cfg = compose_smoke("oracle", "seqgan", ["model.adversarial.iterations=2"])
    with open_dict(cfg):
        cfg.resume = str(tmp_path / "pre")
    metrics = train(cfg, tmp_path / "adv")
    assert metrics["g_step"] == 4 + 2 and metrics["phase"] == "adversarial"
    assert [float(r["adv/iteration"]) for r in csv_rows(tmp_path / "adv") if r.get("adv/iteration")] == [1, 2]


def test_poetry_vocabulary_in_checkpoint_and_gan_sample_writes_poems(tmp_path):
    run_smoke("poetry", "seqgan", tmp_path / "run")
    ckpt = torch.load(tmp_path / "run" / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)
    spec = ckpt["ganforge"]["spec"]
    assert spec["tokenizer"]["kind"] == "char" and spec["tokenizer"]["tokens"][:2] == ["<pad>", "<unk>"]
    assert spec["vocab_size"] == len(spec["tokenizer"]["tokens"]) and spec["seq_len"] == 24
    files = sample_files(tmp_path / "run", tmp_path / "poems", n=3, options=["temperature=0.9"])
    assert len(files) == 3
    vocab = set(spec["tokenizer"]["tokens"]) | {"□"}
    for f in files:
        lines = f.read_text(encoding="utf-8").strip().split("\n")
        assert len(lines) == 4
        assert set("".join(lines)) <= vocab
    with pytest.raises(GanforgeError, match="temperature=abc: expected a number > 0"):
        sample_files(tmp_path / "run", tmp_path / "bad", n=1, options=["temperature=abc"])
    with pytest.raises(GanforgeError, match=r"unknown option\(s\) \['colour'\]"):
        sample_files(tmp_path / "run", tmp_path / "bad", n=1, options=["colour=red"])


def test_poetry_metrics_on_embedded_data():
    dm = PoetryDataModule.from_config(compose_smoke("poetry", "mle", ["data.limit=null"]))
    dm.setup("fit")
    spec = dm.spec()
    assert (spec["num_train"], spec["num_test"], spec["seq_len"]) == (2700, 300, 24)
    gen = LSTMGenerator(spec["vocab_size"], spec["seq_len"], emb_dim=8, hidden_dim=8)
    metrics = dm.final_metrics(gen, 64)
    # Real training poems share many bigrams with the 300 held-out poems; an untrained generator does not.
    assert 0.3 < metrics["bleu2_real"] < 1.0
    assert metrics["bleu2"] < 0.5 * metrics["bleu2_real"]
    assert 0.0 <= metrics["self_bleu2"] <= 1.0 and 0.0 <= metrics["self_bleu2_real"] <= 1.0
    assert metrics["nll_test"] > 0


def test_model_config_errors_are_one_line():
    cfg = compose_smoke("oracle", "mle")
    spec = {"vocab_size": 10, "seq_len": 5, "start_token": 0, "tokenizer": {"kind": "integer", "vocab_size": 10}}
    with open_dict(cfg):
        cfg.model.phases = OmegaConf.create([{"name": "d", "kind": "d_pretrain", "steps": 1}])
    with pytest.raises(GanforgeError, match=r"model.phases: model 'mle' has no discriminator.*\['d_pretrain'\]"):
        MLEGenerator.from_config(cfg, spec)
    cfg = compose_smoke("oracle", "seqgan", ["model.pg.rollouts=0"])
    with pytest.raises(GanforgeError, match="model.pg.rollouts=0: expected an integer >= 1"):
        SeqGAN.from_config(cfg, spec)
    model = SeqGAN.from_config(compose_smoke("oracle", "seqgan"), spec)
    assert model.rollout_rows() == SeqGAN.CPU_ROLLOUT_TABLE // 10  # auto on a CPU: cache-sized blocks
    with pytest.raises(GanforgeError, match="model.pg.rollout_rows: expected auto or an integer >= 1, got 'many'"):
        SeqGAN.from_config(compose_smoke("oracle", "seqgan", ["model.pg.rollout_rows=many"]), spec)
    with pytest.raises(GanforgeError, match="model.pg.tolerance: unknown key"):
        SeqGAN.from_config(compose_smoke("oracle", "seqgan", ["+model.pg.tolerance=1"]), spec)
    with pytest.raises(GanforgeError, match="data spec has no 'vocab_size'"):
        SeqGAN.from_config(compose_smoke("oracle", "seqgan"), {"seq_len": 5})
