"""Graph assembly from score matrices: exact edge count, no isolated nodes, proportional draws."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch

from ganforge.errors import GanforgeError
from ganforge_graphs.assembly import (
    DenseScores,
    SparseScores,
    _one_neighbour_per_node,
    _top_k_upper,
    assemble_graph,
    score_matrix_from_walks,
)
from ganforge_graphs.evaluation import edge_overlap, link_prediction_scores
from ganforge_graphs.random_walks import RandomWalker


def _check_simple_graph(graph, n, n_edges):
    assert graph.shape == (n, n)
    assert graph.nnz == 2 * n_edges  # exact count, both directions stored once
    assert (graph != graph.T).nnz == 0
    assert graph.diagonal().sum() == 0
    assert set(np.unique(graph.data)) == {1.0}
    assert np.all(np.diff(graph.indptr) > 0)  # no isolated node


@pytest.mark.parametrize("kind", ["sparse", "sparse_blocks", "dense", "dense_blocks"])
def test_assembly_invariants(kind):
    rng = np.random.default_rng(0)
    n = 120
    raw = sp.random(n, n, density=0.08, random_state=1, data_rvs=lambda k: rng.random(k) + 0.01).tocsr()
    scores = {
        "sparse": SparseScores(raw),
        "sparse_blocks": SparseScores(raw, block_rows=7),
        "dense": DenseScores(raw.toarray()),
        "dense_blocks": DenseScores(raw.toarray(), block_entries=5 * n),
    }[kind]
    for n_edges in (n, 300, 500):
        _check_simple_graph(assemble_graph(scores, n_edges, seed=n_edges), n, n_edges)


def test_rows_without_scores_still_get_an_edge():
    raw = np.zeros((8, 8))
    raw[:6, :6] = 1.0  # nodes 6 and 7 never seen
    for seed in range(5):
        _check_simple_graph(assemble_graph(sp.csr_matrix(raw), 10, seed=seed), 8, 10)


def test_seed_makes_assembly_reproducible():
    raw = sp.random(50, 50, density=0.2, random_state=3).tocsr()
    a = assemble_graph(raw, 120, seed=5)
    b = assemble_graph(raw, 120, seed=5)
    assert (a != b).nnz == 0


def test_first_draw_is_proportional_to_row_scores():
    # node 0's symmetrised row: node 1 weight 1, node 2 weight 3 (others zero)
    dense = np.zeros((4, 4))
    dense[0, 1], dense[0, 2], dense[2, 3], dense[1, 3] = 0.5, 1.5, 1.0, 1.0
    counts = np.zeros(4)
    for kind in (DenseScores(dense), SparseScores(sp.csr_matrix(dense))):
        rng = np.random.default_rng(0)
        for _ in range(2000):
            counts[_one_neighbour_per_node(kind, rng)[0]] += 1
    assert counts[1] / counts.sum() == pytest.approx(0.25, abs=0.03)
    assert counts[0] == 0 and counts[3] == 0


def test_extra_edges_drawn_in_proportion_to_scores():
    dense = np.zeros((4, 4))
    dense[0, 1], dense[0, 2], dense[1, 3], dense[2, 3] = 1.0, 2.0, 3.0, 4.0  # upper entries 2,4,6,8 sym
    excluded = np.array([2 * 4 + 3])  # (2, 3) already chosen
    rng = np.random.default_rng(0)
    for scores in (DenseScores(dense), SparseScores(sp.csr_matrix(dense))):
        picks = np.array([_top_k_upper(scores, 1, excluded, rng)[0] for _ in range(3000)])
        freq = {key: np.mean(picks == key) for key in (1, 2, 7)}
        assert freq[1] == pytest.approx(2 / 12, abs=0.03)
        assert freq[2] == pytest.approx(4 / 12, abs=0.03)
        assert freq[7] == pytest.approx(6 / 12, abs=0.03)
        assert set(np.unique(picks)) <= {1, 2, 7}
        both = _top_k_upper(scores, 3, excluded, rng)
        assert sorted(both) == [1, 2, 7]


def test_assembly_errors_name_the_problem():
    raw = sp.csr_matrix(([1.0, 1.0], ([0, 1], [1, 2])), shape=(4, 4))
    with pytest.raises(GanforgeError, match="n_edges=7; expected 1..6"):
        assemble_graph(raw, 7)
    with pytest.raises(GanforgeError, match="needed to give each of the 4 nodes a neighbour"):
        assemble_graph(raw, 1, seed=0)
    with pytest.raises(GanforgeError, match="more candidate edges"):
        assemble_graph(raw, 5, seed=0)
    with pytest.raises(GanforgeError, match="expected a square"):
        SparseScores(sp.csr_matrix((3, 4)))
    with pytest.raises(GanforgeError, match="negative"):
        DenseScores(-np.ones((3, 3)))


def test_walk_counts_recover_the_graph_and_rank_edges():
    graph = nx.to_scipy_sparse_array(nx.karate_club_graph(), weight=None, format="csr", dtype=float)
    walker = RandomWalker(graph, walk_length=16)
    walks = walker.walks(4000, generator=torch.Generator().manual_seed(0))
    scores = score_matrix_from_walks(walks, 34)
    # each step of a walk is one count; the symmetrised total is twice the transitions
    assert scores.matrix.sum() == pytest.approx(2 * 4000 * 15)
    assert set(zip(*scores.matrix.nonzero(), strict=True)) <= set(zip(*graph.nonzero(), strict=True))
    n_edges = graph.nnz // 2
    generated = assemble_graph(scores, n_edges, seed=0)
    assert edge_overlap(graph, generated) == 1.0
    lp = link_prediction_scores(scores, np.array([[0, 1], [32, 33]]), np.array([[0, 9], [5, 30]]))
    assert lp == {"auc": 1.0, "ap": 1.0}
    with pytest.raises(GanforgeError, match="expected \\(num_walks, walk_length >= 2\\)"):
        score_matrix_from_walks(np.zeros((3, 1), dtype=int), 34)


def test_edge_overlap_counts_shared_edges():
    a = sp.csr_matrix(nx.to_scipy_sparse_array(nx.path_graph(5)))
    other = nx.empty_graph(5)
    other.add_edges_from([(0, 1), (1, 2), (0, 4), (2, 4)])
    b = sp.csr_matrix(nx.to_scipy_sparse_array(other))
    assert edge_overlap(a, b) == pytest.approx(0.5)
    with pytest.raises(GanforgeError, match="shapes"):
        edge_overlap(a, sp.csr_matrix((3, 3)))


def test_dense_upper_triangle_keys_in_chunks_take_exactly_the_allowed_entries(monkeypatch):
    import ganforge_graphs.assembly as assembly

    monkeypatch.setattr(assembly, "KEY_CHUNK_ROWS", 3)  # several chunks and wasted corners
    rng = np.random.default_rng(0)
    n = 10
    dense = rng.random((n, n)) * (rng.random((n, n)) < 0.6)
    dense[4, :] = 0.0  # a row without scores
    dense[:, 4] = 0.0
    sym = dense + dense.T
    upper = [(u, v) for u in range(n) for v in range(u + 1, n) if sym[u, v] > 0]
    excluded = np.array([upper[0][0] * n + upper[0][1], upper[5][0] * n + upper[5][1]])
    allowed = sorted({u * n + v for u, v in upper} - set(excluded.tolist()))
    for scores in (DenseScores(dense), DenseScores(dense, block_entries=4 * n)):
        picked = _top_k_upper(scores, len(allowed), excluded, rng)
        assert sorted(picked.tolist()) == allowed  # every allowed entry once, nothing else
        with pytest.raises(GanforgeError, match="more candidate edges"):
            _top_k_upper(scores, len(allowed) + 1, excluded, rng)
        partner = _one_neighbour_per_node(scores, rng)
        assert all(sym[i, partner[i]] > 0 for i in range(n) if i != 4)  # row 4 got a uniform partner
        assert partner[4] != 4
