"""Graph statistics against networkx on known graphs, plus link-prediction scores."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from ganforge_graphs.evaluation import link_prediction_scores
from ganforge_graphs.statistics import (
    STATISTIC_LABELS,
    characteristic_path_length,
    edge_distribution_entropy,
    gini_coefficient,
    graph_statistics,
    power_law_exponent,
)


def _adj(graph):
    return nx.to_scipy_sparse_array(graph, weight=None, format="csr", dtype=float)


def test_karate_club_statistics_match_networkx():
    g = nx.karate_club_graph()
    stats = graph_statistics(_adj(g))
    deg = np.array([d for _, d in g.degree()])
    assert stats["num_nodes"] == 34 and stats["num_edges"] == 78
    assert stats["max_degree"] == deg.max() == 17 and stats["min_degree"] == 1
    assert stats["triangle_count"] == sum(nx.triangles(g).values()) / 3 == 45
    assert stats["clustering_coefficient"] == pytest.approx(nx.transitivity(g))
    assert stats["assortativity"] == pytest.approx(nx.degree_assortativity_coefficient(g))
    assert stats["characteristic_path_length"] == pytest.approx(nx.average_shortest_path_length(g))
    assert stats["largest_component_size"] == 34 and stats["num_components"] == 1
    # wedges = paths of length two: count them by brute force through every centre
    assert stats["wedge_count"] == sum(len(list(nx.non_edges(nx.complete_graph(g[v])))) +
                                       nx.complete_graph(g[v]).number_of_edges() for v in g)
    assert stats["claw_count"] == sum(d * (d - 1) * (d - 2) // 6 for d in deg)
    assert set(stats) == set(STATISTIC_LABELS)


def test_disconnected_graph_components_and_path_length():
    g = nx.disjoint_union(nx.path_graph(4), nx.complete_graph(3))
    stats = graph_statistics(_adj(g))
    assert stats["num_components"] == 2 and stats["largest_component_size"] == 4
    # mean over connected ordered pairs: path (1,1,1,2,2,3)*2 and triangle 6 pairs of length 1
    assert stats["characteristic_path_length"] == pytest.approx((2 * 10 + 6) / (12 + 6))
    assert characteristic_path_length(_adj(g), block_rows=2) == pytest.approx(stats["characteristic_path_length"])


def test_gini_entropy_and_power_law():
    assert gini_coefficient(np.full(10, 3)) == pytest.approx(0.0)
    assert gini_coefficient(np.array([0, 0, 0, 10])) == pytest.approx(0.75)
    assert edge_distribution_entropy(np.full(10, 3)) == pytest.approx(1.0)
    assert edge_distribution_entropy(np.array([1, 1, 1, 97])) < 0.2
    rng = np.random.default_rng(0)
    # discrete power law with exponent 2.5 (continuous approximation holds for xmin >= 6)
    samples = np.floor(6 * (1 - rng.random(20000)) ** (-1 / 1.5)).astype(int)
    assert power_law_exponent(samples) == pytest.approx(2.5, abs=0.15)
    assert np.isnan(power_law_exponent(np.full(5, 2)))


def test_link_prediction_scores_perfect_and_random():
    scores = sp.csr_matrix(np.array([[0, 5, 0, 0], [5, 0, 4, 0], [0, 4, 0, 1], [0, 0, 1, 0]], dtype=float))
    perfect = link_prediction_scores(scores, np.array([[0, 1], [1, 2]]), np.array([[0, 2], [0, 3]]))
    assert perfect == {"auc": 1.0, "ap": 1.0}
    inverted = link_prediction_scores(scores, np.array([[0, 2], [0, 3]]), np.array([[0, 1], [1, 2]]))
    assert inverted["auc"] == 0.0


def test_training_graph_statistics_are_cached_on_disk(tmp_path, monkeypatch):
    import json

    from ganforge_graphs.statistics import cached_graph_statistics

    monkeypatch.setenv("GANFORGE_CACHE_DIR", str(tmp_path))
    a = _adj(nx.karate_club_graph())
    first = cached_graph_statistics(a)
    assert first == pytest.approx(graph_statistics(a), nan_ok=True)
    files = list((tmp_path / "graphs").glob("stats-*.json"))
    assert len(files) == 1
    # the second call reads the file (a marker written into it comes back)
    files[0].write_text(json.dumps({**first, "max_degree": -1.0}))
    assert cached_graph_statistics(a)["max_degree"] == -1.0
    # another graph has its own entry; a corrupt entry is recomputed
    other = _adj(nx.path_graph(6))
    assert cached_graph_statistics(other)["max_degree"] == 2.0
    files[0].write_text("{not json")
    assert cached_graph_statistics(a)["max_degree"] == first["max_degree"]
