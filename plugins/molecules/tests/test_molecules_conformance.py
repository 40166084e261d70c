"""The ganforge conformance suite for the ``molecules`` domain (real Hydra, Trainer, files)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from rdkit import Chem

from ganforge.testing import PluginConformance


class TestMoleculesConformance(PluginConformance):
    """Discovery, composition, smoke training of seqgan, organ and mle, gan-sample, bad data."""

    domain = "molecules"
    bad_data = [
        (["data.path=/no/such/molecules.smi"], "/no/such/molecules.smi: no such file"),
        (["data.limit=1"], "data.limit: expected null or an integer >= 2"),
        (["data.max_tokens=2"], "data.max_tokens=2: every training molecule is longer"),
        (["model=organ", "model.organ.objective=potency"], "model.organ.objective='potency': expected one of qed, logp, sa, validity"),
    ]
    sample_options = {"seqgan": ["temperature=0.7"]}

    def check_sample_file(self, path: Path) -> None:
        """.smi: ``SMILES<TAB>valid|invalid`` lines (valid ones parse); .png: an image; .sdf: RDKit reads it."""
        if path.suffix == ".png":
            with Image.open(path) as img:
                assert img.size[0] >= 100 and img.size[1] >= 50
            return
        if path.suffix == ".sdf":
            mols = list(Chem.SDMolSupplier(str(path))) if path.stat().st_size else []  # empty: no valid sample
            assert all(m is not None and m.HasProp("QED") for m in mols)
            return
        assert path.suffix == ".smi", path
        lines = path.read_text().splitlines()
        assert lines
        for line in lines:
            smiles, status = line.split("\t")
            assert status in ("valid", "invalid")
            assert (Chem.MolFromSmiles(smiles) is not None) == (status == "valid") or smiles == "<unfinished>"

    def test_domain_is_discovered(self):
        """Own domain/organ configs; seqgan/mle are the sequence plugin's (shared, not copied)."""
        from importlib.resources import files

        plugin = self.plugin()
        assert plugin.name == "molecules" and plugin.default_model == "seqgan"
        assert tuple(plugin.models) == ("seqgan", "organ", "mle")
        conf = files(plugin.config_package)
        assert conf.joinpath("domain", "molecules.yaml").is_file()
        assert conf.joinpath("model", "organ.yaml").is_file()
        for model in ("seqgan", "mle"):
            assert files("ganforge_sequence.conf").joinpath("model", f"{model}.yaml").is_file()
            assert not conf.joinpath("model", f"{model}.yaml").is_file()
        for model in plugin.models:
            assert conf.joinpath("smoke", f"smoke_molecules_{model}.yaml").is_file()
