"""Biased second-order (node2vec) random walks, vectorised over walkers in torch.

A walk starts at a uniformly random node and steps to a uniformly random neighbour. Every later
step from ``cur`` (having arrived from ``prev``) picks a neighbour ``x`` of ``cur`` with weight

* ``1/p`` if ``x == prev`` (return),
* ``1``   if ``x`` is a neighbour of ``prev`` (stay close),
* ``1/q`` otherwise (move outward),

as in node2vec (Grover & Leskovec, 2016); ``p = q = 1`` is the uniform walk NetGAN uses by default.
All walkers advance together: the only Python loops run over walk steps and, for ``p, q != 1``,
over rejection rounds (each round is one tensor operation over all still-pending walkers).

``torch_cluster.random_walk`` (what PyG would call) is not installed here, and its biased variant
is CUDA/C++ only; this module keeps the walks in plain torch.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from ganforge.errors import GanforgeError


class RandomWalker:
    """Samples batches of biased second-order random walks on a fixed undirected graph.

    Args:
        adjacency: symmetric ``N x N`` scipy sparse adjacency (every node needs a neighbour).
        walk_length: number of nodes per walk (NetGAN uses 16).
        p: return parameter (``1/p`` weights stepping back to the previous node).
        q: in-out parameter (``1/q`` weights moving to a node not adjacent to the previous one).
    """

    _PROPOSALS_PER_ROUND = 8

    def __init__(self, adjacency: sp.spmatrix, walk_length: int = 16, p: float = 1.0, q: float = 1.0):
        if walk_length < 2:
            raise GanforgeError(f"model.walk_length={walk_length}: expected at least 2 nodes per walk")
        if p <= 0 or q <= 0:
            raise GanforgeError(f"model.p={p}, model.q={q}: node2vec parameters must be > 0")
        adjacency = sp.csr_matrix(adjacency)
        adjacency.sort_indices()
        self.num_nodes = adjacency.shape[0]
        degrees = np.diff(adjacency.indptr)
        if np.any(degrees == 0):
            raise GanforgeError(
                f"random walks: {int(np.sum(degrees == 0))} node(s) have no neighbour; "
                f"expected a graph without isolated nodes (keep the largest connected component)"
            )
        self.walk_length = int(walk_length)
        self.p = float(p)
        self.q = float(q)
        self.indptr = torch.as_tensor(adjacency.indptr, dtype=torch.long)
        self.indices = torch.as_tensor(adjacency.indices, dtype=torch.long)
        self.degrees = torch.as_tensor(degrees, dtype=torch.long)
        rows = torch.repeat_interleave(torch.arange(self.num_nodes), self.degrees)
        # Row-major keys are globally sorted (rows ascending, columns sorted within a row), so
        # edge membership is one binary search.
        self.edge_keys = rows * self.num_nodes + self.indices
        weights = (1.0 / self.p, 1.0, 1.0 / self.q)
        self._max_weight = max(weights)

    def has_edge(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Elementwise test whether ``(u, v)`` is an edge."""
        keys = u * self.num_nodes + v
        pos = torch.searchsorted(self.edge_keys, keys).clamp_(max=self.edge_keys.numel() - 1)
        return self.edge_keys[pos] == keys

    def _uniform_neighbour(self, nodes: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        offsets = torch.rand(nodes.shape, generator=generator) * self.degrees[nodes]
        offsets = offsets.long().clamp_(max=self.degrees[nodes] - 1)  # guard rand()*d rounding to d
        return self.indices[self.indptr[nodes] + offsets]

    def _biased_neighbour(
        self, prev: torch.Tensor, cur: torch.Tensor, generator: torch.Generator | None
    ) -> torch.Tensor:
        """One node2vec step by rejection sampling: propose uniformly, accept with w(x)/max w."""
        nxt = torch.empty_like(cur)
        pending = torch.arange(cur.numel())
        while pending.numel():
            # Several proposals per walker per round keep the number of rounds small; taking the
            # first accepted one is still exact rejection sampling.
            tries = self._PROPOSALS_PER_ROUND
            cur_p = cur[pending].unsqueeze(1).expand(-1, tries)
            prev_p = prev[pending].unsqueeze(1).expand(-1, tries)
            proposal = self._uniform_neighbour(cur_p, generator)
            weight = torch.full(proposal.shape, 1.0 / self.q)
            weight[self.has_edge(prev_p, proposal)] = 1.0
            weight[proposal == prev_p] = 1.0 / self.p
            accept = torch.rand(proposal.shape, generator=generator) * self._max_weight < weight
            any_accept = accept.any(dim=1)
            first = accept.int().argmax(dim=1)
            chosen = proposal.gather(1, first.unsqueeze(1)).squeeze(1)
            nxt[pending[any_accept]] = chosen[any_accept]
            pending = pending[~any_accept]
        return nxt

    def walks(self, batch_size: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return a ``(batch_size, walk_length)`` long tensor of node indices."""
        out = torch.empty(batch_size, self.walk_length, dtype=torch.long)
        out[:, 0] = torch.randint(self.num_nodes, (batch_size,), generator=generator)
        out[:, 1] = self._uniform_neighbour(out[:, 0], generator)
        uniform = self.p == 1.0 and self.q == 1.0
        for t in range(2, self.walk_length):
            if uniform:
                out[:, t] = self._uniform_neighbour(out[:, t - 1], generator)
            else:
                out[:, t] = self._biased_neighbour(out[:, t - 2], out[:, t - 1], generator)
        return out

    def transition_probabilities(self, prev: int, cur: int) -> dict[int, float]:
        """Exact next-node distribution from ``cur`` having arrived from ``prev`` (for checks)."""
        neighbours = self.indices[self.indptr[cur] : self.indptr[cur + 1]]
        weights = {}
        for x in neighbours.tolist():
            if x == prev:
                weights[x] = 1.0 / self.p
            elif bool(self.has_edge(torch.tensor([prev]), torch.tensor([x]))):
                weights[x] = 1.0
            else:
                weights[x] = 1.0 / self.q
        total = sum(weights.values())
        return {x: w / total for x, w in weights.items()}
