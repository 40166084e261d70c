"""ORGAN's reward: lambda * D(x) + (1 - lambda) * objective(x), penalties and config errors."""

from __future__ import annotations

import pytest
import torch
from rdkit import Chem
from rdkit.Chem import QED, Crippen

from ganforge.errors import GanforgeError
from ganforge.testing.runs import compose_smoke
from ganforge_molecules.domain import MoleculesDomain
from ganforge_molecules.organ import OBJECTIVES, ORGAN, ObjectiveReward, repeat_weights

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"


def test_objectives_are_rdkit_values_mapped_to_unit_range():
    mol = Chem.MolFromSmiles(ASPIRIN)
    obj = ObjectiveReward("qed")
    assert obj.score(ASPIRIN) == (True, pytest.approx(QED.qed(mol)))
    assert obj.score("C1CC") == (False, 0.0) and obj.score("") == (False, 0.0)
    lo, hi = -2.12178879609, 6.0429063424
    assert OBJECTIVES["logp"](mol) == pytest.approx((Crippen.MolLogP(mol) - lo) / (hi - lo))
    assert 0.0 <= OBJECTIVES["sa"](mol) <= 1.0 and OBJECTIVES["validity"](mol) == 1.0
    # SA is "easy = 1": benzene is easier to make than a caged polycycle
    assert OBJECTIVES["sa"](Chem.MolFromSmiles("c1ccccc1")) > OBJECTIVES["sa"](Chem.MolFromSmiles("C12C3C4C1C5C2C3C45"))
    with pytest.raises(GanforgeError, match="model.organ.objective"):
        ObjectiveReward("potency")


def test_repeat_weights_per_group():
    w = repeat_weights(["A", "A", "B", "C", "D", "D", "D", "D"], group=4)
    # group 1: 3 distinct of 4 -> 0.75 / count; group 2: 1 distinct of 4 -> 0.25 / 4
    assert w.tolist() == pytest.approx([0.375, 0.375, 0.75, 0.75, 0.0625, 0.0625, 0.0625, 0.0625])


def build(tmp_overrides=()):
    cfg = compose_smoke("molecules", "organ", list(tmp_overrides))
    plugin = MoleculesDomain()
    dm = plugin.build_datamodule(cfg)
    dm.setup("fit")
    return plugin.make_module(cfg, dm.spec()), dm


def test_reward_mixes_discriminator_and_objective():
    module, dm = build(["model.organ.lambda=0.25", "model.organ.repeat_penalty=false"])
    assert isinstance(module, ORGAN)
    tok, seq_len = dm.tokenizer, dm.spec()["seq_len"]
    good = dm.train_smiles[:3]
    rows = [tok.encode(s, seq_len) for s in good]
    rows.append(tok.encode(good[0], seq_len)[:2] + [tok.index["("]] * (seq_len - 2))  # never ends: invalid
    tokens = torch.tensor(rows)
    module.discriminator.eval()
    with torch.no_grad():
        d = torch.sigmoid(module.discriminator(tokens).reshape(-1))
        got = module.reward_function()(tokens)
    qeds = torch.tensor([QED.qed(Chem.MolFromSmiles(s)) for s in good])
    assert torch.allclose(got[:3], 0.25 * d[:3] + 0.75 * qeds, atol=1e-5)
    assert got[3] == 0.0  # invalid: the whole reward is 0 (model.organ.invalid=total)

    module, _ = build(["model.organ.lambda=0.25", "model.organ.repeat_penalty=false", "model.organ.invalid=objective"])
    module.discriminator.eval()
    with torch.no_grad():
        d = torch.sigmoid(module.discriminator(tokens).reshape(-1))
        assert module.reward_function()(tokens)[3] == pytest.approx(float(0.25 * d[3]))


