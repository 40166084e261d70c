"""Read graphs from the file formats the graphs domain accepts.

* ``.npz`` -- the NetGAN/graph2gauss CSR layout (``adj_data``, ``adj_indices``, ``adj_indptr``,
  ``adj_shape``, optional ``labels``); also a ``scipy.sparse.save_npz`` file. The original NetGAN
  ``cora_ml.npz`` wraps a pickled dict under ``arr_0``: it is read only with ``allow_pickle=True``
  because unpickling can run arbitrary code.
* ``.pt`` / ``.pth`` -- a PyTorch Geometric ``Data`` saved with ``torch.save`` (``edge_index``,
  optional ``num_nodes`` and ``y``), loaded with ``weights_only=True`` and only PyG's data classes
  allow-listed (``allow_pickle=True`` lifts that restriction).
* anything else -- an edge-list text file: one edge per line, ``u v`` separated by whitespace or a
  comma (further columns such as weights are ignored); lines starting with ``#`` or ``%`` are
  comments. Node ids are remapped to ``0..N-1`` (integers in numeric order, other ids in sorted
  order), so ids need not be contiguous and memory follows the edge count, not the largest id.

Every reader returns the adjacency as stored (possibly directed or weighted): cleaning happens in
:mod:`ganforge_graphs.preprocessing`.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ganforge.errors import GanforgeError

CSR_KEYS = ("adj_data", "adj_indices", "adj_indptr", "adj_shape")
SCIPY_NPZ_KEYS = ("data", "indices", "indptr", "shape", "format")
PYG_SUFFIXES = (".pt", ".pth")
#: A PyG graph declaring more nodes than this many per edge (plus the slack) is compacted to the
#: nodes that carry an edge (see :func:`load_pyg_graph`).
SPARSE_NODE_FACTOR = 16
SPARSE_NODE_SLACK = 100_000
EXPECTED_FORMATS = (
    "a NetGAN .npz (keys adj_data/adj_indices/adj_indptr/adj_shape), "
    "an edge-list text file ('u v' per line) or a torch.save'd PyG Data (.pt/.pth)"
)


@dataclass
class LoadedGraph:
    """A graph as read from disk, before any cleaning.

    Attributes:
        adjacency: ``N x N`` CSR matrix as stored (may be directed, weighted, with self-loops).
        labels: optional length-``N`` integer node labels.
        source: the file it came from (used in messages).
    """

    adjacency: sp.csr_matrix
    labels: np.ndarray | None
    source: str


def load_graph(path: str | Path, allow_pickle: bool = False) -> LoadedGraph:
    """Read a graph file, choosing the reader from the suffix (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise GanforgeError(f"data.path '{path}': file not found; expected {EXPECTED_FORMATS}")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return load_npz_graph(path, allow_pickle=allow_pickle)
    if suffix in PYG_SUFFIXES:
        return load_pyg_graph(path, allow_pickle=allow_pickle)
    return load_edge_list(path)


def load_npz_graph(path: str | Path, allow_pickle: bool = False) -> LoadedGraph:
    """Read a NetGAN-layout (or ``scipy.sparse.save_npz``) ``.npz`` adjacency file."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=allow_pickle) as archive:
            keys = set(archive.files)
            if set(CSR_KEYS) <= keys:
                arrays = {k: archive[k] for k in keys if k in CSR_KEYS or k == "labels"}
            elif keys == {"arr_0"}:
                arrays = _read_pickled_dict(archive, path, allow_pickle)
            elif set(SCIPY_NPZ_KEYS) <= keys:
                return LoadedGraph(sp.load_npz(path).tocsr(), None, str(path))
            else:
                raise GanforgeError(
                    f"{path}: npz keys {sorted(keys)} hold no adjacency; expected "
                    f"{', '.join(CSR_KEYS)} (optional labels) or a scipy.sparse.save_npz file"
                )
    except GanforgeError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise GanforgeError(f"{path}: not a readable .npz file ({exc})") from exc
    adjacency = _csr_from_arrays(arrays, path)
    labels = _labels_or_none(arrays.get("labels"), adjacency.shape[0], path)
    return LoadedGraph(adjacency, labels, str(path))


def _read_pickled_dict(archive, path: Path, allow_pickle: bool) -> dict:
    """Unwrap the original NetGAN ``arr_0`` pickled dict (only when explicitly allowed)."""
    if not allow_pickle:
        raise GanforgeError(
            f"{path}: holds a pickled dict (key 'arr_0'); unpickling can run code, so it is read only "
            f"with data.allow_pickle=true (use it for files you trust, or convert to a plain CSR npz)"
        )
    payload = archive["arr_0"]
    content = payload.item() if payload.shape == () else None
    if not isinstance(content, dict) or not set(CSR_KEYS) <= set(content):
        raise GanforgeError(
            f"{path}: key 'arr_0' does not hold a dict with {', '.join(CSR_KEYS)}"
        )
    return {k: np.asarray(v) for k, v in content.items() if k in CSR_KEYS or k == "labels"}


def _csr_from_arrays(arrays: dict, path: Path) -> sp.csr_matrix:
    """Build and validate a square CSR matrix from NetGAN's four arrays."""
    shape = tuple(int(s) for s in np.asarray(arrays["adj_shape"]).ravel())
    if len(shape) != 2 or shape[0] != shape[1] or shape[0] < 1:
        raise GanforgeError(f"{path}: adj_shape {shape}: expected a square N x N shape with N >= 1")
    n = shape[0]
    indptr = np.asarray(arrays["adj_indptr"])
    indices = np.asarray(arrays["adj_indices"])
    data = np.asarray(arrays["adj_data"])
    if indptr.shape != (n + 1,):
        raise GanforgeError(f"{path}: adj_indptr has length {indptr.size}; expected N+1 = {n + 1}")
    if data.shape != indices.shape or indices.ndim != 1:
        raise GanforgeError(
            f"{path}: adj_data {data.shape} and adj_indices {indices.shape} must be 1-D of equal length"
        )
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        raise GanforgeError(f"{path}: adj_indices has values outside [0, {n - 1}]")
    if indptr[0] != 0 or indptr[-1] != indices.size or np.any(np.diff(indptr) < 0):
        raise GanforgeError(f"{path}: adj_indptr is not a valid CSR row pointer for {indices.size} entries")
    return sp.csr_matrix((data.astype(np.float64), indices, indptr), shape=(n, n))


def _labels_or_none(labels, n: int, path: Path) -> np.ndarray | None:
    """Validate optional node labels (length N integers)."""
    if labels is None:
        return None
    labels = np.asarray(labels).ravel()
    if labels.shape[0] != n:
        raise GanforgeError(f"{path}: labels has length {labels.shape[0]}; expected N = {n}")
    return labels.astype(np.int64)


def load_edge_list(path: str | Path) -> LoadedGraph:
    """Read an edge-list text file (see the module docstring for the accepted syntax).

    Node ids are remapped to ``0..N-1`` (integer ids in numeric order, others in sorted order),
    so memory grows with the number of edges, never with the largest id: an id of 2,000,000,000
    in a 10-edge file gives a 10-edge graph, not a 2e9 x 2e9 matrix.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GanforgeError(f"{path}: not a readable UTF-8 edge-list text file ({exc}); expected 'u v' per line") from None
    if "\x00" in text:
        raise GanforgeError(f"{path}: holds NUL bytes (a binary file?); expected {EXPECTED_FORMATS}")
    sources: list[str] = []
    targets: list[str] = []
    splitter = re.compile(r"[,\s]+")
    for line_no, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line[0] in "#%":
            continue
        tokens = splitter.split(line)
        if len(tokens) < 2:
            shown = line if len(line) <= 40 else line[:37] + "..."
            raise GanforgeError(f"{path}:{line_no}: '{shown}' is not an edge; expected 'u v' per line")
        sources.append(tokens[0])
        targets.append(tokens[1])
    if not sources:
        raise GanforgeError(f"{path}: no edges found; expected {EXPECTED_FORMATS}")
    tokens = np.array(sources + targets)
    if all(t.isdigit() for t in tokens):
        try:
            tokens = tokens.astype(np.int64)
        except OverflowError:
            pass  # ids beyond int64 stay strings; they are only names
    _, ids = np.unique(tokens, return_inverse=True)
    ids = ids.reshape(-1)
    n = int(ids.max()) + 1
    m = len(sources)
    adjacency = sp.csr_matrix((np.ones(m), (ids[:m], ids[m:])), shape=(n, n))
    return LoadedGraph(adjacency, None, str(path))


def load_pyg_graph(path: str | Path, allow_pickle: bool = False) -> LoadedGraph:
    """Read a PyTorch Geometric ``Data`` object saved with ``torch.save``."""
    import torch
    from torch_geometric.data import Data

    path = Path(path)
    try:
        if allow_pickle:
            obj = torch.load(path, map_location="cpu", weights_only=False)
        else:
            with torch.serialization.safe_globals(_pyg_safe_globals()):
                obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types (UnpicklingError, RuntimeError, ...)
        raise GanforgeError(
            f"{path}: not a readable PyG Data file ({str(exc).splitlines()[0]}); "
            f"files with other pickled objects need data.allow_pickle=true"
        ) from exc
    if not isinstance(obj, Data):
        raise GanforgeError(f"{path}: holds a {type(obj).__name__}; expected a torch_geometric.data.Data")
    edge_index = getattr(obj, "edge_index", None)
    if edge_index is None or edge_index.dim() != 2 or edge_index.shape[0] != 2:
        shape = None if edge_index is None else tuple(edge_index.shape)
        raise GanforgeError(f"{path}: Data.edge_index has shape {shape}; expected (2, E)")
    edges = edge_index.cpu().numpy().astype(np.int64)
    if edges.size == 0:
        raise GanforgeError(f"{path}: Data.edge_index holds no edges; expected (2, E) with E >= 1")
    n = int(obj.num_nodes) if obj.num_nodes is not None else int(edges.max()) + 1
    if edges.min() < 0 or edges.max() >= n:
        raise GanforgeError(f"{path}: Data.edge_index has node ids outside [0, {n - 1}]")
    y = getattr(obj, "y", None)
    labels = None
    if y is not None and y.dim() == 1 and y.shape[0] == n:
        labels = y.cpu().numpy().astype(np.int64)
    if n > SPARSE_NODE_FACTOR * edges.shape[1] + SPARSE_NODE_SLACK:
        # Mostly isolated nodes (e.g. num_nodes=2e9 with a few edges): keep the nodes that carry
        # an edge so memory follows the edges; isolated nodes are never trained on anyway.
        used, inverse = np.unique(edges, return_inverse=True)
        edges = inverse.reshape(edges.shape)
        labels = labels[used] if labels is not None else None
        n = int(used.size)
    adjacency = sp.csr_matrix((np.ones(edges.shape[1]), (edges[0], edges[1])), shape=(n, n))
    return LoadedGraph(adjacency, labels, str(path))


def _pyg_safe_globals() -> list:
    """PyG classes that a plain saved ``Data`` object references (nothing that runs code)."""
    from torch_geometric.data import Data
    from torch_geometric.data.data import DataEdgeAttr, DataTensorAttr
    from torch_geometric.data.storage import GlobalStorage

    return [Data, DataEdgeAttr, DataTensorAttr, GlobalStorage]


def embedded_cora_ml_path() -> Path:
    """Path of the Cora-ML adjacency shipped inside the package (see ``data/ATTRIBUTION.md``)."""
    return Path(__file__).resolve().parent / "data" / "cora_ml.npz"
