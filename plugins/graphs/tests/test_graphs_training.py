"""Real training runs through the core: stopping criteria, learning, files, gan-sample formats."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ganforge.errors import GanforgeError
from ganforge.testing import compose_smoke, run_smoke, sample_files
from ganforge_graphs.domain import GraphsDomain
from ganforge_graphs.loading import load_graph


def test_cell_learns_and_eo_threshold_stops_training(tmp_path):
    overrides = ["trainer.max_steps=200", "model.stopping.eval_every=5", "model.stopping.eo_threshold=0.3",
                 "run.sample_every=0", "run.checkpoint_every=0"]
    metrics = run_smoke("graphs", "cell", tmp_path / "cell", overrides)
    # stopped by the criterion at an evaluation step, long before max_steps
    assert metrics["g_step"] < 200 and metrics["g_step"] % 5 == 0
    assert metrics["train/stop/eo/train"] >= 0.3
    rows = (tmp_path / "cell" / "logs" / "metrics.csv").read_text().splitlines()
    header = rows[0].split(",")
    losses = [float(r.split(",")[header.index("loss/cell")]) for r in rows[1:]
              if r.split(",")[header.index("loss/cell")]]
    assert losses[-1] < losses[0] - 0.5
    assert metrics["lp/val/auc"] > 0.7
    generated = load_graph(tmp_path / "cell" / "samples" / "final.edges").adjacency  # one line per edge
    assert generated.nnz == metrics["stats/generated/num_edges"] == metrics["stats/training/num_edges"]


def test_netgan_trains_and_samples_pyg_files(tmp_path):
    run_dir = tmp_path / "netgan"
    metrics = run_smoke("graphs", "netgan", run_dir, ["trainer.max_steps=3", "model.stopping.criterion=none"])
    assert metrics["g_step"] == 3
    assert 0.0 <= metrics["eo/train"] <= 1.0 and 0.0 <= metrics["lp/test/auc"] <= 1.0
    saved = json.loads((run_dir / "metrics.json").read_text())
    assert saved["stats/training/num_nodes"] == 300
    files = sample_files(run_dir, tmp_path / "pyg", n=2, options=["format=pyg"])
    assert [f.name for f in files] == ["graph_000.pt", "graph_001.pt"]
    for f in files:
        a = load_graph(f).adjacency
        assert a.nnz // 2 == saved["stats/generated/num_edges"]
    with pytest.raises(GanforgeError, match="unknown format 'gml'; valid choices: edgelist, pyg"):
        sample_files(run_dir, tmp_path / "bad", n=1, options=["format=gml"])
    with pytest.raises(GanforgeError, match=r"unknown option\(s\) \['label'\]"):
        sample_files(run_dir, tmp_path / "bad", n=1, options=["label=3"])


def test_val_criterion_keeps_best_weights_and_stops_after_patience():
    cfg = compose_smoke("graphs", "cell", ["model.stopping.criterion=val", "model.stopping.patience=2"])
    module = GraphsDomain().make_module(cfg, {"num_nodes": 20, "num_edges": 30})
    best = {k: v.clone() for k, v in module.generator.state_dict().items()}
    module._apply_criterion({"eo/train": 0.1, "lp/val/auc": 0.8, "lp/val/ap": 0.8})
    with torch.no_grad():
        module.generator.W_up.add_(1.0)
    module._apply_criterion({"eo/train": 0.2, "lp/val/auc": 0.7, "lp/val/ap": 0.8})
    assert not module.stopped
    module._apply_criterion({"eo/train": 0.3, "lp/val/auc": 0.8, "lp/val/ap": 0.7})
    assert module.stopped and module.training_done
    module.generator.load_state_dict(module._best_state)
    assert all(torch.equal(best[k], v) for k, v in module.generator.state_dict().items())


def test_model_without_graph_spec_is_rejected():
    cfg = compose_smoke("graphs", "netgan")
    with pytest.raises(GanforgeError, match="spec lacks 'num_nodes'"):
        GraphsDomain().make_module(cfg, {"channels": 3})
    assert np.isclose(cfg.model.stopping.eo_threshold, 0.52)
