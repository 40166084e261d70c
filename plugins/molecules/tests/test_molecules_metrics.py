"""MOSES metrics against brute-force RDKit computations and known identities."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from rdkit import Chem, DataStructs
from rdkit.Chem import QED, rdFingerprintGenerator

from ganforge_molecules.metrics import (
    cosine_similarity,
    fingerprints,
    internal_diversity,
    moses_metrics,
    reference_stats,
    snn,
)
from ganforge_molecules.reading import EMBEDDED_TEST, EMBEDDED_TRAIN, embedded_path


def head(name: str, n: int) -> list[str]:
    with gzip.open(embedded_path(name), "rt") as fh:
        return [next(fh).strip() for _ in range(n)]


def rdkit_fps(smiles):
    gen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=1024)
    return [gen.GetFingerprint(Chem.MolFromSmiles(s)) for s in smiles]


def test_tanimoto_matrices_match_rdkit_bulk_similarity():
    gen, ref = head(EMBEDDED_TRAIN, 120), head(EMBEDDED_TEST, 90)
    g, r = rdkit_fps(gen), rdkit_fps(ref)
    sims = np.array([DataStructs.BulkTanimotoSimilarity(f, g) for f in g])
    assert internal_diversity(fingerprints(gen), 1) == pytest.approx(1 - sims.mean(), abs=1e-6)
    assert internal_diversity(fingerprints(gen), 2) == pytest.approx(1 - np.sqrt((sims**2).mean()), abs=1e-6)
    nn = np.array([max(DataStructs.BulkTanimotoSimilarity(f, r)) for f in g])
    assert snn(fingerprints(gen), fingerprints(ref)) == pytest.approx(nn.mean(), abs=1e-6)


def test_cosine_similarity_of_counts():
    from collections import Counter

    assert cosine_similarity(Counter(a=2, b=1), Counter(a=4, b=2)) == pytest.approx(1.0)
    assert cosine_similarity(Counter(a=1), Counter(b=1)) == 0.0


def test_validity_uniqueness_novelty_and_the_reference_cache(tmp_path):
    ref_smiles = head(EMBEDDED_TEST, 300)
    ref = reference_stats(ref_smiles, tmp_path, n_jobs=2)
    cached = list((tmp_path / "molecules").glob("ref-*.npz"))
    assert len(cached) == 1
    again = reference_stats(ref_smiles, tmp_path)  # loaded from the cache
    assert np.array_equal(again.fps.numpy(), ref.fps.numpy()) and again.frags == ref.frags
    assert np.allclose(again.fcd["sigma"], ref.fcd["sigma"]) and np.allclose(again.props["qed"], ref.props["qed"])

    train = set(head(EMBEDDED_TRAIN, 50))
    samples = [*list(train)[:10], "C1CC", "", *ref_smiles[:20], ref_smiles[0], "OCC"]  # 2 invalid, 1 duplicate
    out, stats = moses_metrics(samples, ref, train, n_jobs=1)
    assert out["validity"] == pytest.approx(32 / 34)
    assert out["unique"] == pytest.approx(31 / 32)
    assert out["novelty"] == pytest.approx(21 / 31)  # 20 test molecules + CCO are not training molecules
    assert "unique@1000" not in out  # fewer than 1,000 samples
    assert out["qed/mean"] == pytest.approx(np.mean([QED.qed(Chem.MolFromSmiles(s)) for s in samples if s and Chem.MolFromSmiles(s)]))
    for key in ("IntDiv1", "FCD/test", "SNN/test", "Frag/test", "Scaf/test", "sa/wasserstein/test", "mw/wasserstein/test"):
        assert np.isfinite(out[key]), key

    # the reference against itself: SNN 1, FCD ~ 0, identical distributions
    same, _ = moses_metrics(ref_smiles, ref, None, n_jobs=2)
    assert same["SNN/test"] == pytest.approx(1.0) and same["Frag/test"] == pytest.approx(1.0)
    assert abs(same["FCD/test"]) < 1e-3 and same["qed/wasserstein/test"] == pytest.approx(0.0, abs=1e-12)
    assert "novelty" not in same

    bad, stats = moses_metrics(["C1CC", "xx"], ref, train)
    assert bad == {"validity": 0.0, "samples": 2.0} and stats is None