def test_lambda_one_is_exactly_seqgan_and_zero_skips_the_discriminator():
    module, dm = build(["model.organ.lambda=1", "model.organ.invalid=objective"])
    tokens = torch.tensor([dm.tokenizer.encode(s, dm.spec()["seq_len"]) for s in dm.train_smiles[:4]])
    module.discriminator.eval()
    with torch.no_grad():
        assert torch.equal(module.reward_function()(tokens), torch.sigmoid(module.discriminator(tokens).reshape(-1)))
    module, _ = build(["model.organ.lambda=0", "model.organ.objective=validity"])
    module.discriminator = None  # would raise if the reward touched it
    assert module.reward_function()(tokens).tolist() == [1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("override", "text"),
    [
        ("model.organ.lambda=1.5", "model.organ.lambda=1.5: expected a number >= 0 and <= 1"),
        ("model.organ.invalid=never", "model.organ.invalid"),
        ("model.organ.pg_lr=0", "model.organ.pg_lr=0: expected a number > 0 or null"),
        ("+model.organ.weight=2", "model.organ.weight: unknown key"),
        ("model.pg.reward_batch=100", "model.pg.reward_batch=100: ORGAN needs a multiple of data.batch_size=8"),
    ],
)
def test_bad_settings_are_one_line_errors(override, text):
    with pytest.raises(GanforgeError) as err:
        build([override])
    assert text in str(err.value) and "\n" not in str(err.value)


def test_flat_organ_without_a_config_samples_and_rewards():
    """ORGAN from typed arguments alone (no DictConfig), the SMILES tokenizer of real data."""
    from ganforge import GANSettings
    from ganforge_molecules.schemas import OrganOptions
    from ganforge_sequence.schemas import (
        AdversarialOptions,
        DiscriminatorOptions,
        DPretrainOptions,
        GeneratorOptions,
        PolicyGradientOptions,
        SeqGANEvalOptions,
    )

    _, dm = build()
    spec = dm.spec()
    module = ORGAN(
        vocab_size=spec["vocab_size"], seq_len=spec["seq_len"], start_token=spec["start_token"], tokenizer=dm.tokenizer,
        generator=GeneratorOptions(emb_dim=8, hidden_dim=8, num_layers=1, init_std=0.1),
        discriminator=DiscriminatorOptions(emb_dim=8, filter_sizes=[1, 2], num_filters=[4, 4], highway_layers=1,
                                           dropout=0.25, l2_reg=0.2, batch_size=8),
        d_pretrain=DPretrainOptions(epochs=1, negatives=16),
        adversarial=AdversarialOptions(g_steps=1, d_steps=1, d_epochs=1, negatives=16),
        pg=PolicyGradientOptions(rollouts=2, update_rate=0.8, baseline="none", baseline_decay=0.9, reward="prob",
                                 reduction="sum", rollout_rows="auto", reward_batch=64),
        evaluation=SeqGANEvalOptions(samples=16, mle_every=1, every=1, d_pretrain_every=1),
        separate_mle_optimizer=True, seed=0, settings=GANSettings.defaults(ema={"decay": 0.0}),
        organ=OrganOptions(objective="validity", lambda_=0.0, repeat_penalty=False, invalid="total", pg_lr=None),
        batch_size=8,
    )
    assert not hasattr(module, "cfg") and module.lam == 0.0 and module._group == 8
    samples = module.sample(6)
    assert samples.tokens.shape == (6, spec["seq_len"])
    tokens = torch.tensor([dm.tokenizer.encode(s, spec["seq_len"]) for s in dm.train_smiles[:3]])
    assert module.reward_function()(tokens).tolist() == [1.0, 1.0, 1.0]


def test_from_config_holds_no_config_and_takes_the_yaml_values():
    from importlib.resources import files

    import yaml

    module, dm = build()
    assert not hasattr(module, "cfg") and not hasattr(dm, "data_cfg") and not hasattr(dm, "metrics_cfg")
    organ = yaml.safe_load(files("ganforge_molecules.conf").joinpath("model", "organ.yaml").read_text())["model"]["organ"]
    assert (module.objective.objective, module.lam, module.repeat_penalty, module.invalid_mode, module.pg_lr) == (
        organ["objective"], organ["lambda"], organ["repeat_penalty"], organ["invalid"], organ["pg_lr"])
    assert module._group == 8 and module.pg.reward_batch == 4096  # smoke data.batch_size; seqgan.yaml's reward batch
    assert (dm.progress_samples, dm.n_jobs, dm.fcd, dm.limit, dm.test_limit) == (32, 1, True, 48, 200)
