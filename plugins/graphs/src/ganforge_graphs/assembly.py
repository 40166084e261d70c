"""Assemble a simple undirected graph with an exact edge count from a score matrix.

NetGAN (and CELL) turn a non-negative score matrix ``S`` (transition counts of generated walks, or
a model's edge probabilities) into a graph in two draws:

1. every node ``i`` gets one edge ``(i, j)`` with ``j`` drawn in proportion to ``S[i, j]``, so no
   node is isolated (a node whose row is all zero is joined to a uniformly random node: the
   reference implementation would leave it isolated);
2. the remaining edges are drawn **without replacement** from the upper triangle in proportion to
   the scores, excluding the edges of step 1, until the graph has exactly ``n_edges`` edges.

Step 1 draws each dense row by inverse CDF (one uniform number and a binary search per row;
sparse rows by the Gumbel trick). Step 2 uses exponential keys: the ``k`` largest ``s / E`` with
``E ~ Exp(1)`` (equivalently ``log s + Gumbel``) are a sample of ``k`` entries without
replacement in proportion to ``s`` (successive sampling, the same law as
``numpy.random.choice(replace=False, p=...)``). Keys are computed in float32 and only for the
upper triangle. Because keys are independent per entry, the score matrix is streamed in row
blocks and only the running top ``k`` is kept: memory is ``O(block + k)`` rather than a dense
``N x N`` matrix, and a sparse ``S`` (NetGAN) is never densified.

The score matrix is always used symmetrised (``S + S^T``) with its diagonal ignored.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp
import torch

from ganforge.errors import GanforgeError

#: Entries per dense block; bounds the temporary memory of streaming a dense score source.
DEFAULT_BLOCK_ENTRIES = 1 << 22


class ScoreMatrix(ABC):
    """A symmetric, non-negative ``N x N`` score matrix that can be streamed in row blocks."""

    num_nodes: int

    @abstractmethod
    def row_blocks(self) -> Iterator[tuple[int, np.ndarray | sp.csr_matrix]]:
        """Yield ``(first_row, block)``: consecutive row blocks of the symmetric scores.

        ``block`` is a dense ``(k, N)`` array or a ``(k, N)`` CSR matrix; diagonal entries are
        ignored by the consumers.
        """

    @abstractmethod
    def gather(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Symmetric scores at the node pairs ``(rows[i], cols[i])``."""


