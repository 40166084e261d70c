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
    """The graph from ``cfg.data`` (``path: null`` = embedded Cora-ML) and its training stream.

    Args:
        data_cfg: the ``data`` config node (path, allow_pickle, largest_component, val_fraction,
            test_fraction, split_seed, max_nodes, batch_size, num_workers, p, q).
        walk_length: nodes per training walk (``model.walk_length``).
        train_input: ``walks`` (NetGAN) or ``edges`` (CELL).

    Spec: ``num_nodes``, ``num_edges`` (training edges: the size of generated graphs),
    ``num_edges_full``, ``source``.
    """

    def __init__(self, data_cfg: Any, walk_length: int = 16, train_input: str = "walks"):
        super().__init__()
        if train_input not in TRAIN_INPUTS:
            raise choices_error("model.train_input", train_input, TRAIN_INPUTS)
        self.data_cfg = data_cfg
        self.walk_length = int(walk_length)
        self.train_input = train_input
        self.graph: CleanGraph | None = None
        self.split: LinkSplit | None = None
        self._train_stats: dict[str, float] | None = None

    def setup(self, stage: str | None = None) -> None:
        """Load, clean and split the graph once (idempotent)."""
        if self.graph is not None:
            return
        cfg = self.data_cfg
        path = cfg.get("path")
        source = embedded_cora_ml_path() if path is None else Path(str(path)).expanduser()
        loaded = load_graph(source, allow_pickle=bool(cfg.get("allow_pickle", False)))
        max_nodes = cfg.get("max_nodes")
        if max_nodes is not None and int(max_nodes) < 3:
            raise GanforgeError(f"data.max_nodes={max_nodes}: expected null or at least 3 nodes")
        self.graph = clean_graph(
            loaded.adjacency,
            loaded.labels,
            source=str(source),
            lcc=bool(cfg.get("largest_component", True)),
            max_nodes=None if max_nodes is None else int(max_nodes),
        )
        self.split = link_prediction_split(
            self.graph.adjacency,
            val_fraction=float(cfg.get("val_fraction", 0.10)),
            test_fraction=float(cfg.get("test_fraction", 0.05)),
            seed=int(cfg.get("split_seed", 0)),
            source=str(source),
        )
        self._spec = {
            "num_nodes": int(self.graph.num_nodes),
            "num_edges": int(len(self.split.train_edges)),
            "num_edges_full": int(self.graph.num_edges),
            "source": "embedded:cora_ml" if path is None else str(source),
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
            batch_size = int(self.data_cfg.get("batch_size", 128))
            if batch_size < 1:
                raise GanforgeError(f"data.batch_size={batch_size}: expected a positive number of walks")
            walker = RandomWalker(
                self.train_adjacency,
                walk_length=self.walk_length,
                p=float(self.data_cfg.get("p", 1.0)),
                q=float(self.data_cfg.get("q", 1.0)),
            )
            dataset: IterableDataset = WalkStream(walker, batch_size)
        else:
            dataset = EdgeStream(self.train_adjacency)
        n_workers = int(self.data_cfg.get("num_workers", 0))
        return DataLoader(dataset, batch_size=None, num_workers=n_workers,
                          worker_init_fn=loader_worker_init if n_workers > 0 else None)
