"""Real smoke training: MOSES metrics in metrics.json, files that hold what the model generated."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
import torch
import yaml
from rdkit import Chem

from ganforge import load_module
from ganforge.testing import assert_run_layout, run_smoke, sample_files
from ganforge_molecules.datamodule import generated_smiles

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "molecules"


def test_organ_smoke_metrics_and_exact_files(tmp_path):
    run = tmp_path / "run"
    metrics = run_smoke("molecules", "organ", run, ["model.organ.lambda=0.3"])
    assert_run_layout(run)
    assert metrics["phase"] == "adversarial" and metrics["samples"] == 64.0
    assert 0.0 <= metrics["validity"] <= 1.0 and "train/pg/mean_reward" in metrics and metrics["nll_test"] > 0
    names = {p.name for p in (run / "samples").iterdir()}
    assert {"final.smi", "final.png"} <= names

    plugin, module = load_module(run)
    torch.manual_seed(5)
    samples = module.sample(12)
    expected = generated_smiles(samples.tokens, samples.tokenizer)
    smi, sdf = plugin.export_samples(samples, tmp_path / "exact", "s", individual=True)
    lines = smi.read_text().splitlines()
    assert len(lines) == 12
    for text, line in zip(expected, lines, strict=True):
        mol = Chem.MolFromSmiles(text) if text else None
        if mol is not None and mol.GetNumAtoms():
            assert line == f"{Chem.MolToSmiles(mol)}\tvalid"
        else:
            assert line.endswith("\tinvalid")
    n_valid = sum(line.endswith("\tvalid") for line in lines)
    # an SDF of no molecule is an empty file (RDKit's reader refuses to open those)
    assert (len(list(Chem.SDMolSupplier(str(sdf)))) if sdf.stat().st_size else 0) == n_valid


def test_trained_mle_writes_valid_molecules_and_property_figure(tmp_path):
    """More MLE epochs on 400 molecules: some samples are valid, and metrics cover them."""
    run = tmp_path / "run"
    metrics = run_smoke(
        "molecules", "mle", run,
        ["data.limit=400", "data.batch_size=32", "model.generator.emb_dim=32", "model.generator.hidden_dim=64",
         "model.mle.epochs=25", "model.eval.samples=200", "optim.lr_g=0.01"],
    )
    assert metrics["validity"] > 0.05, metrics["validity"]
    for key in ("unique", "novelty", "IntDiv1", "FCD/test", "SNN/test", "Frag/test", "Scaf/test",
                "qed/wasserstein/test", "logp/wasserstein/test", "sa/wasserstein/test", "mw/wasserstein/test"):
        assert key in metrics, key
    assert (run / "samples" / "final_properties.png").stat().st_size > 1000
    files_ = sample_files(run, tmp_path / "gen", n=50)
    assert {p.name for p in files_} == {"samples.smi", "samples.sdf", "samples.png"}
    sdf = [m for m in Chem.SDMolSupplier(str(tmp_path / "gen" / "samples.sdf"))]
    assert sdf and all(0.0 <= m.GetDoubleProp("QED") <= 1.0 for m in sdf)


def test_organ_config_keeps_in_step_with_seqgan():
    """organ.yaml repeats the sequence plugin's seqgan.yaml; only the name and the organ block differ."""
    seqgan = yaml.safe_load(files("ganforge_sequence.conf").joinpath("model", "seqgan.yaml").read_text())
    organ = yaml.safe_load(files("ganforge_molecules.conf").joinpath("model", "organ.yaml").read_text())
    organ_model = dict(organ["model"])
    assert organ_model.pop("name") == "organ" and set(organ_model.pop("organ")) == {"objective", "lambda", "repeat_penalty", "invalid", "pg_lr"}
    seqgan_model = dict(seqgan["model"])
    seqgan_model.pop("name")
    assert organ_model == seqgan_model
    assert {k: v for k, v in organ.items() if k != "model"} == {k: v for k, v in seqgan.items() if k != "model"}


@pytest.mark.skipif(not (SHARED / "train.csv.gz").is_file(), reason="../shared/data/molecules not available")
def test_moses_csv_with_header_through_data_path(tmp_path):
    run = tmp_path / "run"
    metrics = run_smoke(
        "molecules", "mle", run,
        [f"data.path={SHARED / 'train.csv.gz'}", "data.limit=300", f"data.test_path={SHARED / 'test.csv.gz'}",
         "data.test_limit=100"],
    )
    assert metrics["g_step"] >= 1
    from ganforge import load_module as _load

    _, module = _load(run)
    assert module.spec["num_train"] == 300 and module.spec["num_test"] == 100


def test_discriminator_positives_are_a_fresh_balanced_subset():
    from ganforge.testing.runs import compose_smoke
    from ganforge_molecules.domain import MoleculesDomain

    cfg = compose_smoke("molecules", "seqgan", ["data.d_positives=10"])
    dm = MoleculesDomain().build_datamodule(cfg)
    dm.setup("fit")
    a, b = dm.positives(torch.device("cpu")), dm.positives(torch.device("cpu"))
    assert a.shape == (10, dm.spec()["seq_len"]) and not torch.equal(a, b)
    rows = {tuple(r) for r in dm.train_tokens.tolist()}
    assert all(tuple(r) in rows for r in a.tolist())