class SparseScores(ScoreMatrix):
    """A sparse score matrix (e.g. transition counts); symmetrised, diagonal dropped."""

    def __init__(self, matrix: sp.spmatrix, block_rows: int | None = None):
        matrix = sp.csr_matrix(matrix, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise GanforgeError(f"score matrix has shape {matrix.shape}; expected a square N x N matrix")
        if matrix.nnz and matrix.data.min() < 0:
            raise GanforgeError("score matrix has negative entries; expected non-negative scores")
        sym = (matrix + matrix.T).tocsr()
        sym.setdiag(0)
        sym.eliminate_zeros()
        sym.sort_indices()
        self.matrix = sym
        self.num_nodes = sym.shape[0]
        self.block_rows = block_rows or self.num_nodes

    def row_blocks(self) -> Iterator[tuple[int, sp.csr_matrix]]:
        """Yield CSR row blocks of ``block_rows`` rows."""
        for start in range(0, self.num_nodes, self.block_rows):
            yield start, self.matrix[start : start + self.block_rows]

    def gather(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Scores at node pairs (zero where no transition was observed)."""
        return np.asarray(self.matrix[np.asarray(rows), np.asarray(cols)]).ravel()


class DenseScores(ScoreMatrix):
    """A dense score matrix held in memory (small graphs, tests); symmetrised."""

    def __init__(self, matrix: np.ndarray | torch.Tensor, block_entries: int = DEFAULT_BLOCK_ENTRIES):
        matrix = matrix.detach().cpu().numpy() if isinstance(matrix, torch.Tensor) else np.asarray(matrix)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise GanforgeError(f"score matrix has shape {matrix.shape}; expected a square N x N matrix")
        if np.any(matrix < 0) or not np.all(np.isfinite(matrix)):
            raise GanforgeError("score matrix has negative or non-finite entries; expected scores >= 0")
        self.matrix = matrix + matrix.T
        self.num_nodes = matrix.shape[0]
        self.block_rows = max(1, block_entries // max(1, self.num_nodes))

    def row_blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        """Yield dense row blocks."""
        for start in range(0, self.num_nodes, self.block_rows):
            yield start, self.matrix[start : start + self.block_rows]

    def gather(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Scores at node pairs."""
        return self.matrix[np.asarray(rows), np.asarray(cols)]


def score_matrix_from_walks(walks: np.ndarray | torch.Tensor, num_nodes: int) -> SparseScores:
    """Count the transitions ``walk[t] -> walk[t+1]`` of many walks into a sparse score matrix."""
    walks = walks.cpu().numpy() if isinstance(walks, torch.Tensor) else np.asarray(walks)
    if walks.ndim != 2 or walks.shape[1] < 2:
        raise GanforgeError(f"walks have shape {walks.shape}; expected (num_walks, walk_length >= 2)")
    src = walks[:, :-1].ravel()
    dst = walks[:, 1:].ravel()
    counts = sp.coo_matrix((np.ones(src.size), (src, dst)), shape=(num_nodes, num_nodes)).tocsr()
    return SparseScores(counts)


def _gumbel_keys(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``log(values) + Gumbel(0, 1)``; zero scores get ``-inf`` (never drawn)."""
    with np.errstate(divide="ignore"):
        keys = np.log(values)
    keys += rng.gumbel(size=values.shape)
    return keys


def _torch_generator(rng: np.random.Generator) -> torch.Generator:
    """A torch CPU generator seeded from ``rng`` (dense draws run in torch, reproducibly)."""
    return torch.Generator().manual_seed(int(rng.integers(0, 2**62)))


def _as_float32(block: np.ndarray | torch.Tensor) -> torch.Tensor:
    """A dense block as a float32 CPU tensor (no copy when it already is one)."""
    if isinstance(block, torch.Tensor):
        return block.detach().to("cpu", torch.float32)
    return torch.from_numpy(np.ascontiguousarray(block, dtype=np.float32))


def _dense_row_draw(block: np.ndarray | torch.Tensor, start: int, gen: torch.Generator) -> np.ndarray:
    """Inverse-CDF draw of one column per row of a dense block, diagonal excluded (``-1``: empty row)."""
    weights = _as_float32(block).clone()
    rows = torch.arange(weights.shape[0])
    weights[rows, rows + start] = 0.0
    weights.clamp_(min=0.0)
    cdf = weights.cumsum_(dim=1)
    total = cdf[:, -1:].contiguous()
    target = torch.rand(total.shape, generator=gen) * total
    chosen = torch.searchsorted(cdf, target, right=True)
    # round-off can push the target past the last positive entry: take the last one with mass
    chosen = torch.minimum(chosen, torch.searchsorted(cdf, total, right=False)).squeeze(1)
    chosen[total.squeeze(1) <= 0] = -1
    return chosen.numpy().astype(np.int64)


def _one_neighbour_per_node(scores: ScoreMatrix, rng: np.random.Generator) -> np.ndarray:
    """Step 1: for every node draw a partner in proportion to its row; ``(N,)`` partner ids."""
    n = scores.num_nodes
    partner = np.full(n, -1, dtype=np.int64)
    for start, block in scores.row_blocks():
        rows_in_block = block.shape[0]
        if sp.issparse(block):
            chosen = _sparse_row_argmax(sp.csr_matrix(block), start, rng)
        else:
            chosen = _dense_row_draw(block, start, _torch_generator(rng))
        partner[start : start + rows_in_block] = chosen
    lonely = np.flatnonzero(partner < 0)
    if lonely.size:
        # A node with no score at all (never visited) still gets one uniformly random partner.
        other = rng.integers(0, n - 1, size=lonely.size)
        partner[lonely] = other + (other >= lonely)
    return partner


def _sparse_row_argmax(block: sp.csr_matrix, start: int, rng: np.random.Generator) -> np.ndarray:
    """Gumbel-max draw per CSR row (``-1`` for rows without a positive off-diagonal score)."""
    rows_in_block = block.shape[0]
    row_of = np.repeat(np.arange(rows_in_block), np.diff(block.indptr))
    keys = _gumbel_keys(block.data.astype(np.float64), rng)
    keys[(block.indices == row_of + start) | (block.data <= 0)] = -np.inf
    chosen = np.full(rows_in_block, -1, dtype=np.int64)
    nonempty = np.flatnonzero(np.diff(block.indptr) > 0)
    if nonempty.size == 0:
        return chosen
    # Segment maxima in one pass (rows are contiguous in CSR), then the first entry hitting it.
    row_max = np.full(rows_in_block, -np.inf)
    row_max[nonempty] = np.maximum.reduceat(keys, block.indptr[nonempty])
    hits = np.flatnonzero((keys == row_max[row_of]) & np.isfinite(keys))
    hit_rows, first = np.unique(row_of[hits], return_index=True)
    chosen[hit_rows] = block.indices[hits[first]]
    return chosen


def _top_k_upper(scores: ScoreMatrix, k: int, excluded: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Step 2: keys ``u*N+v`` (``u < v``) of ``k`` entries drawn without replacement ∝ score."""
    n = scores.num_nodes
    best_keys = np.empty(0)
    best_ids = np.empty(0, dtype=np.int64)
    for start, block in scores.row_blocks():
        if sp.issparse(block):
            coo = sp.coo_matrix(block)
            rows = coo.row.astype(np.int64) + start
            cols = coo.col.astype(np.int64)
            ids = rows * n + cols
            usable = (cols > rows) & (coo.data > 0) & ~np.isin(ids, excluded)
            ids = ids[usable]
            keys = _gumbel_keys(coo.data[usable].astype(np.float64), rng)
        else:
            keys, ids = _dense_block_keys(block, start, n, excluded, k, rng)
        best_keys = np.concatenate([best_keys, keys])
        best_ids = np.concatenate([best_ids, ids])
        if best_keys.size > k:
            keep = np.argpartition(-best_keys, k - 1)[:k]
            best_keys, best_ids = best_keys[keep], best_ids[keep]
    best_ids = best_ids[np.isfinite(best_keys)]
    if best_ids.size < k:
        raise GanforgeError(
            f"graph assembly: the score matrix has only {best_ids.size} more candidate edges with a "
            f"positive score, {k} needed; generate more walks (model.eval_transitions) or train longer"
        )
    return best_ids


#: Rows per chunk of the upper-triangle key computation (the wasted lower corner of a
#: chunk is ``rows^2 / 2`` entries).
KEY_CHUNK_ROWS = 256


def _dense_block_keys(
    block: np.ndarray | torch.Tensor, start: int, n: int, excluded: np.ndarray, k: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Exponential keys ``s / E`` of the strictly-upper, non-excluded entries of a dense block (its top ``k``).

    Only columns right of each chunk's first row are keyed, in float32: half the work of keying
    the whole block. Returns ``(keys, ids)`` with ``ids = u * n + v``; non-positive keys dropped.
    """
    values = _as_float32(block)
    gen = _torch_generator(rng)
    rows_in_block = values.shape[0]
    ex_u, ex_v = excluded // n, excluded % n
    all_keys, all_ids = [], []
    for r0 in range(0, rows_in_block, KEY_CHUNK_ROWS):
        r1 = min(rows_in_block, r0 + KEY_CHUNK_ROWS)
        g0 = start + r0  # global row of the chunk's first row
        c0 = g0 + 1  # first column strictly right of it
        if c0 >= n:
            break
        keys = values[r0:r1, c0:].clone()
        keys.clamp_(min=0.0)
        keys.div_(torch.empty_like(keys).exponential_(generator=gen))
        # row g0 + i keeps columns > g0 + i, i.e. chunk columns >= i
        corner = min(r1 - r0, keys.shape[1])
        keys[:, :corner] = keys[:, :corner].triu()
        hit = (ex_u >= g0) & (ex_u < start + r1)
        if hit.any():
            keys[torch.as_tensor(ex_u[hit] - g0), torch.as_tensor(ex_v[hit] - c0)] = 0.0
        flat = keys.view(-1)
        top_vals, top = torch.topk(flat, min(k, flat.numel()), sorted=False) if flat.numel() > k else (flat, None)
        if top is None:
            top = torch.arange(flat.numel())
        keep = top_vals > 0
        top, top_vals = top[keep], top_vals[keep]
        width = keys.shape[1]
        all_keys.append(top_vals.numpy().astype(np.float64))
        all_ids.append(((top // width + g0) * n + top % width + c0).numpy().astype(np.int64))
    if not all_keys:
        return np.empty(0), np.empty(0, dtype=np.int64)
    # log keys: comparable with the sparse path's Gumbel keys (log s + G = log(s / E))
    return np.log(np.concatenate(all_keys)), np.concatenate(all_ids)


def assemble_graph(
    scores: ScoreMatrix | sp.spmatrix | np.ndarray, n_edges: int, seed: int | np.random.Generator | None = None
) -> sp.csr_matrix:
    """Draw a symmetric, loop-free, binary graph with exactly ``n_edges`` undirected edges.

    ``scores`` is a :class:`ScoreMatrix` (or a scipy sparse / numpy dense matrix, wrapped
    automatically). Every node ends up with at least one edge. See the module docstring.
    """
    if sp.issparse(scores):
        scores = SparseScores(scores)
    elif isinstance(scores, (np.ndarray, torch.Tensor)):
        scores = DenseScores(scores)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = scores.num_nodes
    max_edges = n * (n - 1) // 2
    if not 0 < n_edges <= max_edges:
        raise GanforgeError(f"graph assembly: n_edges={n_edges}; expected 1..{max_edges} for {n} nodes")
    partner = _one_neighbour_per_node(scores, rng)
    nodes = np.arange(n)
    first_ids = np.unique(np.minimum(nodes, partner) * n + np.maximum(nodes, partner))
    if first_ids.size > n_edges:
        raise GanforgeError(
            f"graph assembly: n_edges={n_edges} is below the {first_ids.size} edges needed to give "
            f"each of the {n} nodes a neighbour"
        )
    extra = n_edges - first_ids.size
    extra_ids = _top_k_upper(scores, extra, first_ids, rng) if extra else np.empty(0, dtype=np.int64)
    ids = np.concatenate([first_ids, extra_ids])
    u, v = ids // n, ids % n
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    graph = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    graph.sort_indices()
    return graph
