"""``GraphDataModule``: one graph, its link-prediction split, and an endless stream of batches.

NetGAN trains on random walks sampled on the fly from the training graph (``walks`` input: each
batch is a ``(batch_size, walk_length)`` long tensor of node ids). CELL trains full-batch on the
training adjacency (``edges`` input: each batch is the ``(src, dst)`` pair of directed edge lists).
The held-out validation/test edges never enter training; the model uses them for stopping and
metrics through the data module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import scipy.sparse as sp
import torch
from torch.utils.data import DataLoader, IterableDataset

from ganforge.errors import GanforgeError, choices_error
from ganforge.plugin import DataSpecMixin
from ganforge.utils import loader_worker_init
from ganforge_graphs.cell_model import directed_edge_lists
from ganforge_graphs.loading import embedded_cora_ml_path, load_graph
from ganforge_graphs.preprocessing import CleanGraph, clean_graph
from ganforge_graphs.random_walks import RandomWalker
from ganforge_graphs.splits import LinkSplit, link_prediction_split
from ganforge_graphs.statistics import cached_graph_statistics

TRAIN_INPUTS = ("walks", "edges")


class WalkStream(IterableDataset):
    """Endless batches of random walks on the training graph (global torch RNG, so seeded runs repeat)."""

    def __init__(self, walker: RandomWalker, batch_size: int):
        self.walker = walker
        self.batch_size = batch_size

    def __iter__(self) -> Iterator[torch.Tensor]:
        while True:
            yield self.walker.walks(self.batch_size)


class EdgeStream(IterableDataset):
    """Endless repetitions of the whole training graph as directed edge lists (full-batch training)."""

    def __init__(self, adjacency: sp.csr_matrix):
        self.src, self.dst = directed_edge_lists(adjacency)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        while True:
            yield self.src, self.dst


class GraphDataModule(DataSpecMixin, pl.LightningDataModule):
    """One graph (``path=None`` = embedded Cora-ML), its link-prediction split and its training stream.

    Args:
        path: a NetGAN ``.npz``, an edge list or a PyG ``.pt`` file; ``None``: embedded Cora-ML.
        allow_pickle: let ``.npz``/``.pt`` files unpickle objects (only for trusted files).
        largest_component: keep only the largest connected component.
        val_fraction, test_fraction: held-out edges of the link-prediction split.
        split_seed: the split is a function of this seed only.
        max_nodes: keep a connected breadth-first slice of this many nodes (``None``: all).
        batch_size: random walks per batch (``walks`` input).
        num_workers: data-loader worker processes.
        p, q: node2vec return and in-out parameters of the training walks.
        walk_length: nodes per training walk (``model.walk_length``; only for ``walks``).
        train_input: ``walks`` (NetGAN) or ``edges`` (CELL).

    Spec: ``num_nodes``, ``num_edges`` (training edges: the size of generated graphs),
    ``num_edges_full``, ``source``.
    """

    def __init__(self, *, path: str | None, allow_pickle: bool, largest_component: bool, val_fraction: float,
                 test_fraction: float, split_seed: int, max_nodes: int | None, batch_size: int, num_workers: int,
                 p: float, q: float, walk_length: int | None, train_input: str):
        super().__init__()
        if train_input not in TRAIN_INPUTS:
            raise choices_error("model.train_input", train_input, TRAIN_INPUTS)
        if max_nodes is not None and int(max_nodes) < 3:
            raise GanforgeError(f"data.max_nodes={max_nodes}: expected null or at least 3 nodes")
        if train_input == "walks":
            if walk_length is None:
                raise GanforgeError("GraphDataModule: train_input='walks' needs a walk_length")
            if int(batch_size) < 1:
                raise GanforgeError(f"data.batch_size={batch_size}: expected a positive number of walks")
        self.path = None if path is None else str(path)
        self.allow_pickle = bool(allow_pickle)
        self.largest_component = bool(largest_component)
        self.val_fraction = float(val_fraction)
        self.test_fraction = float(test_fraction)
        self.split_seed = int(split_seed)
        self.max_nodes = None if max_nodes is None else int(max_nodes)
        self.batch_size = int(batch_size)
        self.num_workers = int(num_workers)
        self.p = float(p)
        self.q = float(q)
        self.walk_length = None if walk_length is None else int(walk_length)
        self.train_input = train_input
        self.graph: CleanGraph | None = None
        self.split: LinkSplit | None = None
        self._train_stats: dict[str, float] | None = None

    @classmethod
    def from_config(cls, cfg: Any) -> GraphDataModule:
        """The builder: ``data`` keys, ``model.train_input`` and (walks only) ``model.walk_length``
        of a run config, each read once (defaults in the domain's YAML)."""
        data, model = cfg.data, cfg.model
        train_input = str(model.train_input)
        return cls(
            path=data.path, allow_pickle=bool(data.allow_pickle), largest_component=bool(data.largest_component),
            val_fraction=float(data.val_fraction), test_fraction=float(data.test_fraction),
            split_seed=int(data.split_seed), max_nodes=None if data.max_nodes is None else int(data.max_nodes),
            batch_size=int(data.batch_size), num_workers=int(data.num_workers), p=float(data.p), q=float(data.q),
            # CELL trains on edge lists and has no walk length
            walk_length=int(model.walk_length) if train_input == "walks" else None, train_input=train_input,
        )

    def setup(self, stage: str | None = None) -> None:
        """Load, clean and split the graph once (idempotent)."""
        if self.graph is not None:
            return
        source = embedded_cora_ml_path() if self.path is None else Path(self.path).expanduser()
        loaded = load_graph(source, allow_pickle=self.allow_pickle)
        self.graph = clean_graph(
            loaded.adjacency,
            loaded.labels,
            source=str(source),
            lcc=self.largest_component,
            max_nodes=self.max_nodes,
        )
        self.split = link_prediction_split(
            self.graph.adjacency,
            val_fraction=self.val_fraction,
            test_fraction=self.test_fraction,
            seed=self.split_seed,
            source=str(source),
        )
        self._spec = {
            "num_nodes": int(self.graph.num_nodes),
            "num_edges": int(len(self.split.train_edges)),
            "num_edges_full": int(self.graph.num_edges),
            "source": "embedded:cora_ml" if self.path is None else str(source),
        }

    @property
    def train_adjacency(self) -> sp.csr_matrix:
        """Symmetric binary adjacency of the training graph (after ``setup``)."""
        if self.split is None:
            raise GanforgeError("GraphDataModule.train_adjacency used before setup('fit')")
        return self.split.train_adjacency

    def train_statistics(self) -> dict[str, float]:
        """Statistics of the training graph (computed once, and cached on disk across runs)."""
        if self._train_stats is None:
            self._train_stats = cached_graph_statistics(self.train_adjacency)
        return self._train_stats

    def train_dataloader(self) -> DataLoader:
        """Endless already-batched stream (``batch_size=None``): walks or the full edge lists."""
        if self.train_input == "walks":
            walker = RandomWalker(self.train_adjacency, walk_length=self.walk_length, p=self.p, q=self.q)
            dataset: IterableDataset = WalkStream(walker, self.batch_size)
        else:
            dataset = EdgeStream(self.train_adjacency)
        return DataLoader(dataset, batch_size=None, num_workers=self.num_workers,
                          worker_init_fn=loader_worker_init if self.num_workers > 0 else None)
