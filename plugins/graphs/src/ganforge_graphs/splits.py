"""The seeded link-prediction split that keeps the training graph connected.

A random spanning tree (minimum spanning tree under random edge weights) is protected, so the
training graph stays connected and no node loses all its edges; the validation and test edges are
drawn from the remaining edges. Equally many non-edges (node pairs that are not edges of the full
graph) are drawn for each held-out set. The same ``seed`` always gives the same split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import minimum_spanning_tree

from ganforge.errors import GanforgeError


@dataclass
class LinkSplit:
    """Edges of a link-prediction split; every pair array is ``(k, 2)`` int64 with ``u < v``.

    Attributes:
        train_adjacency: symmetric binary CSR adjacency of the training graph.
        train_edges / val_edges / test_edges: held-in and held-out edges.
        val_non_edges / test_non_edges: as many non-edges as the matching edge set.
    """

    train_adjacency: sp.csr_matrix
    train_edges: np.ndarray
    val_edges: np.ndarray
    val_non_edges: np.ndarray
    test_edges: np.ndarray
    test_non_edges: np.ndarray


def upper_edges(adjacency: sp.spmatrix) -> np.ndarray:
    """Undirected edges of a symmetric adjacency as a ``(m, 2)`` array with ``u < v``."""
    upper = sp.triu(adjacency, k=1).tocoo()
    edges = np.stack([upper.row, upper.col], axis=1).astype(np.int64)
    return edges[np.lexsort((edges[:, 1], edges[:, 0]))]


def adjacency_from_edges(edges: np.ndarray, num_nodes: int) -> sp.csr_matrix:
    """Symmetric binary CSR adjacency from ``(m, 2)`` undirected edges."""
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    adjacency = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(num_nodes, num_nodes))
    adjacency.data[:] = 1.0
    adjacency.sort_indices()
    return adjacency


def link_prediction_split(
    adjacency: sp.spmatrix, val_fraction: float = 0.10, test_fraction: float = 0.05, seed: int = 0, source: str = ""
) -> LinkSplit:
    """Split the edges of a connected symmetric graph into train/val/test (see module docstring).

    ``source`` (the graph's file) prefixes the error of a graph too small for the split.
    """
    for key, value in (("data.val_fraction", val_fraction), ("data.test_fraction", test_fraction)):
        if not 0.0 <= value < 1.0:
            raise GanforgeError(f"{key}={value}: expected a fraction in [0, 1)")
    adjacency = sp.csr_matrix(adjacency)
    n = adjacency.shape[0]
    edges = upper_edges(adjacency)
    m = len(edges)
    n_val = int(round(val_fraction * m))
    n_test = int(round(test_fraction * m))
    for key, fraction, count in (("data.val_fraction", val_fraction, n_val), ("data.test_fraction", test_fraction, n_test)):
        if fraction > 0 and count == 0:
            raise GanforgeError(
                f"{source + ': ' if source else ''}{key}={fraction} holds out 0 of the graph's {m} edges, so its link-prediction metrics would "
                f"be empty; expected a graph with at least {int(np.ceil(0.5 / fraction))} edges (or {key}=0)"
            )
    rng = np.random.default_rng(seed)

    # Random weights make the minimum spanning tree a random spanning tree.
    weights = rng.random(m) + 1.0  # strictly positive: csgraph treats 0 as "no edge"
    weighted = sp.csr_matrix((weights, (edges[:, 0], edges[:, 1])), shape=(n, n))
    tree = minimum_spanning_tree(weighted).tocoo()
    if tree.nnz != n - 1:
        raise GanforgeError(
            f"{source + ': ' if source else ''}link-prediction split: the graph has {n - tree.nnz} connected components; expected a "
            f"connected graph (keep data.largest_component=true)"
        )
    tree_keys = np.minimum(tree.row, tree.col).astype(np.int64) * n + np.maximum(tree.row, tree.col)
    edge_keys = edges[:, 0] * n + edges[:, 1]
    free = np.flatnonzero(~np.isin(edge_keys, tree_keys))
    if n_val + n_test > len(free):
        raise GanforgeError(
            f"{source + ': ' if source else ''}link-prediction split: {n_val + n_test} held-out edges requested but only {len(free)} "
            f"edges lie outside a spanning tree; lower data.val_fraction/data.test_fraction"
        )
    held_out = rng.permutation(free)[: n_val + n_test]
    val_edges = edges[np.sort(held_out[:n_val])]
    test_edges = edges[np.sort(held_out[n_val:])]
    train_mask = np.ones(m, dtype=bool)
    train_mask[held_out] = False
    train_edges = edges[train_mask]

    non_edges = sample_non_edges(edge_keys, n, n_val + n_test, rng)
    return LinkSplit(
        train_adjacency=adjacency_from_edges(train_edges, n),
        train_edges=train_edges,
        val_edges=val_edges,
        val_non_edges=non_edges[:n_val],
        test_edges=test_edges,
        test_non_edges=non_edges[n_val:],
    )


def sample_non_edges(edge_keys: np.ndarray, n: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``count`` distinct node pairs ``u < v`` whose key ``u*n+v`` is not in ``edge_keys``."""
    max_pairs = n * (n - 1) // 2 - len(edge_keys)
    if count > max_pairs:
        raise GanforgeError(
            f"link-prediction split: {count} non-edges requested but the graph has only {max_pairs}"
        )
    chosen = np.empty(0, dtype=np.int64)
    while len(chosen) < count:
        # Rejection sampling in vectorised rounds: sparse graphs accept almost every pair.
        pairs = rng.integers(0, n, size=(2 * (count - len(chosen)) + 16, 2))
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        keys = np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1])
        keys = keys[~np.isin(keys, edge_keys) & ~np.isin(keys, chosen)]
        _, first = np.unique(keys, return_index=True)
        chosen = np.concatenate([chosen, keys[np.sort(first)]])
    chosen = chosen[:count]
    return np.stack([chosen // n, chosen % n], axis=1)
