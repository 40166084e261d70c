"""Write generated graphs as files: edge-list text, PyG ``Data``, a sub-graph drawing, degree plots.

Figures use matplotlib's object API (``Figure`` + Agg canvas), so no global pyplot state or
backend is touched.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch

from ganforge_graphs.splits import upper_edges


def write_edge_list(adjacency: sp.spmatrix, path: str | Path, comment: str | None = None) -> Path:
    """Write ``u v`` lines (``u < v``, 0-based) with a ``#`` header; readable by ``load_graph``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    a = sp.csr_matrix(adjacency)
    edges = upper_edges(a)
    header = [f"# ganforge graph: {a.shape[0]} nodes, {len(edges)} undirected edges",
              "# one edge 'u v' per line, 0-based node indices, u < v"]
    if comment:
        header.append(f"# {comment}")
    with path.open("w") as handle:
        handle.write("\n".join(header) + "\n")
        np.savetxt(handle, edges, fmt="%d")
    return path


def to_pyg_data(adjacency: sp.spmatrix, labels: np.ndarray | None = None):
    """A ``torch_geometric.data.Data`` with both directions of every edge in ``edge_index``."""
    from torch_geometric.data import Data

    coo = sp.coo_matrix(adjacency)
    edge_index = torch.as_tensor(np.stack([coo.row, coo.col]), dtype=torch.long)
    data = Data(edge_index=edge_index, num_nodes=int(adjacency.shape[0]))
    if labels is not None:
        data.y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    return data


def write_pyg_data(adjacency: sp.spmatrix, path: str | Path, labels: np.ndarray | None = None) -> Path:
    """``torch.save`` the graph as a PyG ``Data`` (loadable with ``weights_only=True``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(to_pyg_data(adjacency, labels), path)
    return path


def bfs_nodes(adjacency: sp.csr_matrix, center: int, max_nodes: int) -> list[int]:
    """Up to ``max_nodes`` nodes in breadth-first order from ``center``."""
    seen = {center}
    order = [center]
    queue = deque([center])
    while queue and len(order) < max_nodes:
        node = queue.popleft()
        for neighbour in adjacency.indices[adjacency.indptr[node] : adjacency.indptr[node + 1]]:
            neighbour = int(neighbour)
            if neighbour not in seen:
                seen.add(neighbour)
                order.append(neighbour)
                queue.append(neighbour)
                if len(order) >= max_nodes:
                    break
    return order


def draw_subgraph(
    adjacency: sp.spmatrix,
    path: str | Path,
    center: int | None = None,
    max_nodes: int = 150,
    title: str | None = None,
    seed: int = 0,
) -> Path:
    """Draw the breadth-first neighbourhood of ``center`` (default: the max-degree node) as PNG."""
    # networkx is imported here, not at the top: it takes ~0.4 s, and every gan-run loads
    # this plugin at composition whatever the domain (start-up time is a benchmark target).
    import networkx as nx
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    a = sp.csr_matrix(adjacency)
    deg = np.diff(a.indptr)
    center = int(np.argmax(deg)) if center is None else int(center)
    nodes = bfs_nodes(a, center, max_nodes)
    graph = nx.from_scipy_sparse_array(a[nodes][:, nodes])
    layout = nx.spring_layout(graph, seed=seed)
    fig = Figure(figsize=(6, 6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    sizes = 10 + 4 * deg[nodes]
    colors = ["tab:red" if i == 0 else "tab:blue" for i in range(len(nodes))]
    nx.draw_networkx_edges(graph, layout, ax=ax, width=0.5, alpha=0.5)
    nx.draw_networkx_nodes(graph, layout, ax=ax, node_size=np.minimum(sizes, 200), node_color=colors)
    ax.set_title(title or f"{len(nodes)}-node neighbourhood of node {center} (red)")
    ax.set_axis_off()
    fig.savefig(path)
    return path


def degree_ccdf(adjacency: sp.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """Distinct degrees ``d`` and the fraction of nodes with degree ``>= d``."""
    deg = np.asarray(sp.csr_matrix(adjacency).sum(axis=1)).ravel()
    values = np.unique(deg[deg > 0])
    ccdf = np.array([(deg >= v).mean() for v in values])
    return values, ccdf


def plot_degree_distribution(
    graphs: dict[str, sp.spmatrix], path: str | Path, title: str = "Degree distribution"
) -> Path:
    """Log-log degree CCDF of each named graph (e.g. ``{"generated": G, "original": A}``) as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = Figure(figsize=(6, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for name, adjacency in graphs.items():
        values, ccdf = degree_ccdf(adjacency)
        ax.loglog(values, ccdf, marker="o", markersize=3, linewidth=1, label=name)
    ax.set_xlabel("degree d")
    ax.set_ylabel("fraction of nodes with degree >= d")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    return path
