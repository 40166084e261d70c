"""CELL (Rendsburg, Heidrich & von Luxburg, ICML 2020): NetGAN without the GAN.

CELL fits a random-walk transition matrix ``P = softmax_rows(W)`` with low-rank logits
``W = W_down @ W_up`` (rank ``H = 9``) to the graph by minimising the cross-entropy with the
adjacency, ``-sum_ij A_ij log P_ij / sum_ij A_ij``. Its edge scores are the stationary edge
visit probabilities ``S_ij = pi_i P_ij`` (``pi`` the stationary distribution of ``P``),
symmetrised, and a graph is assembled from them exactly as for NetGAN.

Everything is computed in row blocks of ``W`` so no ``N x N`` matrix is needed when ``N`` is large:
the loss only needs the logits at the edges and the row log-sum-exps
(``-sum_{(i,j) in E} W_ij + sum_i d_i lse_i``), and the score source streams row blocks.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from ganforge_graphs.assembly import DEFAULT_BLOCK_ENTRIES, ScoreMatrix

#: Largest ``N * N`` for which the full transition matrix is cached during power iteration.
DENSE_CACHE_ENTRIES = 1 << 25


class CellModel(nn.Module):
    """Low-rank transition-matrix model of a graph.

    Args:
        num_nodes: ``N``.
        rank: ``H``, the rank of the logits (9 in the paper).
        block_entries: logits computed per block (bounds memory for large ``N``).
    """

    def __init__(self, num_nodes: int, rank: int = 9, block_entries: int = DEFAULT_BLOCK_ENTRIES):
        super().__init__()
        self.num_nodes = num_nodes
        self.rank = rank
        # Same scale as the reference model: std sqrt(2 / (N + H)) for both factors.
        gamma = math.sqrt(2.0 / (num_nodes + rank))
        self.W_down = nn.Parameter(gamma * torch.randn(num_nodes, rank))
        self.W_up = nn.Parameter(gamma * torch.randn(rank, num_nodes))
        self.block_rows = max(1, block_entries // max(1, num_nodes))

    def _row_logsumexp(self, start: int, stop: int) -> torch.Tensor:
        return torch.logsumexp(self.W_down[start:stop] @ self.W_up, dim=1)

    def row_logsumexp(self, differentiable: bool = True) -> torch.Tensor:
        """``logsumexp_j W_ij`` for every row ``i`` (recomputed blocks when ``N`` is large)."""
        parts = []
        blocks = range(0, self.num_nodes, self.block_rows)
        for start in blocks:
            stop = min(self.num_nodes, start + self.block_rows)
            if differentiable and len(blocks) > 1 and torch.is_grad_enabled():
                # Recompute each block's logits in backward instead of keeping all of them.
                parts.append(checkpoint(self._row_logsumexp, start, stop, use_reentrant=False))
            else:
                parts.append(self._row_logsumexp(start, stop))
        return torch.cat(parts)

    def loss(self, src: torch.Tensor, dst: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of ``softmax_rows(W)`` with the adjacency given by directed edge lists.

        ``src``/``dst`` list every undirected edge in both directions (so ``len(src) = 2m``).
        """
        edge_logits = (self.W_down[src] * self.W_up[:, dst].T).sum(dim=1)
        degrees = torch.bincount(src, minlength=self.num_nodes).to(edge_logits.dtype)
        lse = self.row_logsumexp()
        return ((degrees * lse).sum() - edge_logits.sum()) / src.numel()

    @torch.no_grad()
    def transition_block(self, start: int, stop: int, lse: torch.Tensor) -> torch.Tensor:
        """Rows ``start:stop`` of ``P`` given the row log-sum-exps."""
        return torch.exp(self.W_down[start:stop] @ self.W_up - lse[start:stop, None])

    @torch.no_grad()
    def transition_matrix(self) -> torch.Tensor:
        """The full ``N x N`` transition matrix (small graphs only)."""
        return torch.softmax(self.W_down @ self.W_up, dim=1)

    @torch.no_grad()
    def stationary_distribution(
        self, lse: torch.Tensor, init: torch.Tensor | None = None, tol: float = 1e-8, dense: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Stationary distribution of ``P``: its leading left eigenvector (scipy ARPACK).

        ``P`` has strictly positive entries, so the eigenvalue 1 is simple and dominant. ARPACK's
        Arnoldi iteration needs ~50 products ``pi @ P`` on Cora-ML where plain power iteration
        needs ~500 (second eigenvalue ~0.97); the products stream row blocks of ``P`` when ``N`` is
        large. ``init`` (e.g. the degrees, or the previous result) is the starting vector;
        ``dense``: the transition matrix when the caller already holds it.
        """
        from scipy.sparse.linalg import LinearOperator, eigs

        n = self.num_nodes
        if dense is None and n * n <= DENSE_CACHE_ENTRIES:
            dense = self.transition_matrix()

        def left_product(x: np.ndarray) -> np.ndarray:
            vec = torch.as_tensor(np.real(x).ravel(), dtype=torch.float32, device=self.W_up.device)
            if dense is not None:
                return (vec @ dense).double().cpu().numpy()
            out = torch.zeros(n, device=self.W_up.device)
            for start in range(0, n, self.block_rows):
                stop = min(n, start + self.block_rows)
                out += vec[start:stop] @ self.transition_block(start, stop, lse)
            return out.double().cpu().numpy()

        start_vec = np.full(n, 1.0 / n) if init is None else init.double().cpu().numpy().ravel()
        if n <= 2:  # ARPACK needs k < n - 1; tiny chains are solved exactly.
            matrix = np.stack([left_product(row) for row in np.eye(n)])
            values, vectors = np.linalg.eig(matrix.T)
            vector = np.real(vectors[:, np.argmax(np.real(values))])
        else:
            operator = LinearOperator((n, n), matvec=left_product, dtype=np.float64)
            _, vectors = eigs(operator, k=1, which="LM", v0=start_vec / start_vec.sum(), tol=tol)
            vector = np.real(vectors[:, 0])
        vector = np.abs(vector)  # the Perron vector has one sign; abs also clears float noise
        return torch.as_tensor(vector / vector.sum(), dtype=torch.float64)

    def score_matrix(self, init: torch.Tensor | None = None) -> CellScores:
        """The symmetric edge scores ``pi_i P_ij + pi_j P_ji`` as a streamable score source."""
        return CellScores(self, init=init)


class CellScores(ScoreMatrix):
    """Score source of a :class:`CellModel`.

    When the ``N x N`` matrix fits one block (``block_entries``; Cora-ML's 2,810 nodes do), the
    transition matrix is computed once, serves the eigen-solver, and the symmetric scores are
    built from it once and kept (float32) for every pass of the graph assembly. Larger graphs
    stream row blocks computed on demand from the factors.
    """

    def __init__(self, model: CellModel, init: torch.Tensor | None = None):
        self.model = model
        self.num_nodes = n = model.num_nodes
        self.block_rows = model.block_rows
        self.dense: torch.Tensor | None = None
        with torch.no_grad():
            self.lse = model.row_logsumexp(differentiable=False)
            if self.block_rows >= n or n * n <= DENSE_CACHE_ENTRIES:
                p = model.transition_block(0, n, self.lse)
                self.pi = model.stationary_distribution(self.lse, init=init, dense=p)
                p.mul_(self.pi.float().to(p.device)[:, None])  # S = pi_i P_ij, in place
                self.dense = (p + p.T).cpu()
            else:
                self.pi = model.stationary_distribution(self.lse, init=init)

    def row_blocks(self):
        """Yield row blocks ``S[a:b] = pi[a:b, None] P[a:b] + (pi[:, None] P[:, a:b]).T`` (float32)."""
        if self.dense is not None:
            yield 0, self.dense.numpy()
            return
        m = self.model
        pi = self.pi.float().to(m.W_up.device)
        with torch.no_grad():
            for start in range(0, self.num_nodes, self.block_rows):
                stop = min(self.num_nodes, start + self.block_rows)
                forward = pi[start:stop, None] * m.transition_block(start, stop, self.lse)
                backward = torch.exp(m.W_down @ m.W_up[:, start:stop] - self.lse[:, None]) * pi[:, None]
                yield start, (forward + backward.T).cpu().numpy()

    def gather(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Symmetric scores at node pairs, from the factors directly."""
        m = self.model
        r = torch.as_tensor(np.asarray(rows), dtype=torch.long, device=m.W_up.device)
        c = torch.as_tensor(np.asarray(cols), dtype=torch.long, device=m.W_up.device)
        with torch.no_grad():
            w_rc = (m.W_down[r] * m.W_up[:, c].T).sum(dim=1)
            w_cr = (m.W_down[c] * m.W_up[:, r].T).sum(dim=1)
            pi = self.pi.float().to(m.W_up.device)
            values = pi[r] * torch.exp(w_rc - self.lse[r]) + pi[c] * torch.exp(w_cr - self.lse[c])
        return values.double().cpu().numpy()


def directed_edge_lists(adjacency: sp.spmatrix) -> tuple[torch.Tensor, torch.Tensor]:
    """``(src, dst)`` long tensors listing every stored entry of a (symmetric) adjacency."""
    coo = sp.coo_matrix(adjacency)
    return torch.as_tensor(coo.row, dtype=torch.long), torch.as_tensor(coo.col, dtype=torch.long)
