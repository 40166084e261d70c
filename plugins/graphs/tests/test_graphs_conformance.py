"""The ganforge conformance suite for the ``graphs`` domain (real Hydra, Trainer and files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ganforge.testing import PluginConformance
from ganforge_graphs.loading import load_graph


class TestGraphsConformance(PluginConformance):
    """Discovery, composition, smoke training of netgan and cell, gan-sample, bad data."""

    domain = "graphs"
    bad_data = [
        (["data.path=/no/such/graph.npz"], "data.path '/no/such/graph.npz': file not found"),
        (["data.val_fraction=1.5"], "data.val_fraction=1.5: expected a fraction in [0, 1)"),
        (["data.max_nodes=2"], "data.max_nodes=2: expected null or at least 3 nodes"),
        (["model.stopping.criterion=loss"], "unknown model.stopping.criterion 'loss'; valid choices: eo, none, val"),
    ]

    def check_sample_file(self, path: Path) -> None:
        """Edge lists and PyG files load back as simple graphs without isolated nodes; PNGs open."""
        if path.suffix == ".png":
            with Image.open(path) as img:
                assert img.format == "PNG" and min(img.size) >= 300
            return
        assert path.suffix in (".edges", ".pt"), path
        a = load_graph(path).adjacency.tocsr()
        assert a.shape == (300, 300)  # the smoke profiles use a 300-node slice of Cora-ML
        assert a.diagonal().sum() == 0 and a.max() == 1
        if path.suffix == ".pt":  # PyG stores both directions of every edge
            assert (a != a.T).nnz == 0
        assert np.all(np.asarray((a + a.T).sum(axis=1)).ravel() > 0), f"{path} has isolated nodes"
