"""Link-prediction split and biased second-order random walks."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from scipy.sparse.csgraph import connected_components

from ganforge.errors import GanforgeError
from ganforge_graphs.random_walks import RandomWalker
from ganforge_graphs.splits import adjacency_from_edges, link_prediction_split, upper_edges


def _graph(seed=0, n=300, p=0.04):
    g = nx.gnp_random_graph(n, p, seed=seed)
    g = g.subgraph(max(nx.connected_components(g), key=len))
    return nx.to_scipy_sparse_array(nx.convert_node_labels_to_integers(g), format="csr", dtype=float)


def test_split_sizes_disjoint_connected_and_seeded():
    a = _graph()
    m = a.nnz // 2
    split = link_prediction_split(a, 0.10, 0.05, seed=3)
    assert len(split.val_edges) == round(0.10 * m) and len(split.test_edges) == round(0.05 * m)
    assert len(split.train_edges) == m - len(split.val_edges) - len(split.test_edges)
    assert len(split.val_non_edges) == len(split.val_edges)
    assert len(split.test_non_edges) == len(split.test_edges)
    keys = lambda e: set(map(tuple, e.tolist()))  # noqa: E731
    all_edges = keys(upper_edges(a))
    assert keys(split.train_edges) | keys(split.val_edges) | keys(split.test_edges) == all_edges
    assert not keys(split.train_edges) & keys(split.val_edges)
    assert not keys(split.val_edges) & keys(split.test_edges)
    non_edges = keys(split.val_non_edges) | keys(split.test_non_edges)
    assert len(non_edges) == len(split.val_non_edges) + len(split.test_non_edges)
    assert not non_edges & all_edges and all(u < v for u, v in non_edges)
    assert connected_components(split.train_adjacency)[0] == 1
    again = link_prediction_split(a, 0.10, 0.05, seed=3)
    np.testing.assert_array_equal(again.val_edges, split.val_edges)
    np.testing.assert_array_equal(again.test_non_edges, split.test_non_edges)
    other = link_prediction_split(a, 0.10, 0.05, seed=4)
    assert keys(other.val_edges) != keys(split.val_edges)


def test_split_errors():
    tree = adjacency_from_edges(np.array([[0, 1], [1, 2], [2, 3]]), 4)
    with pytest.raises(GanforgeError, match="only 0 edges lie outside a spanning tree"):
        link_prediction_split(tree, 0.5, 0.0)
    two_parts = adjacency_from_edges(np.array([[0, 1], [2, 3]]), 4)
    with pytest.raises(GanforgeError, match="connected components"):
        link_prediction_split(two_parts, 0.0, 0.0)
    with pytest.raises(GanforgeError, match=r"data.val_fraction=1.5"):
        link_prediction_split(tree, 1.5, 0.0)


# prev -> cur -> next on: triangle 0-1-2, 2-3, 3-4, 1-3
EDGES = np.array([[0, 1], [0, 2], [1, 2], [2, 3], [3, 4], [1, 3]])


@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.5, 2.0), (4.0, 0.25)])
def test_walk_transition_frequencies_match_biased_probabilities(p, q):
    walker = RandomWalker(adjacency_from_edges(EDGES, 5), walk_length=6, p=p, q=q)
    gen = torch.Generator().manual_seed(0)
    walks = walker.walks(20000, generator=gen).numpy()
    a = adjacency_from_edges(EDGES, 5).toarray()
    assert np.all(a[walks[:, :-1], walks[:, 1:]] == 1)  # every step follows an edge
    triples = np.concatenate([walks[:, t - 2 : t + 1] for t in range(2, walks.shape[1])])
    counts = np.bincount(triples @ np.array([25, 5, 1]), minlength=125).reshape(5, 5, 5)
    checked = 0
    for prev, cur in zip(*np.nonzero(counts.sum(axis=2) >= 2000), strict=True):
        total = counts[prev, cur].sum()
        expected = walker.transition_probabilities(int(prev), int(cur))
        assert set(np.flatnonzero(counts[prev, cur])) <= set(expected)
        for node, prob in expected.items():
            freq = counts[prev, cur, node] / total
            assert abs(freq - prob) < 0.03, (prev, cur, node, freq, prob)
        checked += 1
    assert checked >= 6


def test_exact_biased_probabilities_on_triangle_tail():
    walker = RandomWalker(adjacency_from_edges(EDGES, 5), p=0.5, q=2.0)
    # from 2 having come from 1: back to 1 (1/p = 2), 0 and 3 are neighbours of 1 (weight 1)
    assert walker.transition_probabilities(1, 2) == pytest.approx({1: 0.5, 0: 0.25, 3: 0.25})
    # from 3 having come from 2: back to 2 (2), 1 is a neighbour of 2 (1), 4 is not (1/q = 0.5)
    assert walker.transition_probabilities(2, 3) == pytest.approx({2: 2 / 3.5, 1: 1 / 3.5, 4: 0.5 / 3.5})


def test_first_step_and_start_are_uniform():
    walker = RandomWalker(adjacency_from_edges(EDGES, 5), walk_length=2)
    walks = walker.walks(50000, generator=torch.Generator().manual_seed(1)).numpy()
    start = np.bincount(walks[:, 0], minlength=5) / len(walks)
    assert np.allclose(start, 0.2, atol=0.01)
    from_three = walks[walks[:, 0] == 3, 1]
    assert np.allclose(np.bincount(from_three, minlength=5)[[1, 2, 4]] / len(from_three), 1 / 3, atol=0.02)


def test_walker_rejects_isolated_nodes_and_bad_parameters():
    a = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float))
    with pytest.raises(GanforgeError, match="1 node\\(s\\) have no neighbour"):
        RandomWalker(a)
    good = adjacency_from_edges(EDGES, 5)
    with pytest.raises(GanforgeError, match="model.walk_length=1"):
        RandomWalker(good, walk_length=1)
    with pytest.raises(GanforgeError, match="must be > 0"):
        RandomWalker(good, p=0.0)
