"""Bad-input corpus of the graphs domain: each malformed input is rejected with one line naming
the file, or converted with a warning (see docs/reliability.md, "Graphs")."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _bad_input_helpers import Case, assert_documented, check, ids  # noqa: E402

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("graphs",)

DOMAIN = "graphs"


def ring_with_chords(n: int = 40, extra: int = 80, seed: int = 0) -> list[tuple[int, int]]:
    """A connected graph (a ring plus random chords) with enough edges for the default split."""
    rng = np.random.default_rng(seed)
    edges = {(i, (i + 1) % n) for i in range(n)}
    while len(edges) < n + extra:
        u, v = (int(x) for x in rng.integers(0, n, 2))
        if u != v and (v, u) not in edges:
            edges.add((u, v))
    return sorted(edges)


def edge_file(tmp_path: Path, lines: list[str], name: str = "graph.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- builders
def huge_node_id(tmp_path):
    # node 0 renamed 2,000,000,000: without remapping this allocates a 2e9 x 2e9 CSR (16 GB indptr)
    lines = [f"{2_000_000_000 if u == 0 else u} {2_000_000_000 if v == 0 else v}" for u, v in ring_with_chords()]
    return edge_file(tmp_path, lines), []


def sparse_ids(tmp_path):
    lines = [f"{u * 1_000_003 + 7} {v * 1_000_003 + 7}" for u, v in ring_with_chords()]
    return edge_file(tmp_path, lines), []


def verify_40_nodes(dm):
    assert dm.spec()["num_nodes"] == 40, dm.spec()


def string_ids(tmp_path):
    lines = [f"paper_{u},paper_{v}" for u, v in ring_with_chords()]
    return edge_file(tmp_path, lines), []


def self_loops(tmp_path):
    lines = [f"{u} {v}" for u, v in ring_with_chords()] + [f"{i} {i}" for i in range(0, 40, 4)]
    return edge_file(tmp_path, lines), []


def only_self_loops(tmp_path):
    return edge_file(tmp_path, [f"{i} {i}" for i in range(10)]), []


def malformed_line(tmp_path):
    lines = [f"{u} {v}" for u, v in ring_with_chords()]
    lines.insert(2, "17")
    return edge_file(tmp_path, lines), []


def empty_file(tmp_path):
    path = tmp_path / "graph.txt"
    path.write_bytes(b"")
    return path, []


def comments_only(tmp_path):
    return edge_file(tmp_path, ["# source target", "% nothing else"]), []


def single_edge(tmp_path):
    return edge_file(tmp_path, ["0 1"]), []


def triangle(tmp_path):
    return edge_file(tmp_path, ["0 1", "1 2", "2 0"]), []


def binary_file(tmp_path):
    path = tmp_path / "graph.edges"
    path.write_bytes(bytes(range(256)) * 8)
    return path, []


def nul_bytes(tmp_path):
    path = tmp_path / "graph.txt"
    path.write_bytes(b"0 1\n1 2\x00\x00\n2 0\n")
    return path, []


def npz_bad_indptr(tmp_path):
    path = tmp_path / "graph.npz"
    np.savez(path, adj_data=np.ones(3), adj_indices=np.array([1, 2, 0]), adj_indptr=np.array([0, 1, 3]),
             adj_shape=np.array([3, 3]))
    return path, []


def npz_not_square(tmp_path):
    path = tmp_path / "graph.npz"
    np.savez(path, adj_data=np.ones(1), adj_indices=np.array([1]), adj_indptr=np.array([0, 1, 1]),
             adj_shape=np.array([2, 3]))
    return path, []


def npz_garbage(tmp_path):
    path = tmp_path / "graph.npz"
    path.write_bytes(b"definitely not a zip archive")
    return path, []


def pyg_huge_num_nodes(tmp_path):
    import torch
    from torch_geometric.data import Data

    edges = torch.tensor(ring_with_chords(), dtype=torch.long).t()
    path = tmp_path / "graph.pt"
    torch.save(Data(edge_index=edges, num_nodes=2_000_000_000), path)
    return path, []


def pyg_negative_ids(tmp_path):
    import torch
    from torch_geometric.data import Data

    path = tmp_path / "graph.pt"
    torch.save(Data(edge_index=torch.tensor([[0, 1, -1], [1, 2, 0]]), num_nodes=3), path)
    return path, []


def pyg_no_edges(tmp_path):
    import torch
    from torch_geometric.data import Data

    path = tmp_path / "graph.pt"
    torch.save(Data(edge_index=torch.zeros((2, 0), dtype=torch.long), num_nodes=5), path)
    return path, []


CASES = [
    Case("huge-node-id", "an edge list with node id 2,000,000,000 (120 edges)", huge_node_id, "converted", [],
         warns=False, cli=True),
    Case("sparse-ids", "ids spaced a million apart", sparse_ids, "converted", [], warns=False, verify=verify_40_nodes),
    Case("string-ids", "comma-separated string ids", string_ids, "converted", [], warns=False, verify=verify_40_nodes),
    Case("self-loops", "120 edges plus 10 self-loops", self_loops, "converted", ["dropped 10 self-loop(s)"], cli=True),
    Case("only-self-loops", "ten self-loops and nothing else", only_self_loops, "rejected", ["0 edges", "at least 3 nodes"]),
    Case("malformed-line", "a line holding one id", malformed_line, "rejected", ["graph.txt:3", "expected 'u v'"], cli=True),
    Case("empty-file", "a 0-byte edge list", empty_file, "rejected", ["no edges found"]),
    Case("comments-only", "an edge list of comments only", comments_only, "rejected", ["no edges found"]),
    Case("single-edge", "one edge", single_edge, "rejected", ["2 nodes and 1 edges", "at least 3 nodes"]),
    Case("triangle", "a triangle (too few edges to hold any out)", triangle, "rejected",
         ["data.val_fraction=0.1 holds out 0", "at least 5 edges"]),
    Case("binary-file", "2 KiB of binary bytes", binary_file, "rejected", ["not a readable UTF-8"]),
    Case("nul-bytes", "an edge list with NUL bytes", nul_bytes, "rejected", ["NUL bytes"]),
    Case("npz-bad-indptr", "a CSR .npz whose row pointer does not cover its entries", npz_bad_indptr, "rejected",
         ["adj_indptr"]),
    Case("npz-not-square", "a CSR .npz of shape 2 x 3", npz_not_square, "rejected", ["expected a square"]),
    Case("npz-garbage", "a non-zip file named .npz", npz_garbage, "rejected", ["not a readable .npz"]),
    Case("pyg-huge-num-nodes", "a PyG Data with num_nodes=2,000,000,000 and 120 edges", pyg_huge_num_nodes, "converted",
         [], warns=False, verify=verify_40_nodes),
    Case("pyg-negative-ids", "a PyG Data with a negative node id", pyg_negative_ids, "rejected", ["outside [0, 2]"]),
    Case("pyg-no-edges", "a PyG Data with an empty edge_index", pyg_no_edges, "rejected", ["no edges"]),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_graph_input(case, tmp_path, caplog):
    check(case, DOMAIN, tmp_path, caplog)


def test_reliability_table_lists_every_graph_case():
    assert_documented("Graphs", CASES)
