"""Loading graph files (npz CSR, pickled npz, edge lists, PyG Data) and cleaning them."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from ganforge.errors import GanforgeError
from ganforge_graphs.loading import embedded_cora_ml_path, load_graph
from ganforge_graphs.preprocessing import clean_graph

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "graphs"


def _save_csr(path, matrix, **extra):
    matrix = sp.csr_matrix(matrix)
    np.savez(path, adj_data=matrix.data, adj_indices=matrix.indices, adj_indptr=matrix.indptr,
             adj_shape=np.array(matrix.shape), **extra)
    return path


def test_embedded_cora_ml_gives_the_paper_lcc():
    loaded = load_graph(embedded_cora_ml_path())
    assert loaded.adjacency.shape == (2995, 2995)
    clean = clean_graph(loaded.adjacency, loaded.labels)
    assert (clean.num_nodes, clean.num_edges) == (2810, 7981)
    assert clean.labels.shape == (2810,) and set(np.unique(clean.labels)) == set(range(7))
    a = clean.adjacency
    assert (a != a.T).nnz == 0 and a.diagonal().sum() == 0 and set(np.unique(a.data)) == {1.0}


def test_npz_roundtrip_with_labels(tmp_path):
    dense = np.array([[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 1, 0], [1, 0, 0, 0]])
    path = _save_csr(tmp_path / "g.npz", dense, labels=np.array([0, 1, 1, 0]))
    loaded = load_graph(path)
    np.testing.assert_array_equal(loaded.adjacency.toarray(), dense)
    np.testing.assert_array_equal(loaded.labels, [0, 1, 1, 0])
    clean = clean_graph(loaded.adjacency, loaded.labels)
    # symmetrised, binarised, self-loop at node 2 dropped: path 3-0-1-2
    assert clean.num_edges == 3 and clean.adjacency.max() == 1 and clean.adjacency.diagonal().sum() == 0


def test_scipy_save_npz_is_accepted(tmp_path):
    sp.save_npz(tmp_path / "s.npz", sp.csr_matrix(np.eye(3, k=1)))
    assert load_graph(tmp_path / "s.npz").adjacency.nnz == 2


def test_lcc_keeps_largest_component_and_labels():
    a = sp.csr_matrix(np.array([[0, 1, 0, 0, 0], [1, 0, 1, 0, 0], [0, 1, 0, 0, 0],
                                [0, 0, 0, 0, 1], [0, 0, 0, 1, 0]]))
    clean = clean_graph(a, labels=np.array([5, 6, 7, 8, 9]))
    assert clean.num_nodes == 3
    np.testing.assert_array_equal(clean.kept_nodes, [0, 1, 2])
    np.testing.assert_array_equal(clean.labels, [5, 6, 7])


def test_pickled_npz_needs_explicit_allow_pickle(tmp_path):
    dense = sp.csr_matrix(np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]]))
    payload = {"adj_data": dense.data, "adj_indices": dense.indices, "adj_indptr": dense.indptr,
               "adj_shape": np.array(dense.shape), "labels": np.array([0, 1, 2])}
    path = tmp_path / "pickled.npz"
    np.savez(path, arr_0=np.array(payload, dtype=object))
    with pytest.raises(GanforgeError, match="allow_pickle=true"):
        load_graph(path)
    loaded = load_graph(path, allow_pickle=True)
    np.testing.assert_array_equal(loaded.adjacency.toarray(), dense.toarray())


def test_bad_npz_inputs_name_file_and_key(tmp_path):
    with pytest.raises(GanforgeError, match="file not found"):
        load_graph(tmp_path / "missing.npz")
    np.savez(tmp_path / "keys.npz", foo=np.zeros(3))
    with pytest.raises(GanforgeError, match=r"keys.npz: npz keys \['foo'\]"):
        load_graph(tmp_path / "keys.npz")
    a = sp.csr_matrix(np.eye(3))
    np.savez(tmp_path / "ptr.npz", adj_data=a.data, adj_indices=a.indices, adj_indptr=a.indptr[:-1],
             adj_shape=np.array([3, 3]))
    with pytest.raises(GanforgeError, match="adj_indptr has length 3; expected N\\+1 = 4"):
        load_graph(tmp_path / "ptr.npz")
    np.savez(tmp_path / "shape.npz", adj_data=a.data, adj_indices=a.indices, adj_indptr=a.indptr,
             adj_shape=np.array([3, 4]))
    with pytest.raises(GanforgeError, match="expected a square"):
        load_graph(tmp_path / "shape.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(GanforgeError, match="junk.npz: not a readable .npz"):
        load_graph(tmp_path / "junk.npz")


def test_edge_list_integer_and_named_ids(tmp_path):
    (tmp_path / "g.txt").write_text("# comment\n0 1\n1,2\n\n% other comment\n2\t0 0.5\n")
    loaded = load_graph(tmp_path / "g.txt")
    assert loaded.adjacency.shape == (3, 3) and loaded.adjacency.nnz == 3
    (tmp_path / "named.edges").write_text("alice bob\nbob carol\n")
    named = load_graph(tmp_path / "named.edges")
    assert named.adjacency.shape == (3, 3)
    assert clean_graph(named.adjacency).num_edges == 2


def test_edge_list_errors_name_the_line(tmp_path):
    (tmp_path / "bad.txt").write_text("0 1\n7\n")
    with pytest.raises(GanforgeError, match=r"bad.txt:2: '7' is not an edge"):
        load_graph(tmp_path / "bad.txt")
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(GanforgeError, match="no edges found"):
        load_graph(tmp_path / "empty.txt")


def test_pyg_data_roundtrip_and_errors(tmp_path):
    from torch_geometric.data import Data

    data = Data(edge_index=torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]]), num_nodes=4, y=torch.tensor([0, 1, 0, 1]))
    torch.save(data, tmp_path / "g.pt")
    loaded = load_graph(tmp_path / "g.pt")
    assert loaded.adjacency.shape == (4, 4) and loaded.adjacency.nnz == 4
    np.testing.assert_array_equal(loaded.labels, [0, 1, 0, 1])
    torch.save({"edge_index": torch.zeros(2, 1)}, tmp_path / "dict.pt")
    with pytest.raises(GanforgeError, match="holds a dict; expected a torch_geometric.data.Data"):
        load_graph(tmp_path / "dict.pt")
    (tmp_path / "junk.pt").write_bytes(b"junk")
    with pytest.raises(GanforgeError, match="junk.pt: not a readable PyG Data"):
        load_graph(tmp_path / "junk.pt")


def test_clean_graph_rejects_edgeless_input():
    with pytest.raises(GanforgeError, match="expected a graph with at least 3 nodes"):
        clean_graph(sp.csr_matrix((4, 4)), source="empty.npz")


@pytest.mark.skipif(not (SHARED / "cora_ml.npz").exists(), reason="shared data not present")
def test_shared_original_pickled_cora_ml_matches_embedded():
    original = clean_graph(load_graph(SHARED / "cora_ml.npz", allow_pickle=True).adjacency)
    embedded = clean_graph(load_graph(embedded_cora_ml_path()).adjacency)
    assert (original.adjacency != embedded.adjacency).nnz == 0
    for name, nodes, edges in (("cora.npz", 2485, 5069), ("polblogs.npz", 1222, 16714)):
        clean = clean_graph(load_graph(SHARED / name).adjacency)
        assert (clean.num_nodes, clean.num_edges) == (nodes, edges)
