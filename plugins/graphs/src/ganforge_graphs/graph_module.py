"""What NetGAN and CELL share: score matrix -> graph, evaluation, and early stopping.

Both models define a score matrix (NetGAN: transition counts of generated walks; CELL: stationary
edge probabilities) and assemble graphs from it with the training graph's edge count. Every
``model.stopping.eval_every`` generator steps the module assembles a graph and measures

* edge overlap (EO) with the training graph -- ``criterion: eo`` stops once it reaches
  ``eo_threshold`` (52% in the NetGAN paper);
* validation link-prediction ROC-AUC / AP from the scores -- ``criterion: val`` keeps the best
  generator weights by AUC + AP and stops after ``patience`` evaluations without improvement
  (the best weights are restored when training ends).

``criterion: none`` only logs them. Stopping works through :attr:`training_done`, which the core
consults after every batch.

Modules take flat, typed arguments (the stopping group as one frozen :class:`Stopping`); the
classmethods ``from_config`` are the builders that read a run config once.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from ganforge import AdversarialModule, GANSettings, schema
from ganforge.errors import GanforgeError, choices_error
from ganforge.utils import seeded
from ganforge_graphs.assembly import ScoreMatrix, assemble_graph
from ganforge_graphs.evaluation import edge_overlap, link_prediction_scores

STOPPING_CRITERIA = ("eo", "val", "none")


@dataclass
class GraphSamples:
    """Generated graphs plus, when the training data is at hand, the graph they imitate.

    Attributes:
        graphs: symmetric binary CSR adjacencies, all with ``num_edges`` edges.
        reference: the training graph (for degree plots), or ``None`` (e.g. in ``gan-sample``).
    """

    graphs: list[sp.csr_matrix]
    reference: sp.csr_matrix | None = None
    info: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.graphs)


@dataclass(frozen=True)
class Stopping:
    """``model.stopping``: when the module assembles a graph to check, and what stops training.

    Attributes:
        criterion: ``eo`` (stop at ``eo_threshold`` edge overlap), ``val`` (keep the best
            generator by validation AUC + AP, stop after ``patience`` checks without
            improvement) or ``none`` (log only).
        eo_threshold: edge overlap with the training graph that stops ``eo``.
        patience: ``val``: checks without improvement before stopping.
        eval_every: generator steps between checks (0: no checks).
    """

    # no ``choices`` here: the module's own check gives the domain's usual one-line message
    criterion: str = schema.spec()
    eo_threshold: float = schema.spec(ge=0, le=1)
    patience: int = schema.spec(ge=1)
    eval_every: int = schema.spec(ge=0)

    def __post_init__(self) -> None:
        if self.criterion not in STOPPING_CRITERIA:
            raise choices_error("model.stopping.criterion", self.criterion, STOPPING_CRITERIA)

    @classmethod
    def from_config(cls, cfg: Any) -> Stopping:
        """The ``model.stopping`` group of a run config (every key required; defaults in the YAML)."""
        return schema.build(cls, cfg.model.stopping, "model.stopping")


def numpy_rng_from_torch() -> np.random.Generator:
    """A numpy generator seeded from the torch RNG, so ``ganforge.utils.seeded`` fixes assembly too."""
    return np.random.default_rng(int(torch.randint(0, 2**62, (1,)).item()))


class GraphGenerativeModule(AdversarialModule):
    """Base of the graph models (see the module docstring).

    Args:
        num_nodes: nodes of the training graph (and of every generated graph).
        num_edges: training edges: the edge count of every assembled graph.
        stopping: the periodic check and stopping criterion.
        check_seed: the checks run under the fixed seed ``check_seed + g_step`` (the run's ``seed``).
        eval_statistics: whether evaluations add graph statistics (``metrics.statistics``).
        settings: the core loop's typed settings.
    """

    def __init__(self, *, num_nodes: int, num_edges: int, stopping: Stopping, check_seed: int, eval_statistics: bool,
                 settings: GANSettings):
        super().__init__(settings)
        self.num_nodes = int(num_nodes)
        self.num_edges = int(num_edges)
        self.stopping = stopping
        self.check_seed = int(check_seed)
        self.eval_statistics = bool(eval_statistics)
        self.stopped = False
        self.best_val = -float("inf")
        self.evals_without_improvement = 0
        self._best_state: dict[str, torch.Tensor] | None = None
        self.check_seconds = 0.0  # wall time spent in stopping checks (logged as time/checks_s)

    @staticmethod
    def common_arguments(cfg: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
        """The base's arguments from a run config and the data spec (for the subclasses' builders)."""
        for key in ("num_nodes", "num_edges"):
            if key not in spec:
                raise GanforgeError(f"graph model spec lacks '{key}'; expected a spec from GraphDataModule")
        return {
            "num_nodes": int(spec["num_nodes"]),
            "num_edges": int(spec["num_edges"]),
            "stopping": Stopping.from_config(cfg),
            "check_seed": int(cfg.seed),
            "eval_statistics": bool(cfg.metrics.statistics),
            "settings": GANSettings.from_config(cfg),
        }

    # ------------------------------------------------------------------ scores and graphs
    def score_matrix(self, generator: torch.nn.Module) -> ScoreMatrix:
        """The model's symmetric edge scores (subclasses implement)."""
        raise NotImplementedError

    def training_data(self):
        """The attached ``GraphDataModule`` during training, else ``None``."""
        try:
            trainer = self.trainer
        except RuntimeError:
            return None
        return getattr(trainer, "datamodule", None) if trainer is not None else None

    def assemble(self, scores: ScoreMatrix) -> sp.csr_matrix:
        """One graph with the training graph's edge count from ``scores``."""
        return assemble_graph(scores, self.num_edges, seed=numpy_rng_from_torch())

    def check_scores(self, generator: torch.nn.Module) -> ScoreMatrix:
        """Scores of a stopping check (default: :meth:`score_matrix`; NetGAN reuses its training walks)."""
        return self.score_matrix(generator)

    def fresh_scores_per_graph(self) -> bool:
        """Whether each sampled graph needs a new score matrix (True for stochastic scores)."""
        return True

    def generate(self, generator: torch.nn.Module, n: int, **options: Any) -> GraphSamples:
        """Assemble ``n`` graphs (``gan-sample`` takes no model options here)."""
        if options:
            raise GanforgeError(f"{type(self).__name__}: unknown sampling option(s) {sorted(options)}")
        graphs = []
        scores = None
        for _ in range(n):
            if scores is None or self.fresh_scores_per_graph():
                scores = self.score_matrix(generator)
            graphs.append(self.assemble(scores))
        data = self.training_data()
        reference = data.train_adjacency if data is not None and getattr(data, "split", None) is not None else None
        return GraphSamples(graphs, reference)

    # ------------------------------------------------------------------ evaluation
    def evaluate_scores(self, scores: ScoreMatrix, data, graph: sp.csr_matrix | None = None) -> dict[str, float]:
        """EO of an assembled graph with the training graph and val/test link prediction."""
        graph = self.assemble(scores) if graph is None else graph
        split = data.split
        out = {"eo/train": edge_overlap(split.train_adjacency, graph)}
        for name, edges, non_edges in (
            ("val", split.val_edges, split.val_non_edges),
            ("test", split.test_edges, split.test_non_edges),
        ):
            if len(edges) and len(non_edges):
                lp = link_prediction_scores(scores, edges, non_edges)
                out[f"lp/{name}/auc"] = lp["auc"]
                out[f"lp/{name}/ap"] = lp["ap"]
        return out

    # ------------------------------------------------------------------ early stopping
    @property
    def training_done(self) -> bool:
        """Done when the core says so or when the stopping criterion fired."""
        return self.stopped or super().training_done

    def check_stopping(self) -> None:
        """After a generator step: evaluate every ``eval_every`` steps and apply the criterion."""
        data = self.training_data()
        if data is None or self.stopping.eval_every <= 0:
            return
        at_end = self.max_steps is not None and self.g_step >= self.max_steps
        if self.g_step % self.stopping.eval_every == 0:
            generator = self.generator
            was_training = generator.training
            generator.eval()
            # A fixed seed per step: the check neither consumes the training RNG streams (resumed
            # runs stay identical) nor differs between DDP ranks.
            start = time.perf_counter()
            with torch.no_grad(), seeded(self.check_seed + self.g_step, self.device):
                metrics = self.evaluate_scores(self.check_scores(generator), data)
            generator.train(was_training)
            self.check_seconds += time.perf_counter() - start
            values = {f"stop/{k}": v for k, v in metrics.items() if not k.startswith("lp/test")}
            self.log_check({**values, "time/checks_s": self.check_seconds})
            self._apply_criterion(metrics)
            self.stopped = bool(self.trainer.strategy.broadcast(self.stopped, src=0))
        if (self.stopped or at_end) and self.stopping.criterion == "val" and self._best_state is not None:
            self.generator.load_state_dict(self._best_state)

    def log_check(self, values: dict[str, float]) -> None:
        """Send one check's values to the loggers at this step (not averaged like ``record``)."""
        self.log_now(values)

    def _apply_criterion(self, metrics: Mapping[str, float]) -> None:
        if self.stopping.criterion == "eo" and metrics["eo/train"] >= self.stopping.eo_threshold:
            self.stopped = True
        elif self.stopping.criterion == "val" and "lp/val/auc" in metrics:
            score = metrics["lp/val/auc"] + metrics["lp/val/ap"]
            if score > self.best_val:
                self.best_val = score
                self.evals_without_improvement = 0
                self._best_state = copy.deepcopy(self.generator.state_dict())
            else:
                self.evals_without_improvement += 1
                if self.evals_without_improvement >= self.stopping.patience:
                    self.stopped = True

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        """Also store the stopping state."""
        super().on_save_checkpoint(checkpoint)
        checkpoint["ganforge_graphs"] = {
            "stopped": self.stopped,
            "best_val": self.best_val,
            "evals_without_improvement": self.evals_without_improvement,
        }

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        """Restore the stopping state."""
        super().on_load_checkpoint(checkpoint)
        state = checkpoint.get("ganforge_graphs", {})
        self.stopped = bool(state.get("stopped", False))
        self.best_val = float(state.get("best_val", -float("inf")))
        self.evals_without_improvement = int(state.get("evals_without_improvement", 0))
