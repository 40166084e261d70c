"""Turn a stored adjacency into the simple undirected graph NetGAN trains on.

NetGAN works on undirected, unweighted graphs without self-loops, restricted to the largest
connected component (LCC). For Cora-ML this maps 2,995 stored nodes to the 2,810-node /
7,981-edge graph of the paper.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components

from ganforge.errors import GanforgeError

log = logging.getLogger("ganforge_graphs")


def symmetrise(adjacency: sp.spmatrix) -> sp.csr_matrix:
    """Return ``A + A^T`` as CSR (directed links become undirected edges)."""
    adjacency = sp.csr_matrix(adjacency)
    return (adjacency + adjacency.T).tocsr()


def binarise(adjacency: sp.spmatrix) -> sp.csr_matrix:
    """Set every stored non-zero to 1.0 (weights and multi-edges are dropped)."""
    out = sp.csr_matrix(adjacency, dtype=np.float64, copy=True)
    out.eliminate_zeros()
    out.data[:] = 1.0
    return out


def drop_self_loops(adjacency: sp.spmatrix) -> sp.csr_matrix:
    """Remove the diagonal."""
    out = sp.csr_matrix(adjacency, copy=True)
    out.setdiag(0)
    out.eliminate_zeros()
    return out


def largest_connected_component(adjacency: sp.spmatrix) -> tuple[sp.csr_matrix, np.ndarray]:
    """Restrict to the largest connected component; also return the kept original node ids."""
    adjacency = sp.csr_matrix(adjacency)
    _, component = connected_components(adjacency, directed=False)
    sizes = np.bincount(component)
    keep = np.flatnonzero(component == int(np.argmax(sizes)))
    return adjacency[keep][:, keep].tocsr(), keep


@dataclass
class CleanGraph:
    """An undirected, unweighted, loop-free, connected graph ready for training.

    Attributes:
        adjacency: symmetric binary ``N x N`` CSR matrix with sorted indices.
        labels: node labels restricted to the kept nodes (or ``None``).
        kept_nodes: indices of the kept nodes in the stored graph.
    """

    adjacency: sp.csr_matrix
    labels: np.ndarray | None
    kept_nodes: np.ndarray

    @property
    def num_nodes(self) -> int:
        """Number of nodes ``N``."""
        return self.adjacency.shape[0]

    @property
    def num_edges(self) -> int:
        """Number of undirected edges."""
        return self.adjacency.nnz // 2


def bfs_subgraph(adjacency: sp.spmatrix, max_nodes: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """The first ``max_nodes`` nodes reached by breadth-first search from the max-degree node.

    The result is connected; it serves quick experiments and smoke runs on a slice of a graph.
    """
    adjacency = sp.csr_matrix(adjacency)
    start = int(np.argmax(np.diff(adjacency.indptr)))
    order = breadth_first_order(adjacency, start, directed=False, return_predecessors=False)
    keep = np.sort(order[:max_nodes])
    return adjacency[keep][:, keep].tocsr(), keep


def clean_graph(
    adjacency: sp.spmatrix,
    labels: np.ndarray | None = None,
    source: str = "graph",
    lcc: bool = True,
    max_nodes: int | None = None,
) -> CleanGraph:
    """Symmetrise, binarise, drop self-loops, (optionally) keep the largest connected component.

    ``max_nodes`` then keeps a connected breadth-first slice of at most that many nodes.
    """
    loops = int(np.count_nonzero(sp.csr_matrix(adjacency).diagonal()))
    adjacency = drop_self_loops(binarise(symmetrise(adjacency)))
    if loops:
        log.warning("%s: dropped %d self-loop(s) (NetGAN/CELL train on graphs without self-loops)", source, loops)
    kept = np.arange(adjacency.shape[0])
    if lcc:
        adjacency, kept = largest_connected_component(adjacency)
    if max_nodes is not None and max_nodes < adjacency.shape[0]:
        adjacency, sub = bfs_subgraph(adjacency, int(max_nodes))
        kept = kept[sub]
    adjacency.sort_indices()
    if adjacency.nnz == 0 or adjacency.shape[0] < 3:
        raise GanforgeError(
            f"{source}: after symmetrising, dropping self-loops and keeping the largest connected "
            f"component it has {adjacency.shape[0]} nodes and {adjacency.nnz // 2} edges; "
            f"expected a graph with at least 3 nodes and 1 edge"
        )
    return CleanGraph(adjacency, None if labels is None else np.asarray(labels)[kept], kept)
