"""Graph statistics used by NetGAN to compare generated and original graphs.

Counts come from scipy sparse algebra (fast on the whole graph), the degree assortativity from
networkx, the power-law exponent from the ``powerlaw`` package (its maximum-likelihood fit with
``xmin`` pinned to the smallest degree, as in the NetGAN evaluation). networkx has no Gini
coefficient, relative edge-distribution entropy, claw count or a memory-bounded characteristic path
length for large graphs, so those are written out here.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, shortest_path

#: Bump when a statistic's definition changes: cached values of older versions are ignored.
STATS_VERSION = 1

#: Statistic keys in display order, with a short label for tables.
STATISTIC_LABELS = {
    "num_nodes": "nodes",
    "num_edges": "edges",
    "max_degree": "max degree",
    "min_degree": "min degree",
    "mean_degree": "mean degree",
    "assortativity": "assortativity",
    "triangle_count": "triangles",
    "wedge_count": "wedges",
    "claw_count": "claws",
    "power_law_exponent": "power-law exp.",
    "clustering_coefficient": "clustering coef.",
    "characteristic_path_length": "char. path length",
    "largest_component_size": "LCC size",
    "num_components": "components",
    "gini": "Gini coef.",
    "edge_distribution_entropy": "rel. edge distr. entropy",
}


def degrees(adjacency: sp.spmatrix) -> np.ndarray:
    """Node degrees of a symmetric binary adjacency."""
    return np.asarray(sp.csr_matrix(adjacency).sum(axis=1)).ravel()


def triangle_count(adjacency: sp.spmatrix) -> int:
    """Number of triangles: ``sum((A @ A) * A) / 6``."""
    a = sp.csr_matrix(adjacency)
    return int(round((a @ a).multiply(a).sum() / 6))


def wedge_count(deg: np.ndarray) -> int:
    """Number of wedges (paths of length 2): ``sum C(d, 2)``."""
    deg = deg.astype(np.float64)
    return int(round(np.sum(deg * (deg - 1) / 2)))


def claw_count(deg: np.ndarray) -> int:
    """Number of claws (3-stars): ``sum C(d, 3)``."""
    deg = deg.astype(np.float64)
    return int(round(np.sum(deg * (deg - 1) * (deg - 2) / 6)))


def gini_coefficient(deg: np.ndarray) -> float:
    """Gini coefficient of the degree sequence (0 = all degrees equal)."""
    d = np.sort(deg.astype(np.float64))
    n = d.size
    if n == 0 or d.sum() == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(2.0 * np.sum(ranks * d) / (n * d.sum()) - (n + 1.0) / n)


def edge_distribution_entropy(deg: np.ndarray) -> float:
    """Relative edge-distribution entropy ``-1/ln(N) * sum (d/2m) ln(d/2m)`` (1 = all equal)."""
    d = deg.astype(np.float64)
    n = d.size
    if n < 2 or d.sum() == 0:
        return 0.0
    share = d[d > 0] / d.sum()
    return float(-np.sum(share * np.log(share)) / np.log(n))


def power_law_exponent(deg: np.ndarray) -> float:
    """Maximum-likelihood power-law exponent of the degrees (``powerlaw.Fit``, xmin = min degree)."""
    import powerlaw

    d = deg[deg > 0].astype(np.float64)
    if d.size < 2 or d.min() == d.max():
        return float("nan")
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        fit = powerlaw.Fit(d, xmin=max(float(d.min()), 1.0), verbose=False)
        return float(fit.power_law.alpha)  # fitted lazily: keep inside the warning filter


def characteristic_path_length(adjacency: sp.spmatrix, block_rows: int = 256) -> float:
    """Mean shortest-path length over all connected ordered pairs of distinct nodes.

    BFS from ``block_rows`` sources at a time keeps memory at ``block_rows x N`` instead of ``N x N``.
    """
    a = sp.csr_matrix(adjacency)
    n = a.shape[0]
    total, count = 0.0, 0
    for start in range(0, n, block_rows):
        sources = np.arange(start, min(n, start + block_rows))
        dist = shortest_path(a, directed=False, unweighted=True, indices=sources)
        finite = np.isfinite(dist) & (dist > 0)
        total += float(dist[finite].sum())
        count += int(finite.sum())
    return total / count if count else float("nan")


def graph_statistics(adjacency: sp.spmatrix, path_length: bool = True) -> dict[str, float]:
    """All statistics of a symmetric binary graph as a flat ``name -> float`` dict.

    ``path_length=False`` skips the characteristic path length (all-pairs BFS, the slowest part).
    """
    a = sp.csr_matrix(adjacency, dtype=np.float64)
    deg = degrees(a)
    n_components, component = connected_components(a, directed=False)
    triangles = triangle_count(a)
    wedges = wedge_count(deg)
    stats = {
        "num_nodes": float(a.shape[0]),
        "num_edges": float(a.nnz // 2),
        "max_degree": float(deg.max()),
        "min_degree": float(deg.min()),
        "mean_degree": float(deg.mean()),
        "assortativity": _assortativity(a),
        "triangle_count": float(triangles),
        "wedge_count": float(wedges),
        "claw_count": float(claw_count(deg)),
        "power_law_exponent": power_law_exponent(deg),
        "clustering_coefficient": 3.0 * triangles / wedges if wedges else 0.0,
        "largest_component_size": float(np.bincount(component).max()),
        "num_components": float(n_components),
        "gini": gini_coefficient(deg),
        "edge_distribution_entropy": edge_distribution_entropy(deg),
    }
    if path_length:
        stats["characteristic_path_length"] = characteristic_path_length(a)
    return stats


def statistics_cache_dir() -> Path:
    """``graphs/`` in :func:`ganforge.cache_dir` (``$GANFORGE_CACHE_DIR``, else ``~/.cache/ganforge``)."""
    from ganforge import cache_dir

    return cache_dir("graphs")


def cached_graph_statistics(adjacency: sp.spmatrix, path_length: bool = True) -> dict[str, float]:
    """:func:`graph_statistics`, cached on disk under a hash of the graph's edges.

    A training graph is the same in every run on the same data and split; its statistics
    (seconds on Cora-ML, mostly the path length) are computed once per machine. An unreadable
    or unwritable cache only costs the recomputation.
    """
    a = sp.csr_matrix(adjacency, dtype=np.float64)
    a.sum_duplicates()
    a.sort_indices()
    digest = hashlib.sha256()
    for part in (np.asarray(a.shape, dtype=np.int64), a.indptr.astype(np.int64), a.indices.astype(np.int64)):
        digest.update(part.tobytes())
    path = (
        statistics_cache_dir()
        / f"stats-v{STATS_VERSION}-{'pl' if path_length else 'nopl'}-{digest.hexdigest()[:24]}.json"
    )
    try:
        return {k: float(v) for k, v in json.loads(path.read_text()).items()}
    except (OSError, ValueError):
        pass
    stats = graph_statistics(a, path_length=path_length)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(stats))
        os.replace(tmp, path)
    except OSError:
        pass
    return stats


def _assortativity(adjacency: sp.csr_matrix) -> float:
    """Degree assortativity (networkx); ``nan`` where it is undefined (e.g. regular graphs)."""
    import networkx as nx  # here, not at module level: a second of import for one statistic

    graph = nx.from_scipy_sparse_array(adjacency)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        value = nx.degree_assortativity_coefficient(graph)
    return float(value)
