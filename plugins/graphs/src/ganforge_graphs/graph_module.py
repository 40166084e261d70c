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

from ganforge import AdversarialModule
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


def numpy_rng_from_torch() -> np.random.Generator:
    """A numpy generator seeded from the torch RNG, so ``ganforge.utils.seeded`` fixes assembly too."""
    return np.random.default_rng(int(torch.randint(0, 2**62, (1,)).item()))


class GraphGenerativeModule(AdversarialModule):
    """Base of the graph models (see the module docstring)."""

    def __init__(self, cfg: Any, spec: Mapping[str, Any]):
        super().__init__(cfg, spec)
        for key in ("num_nodes", "num_edges"):
            if key not in spec:
                raise GanforgeError(f"graph model spec lacks '{key}'; expected a spec from GraphDataModule")
        self.num_nodes = int(spec["num_nodes"])
        self.num_edges = int(spec["num_edges"])
        stopping = self.cfg.model.get("stopping", {}) or {}
        self.criterion = str(stopping.get("criterion", "eo"))
        if self.criterion not in STOPPING_CRITERIA:
            raise choices_error("model.stopping.criterion", self.criterion, STOPPING_CRITERIA)
        self.eo_threshold = float(stopping.get("eo_threshold", 0.52))
        self.patience = int(stopping.get("patience", 5))
        self.stop_eval_every = int(stopping.get("eval_every", 500))
        self.stopped = False
        self.best_val = -float("inf")
        self.evals_without_improvement = 0
        self._best_state: dict[str, torch.Tensor] | None = None
        self.check_seconds = 0.0  # wall time spent in stopping checks (logged as time/checks_s)

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
        if data is None or self.stop_eval_every <= 0:
            return
        at_end = self.max_steps is not None and self.g_step >= self.max_steps
        if self.g_step % self.stop_eval_every == 0:
            generator = self.generator
            was_training = generator.training
            generator.eval()
            # A fixed seed per step: the check neither consumes the training RNG streams (resumed
            # runs stay identical) nor differs between DDP ranks.
            start = time.perf_counter()
            with torch.no_grad(), seeded(int(self.cfg.get("seed", 0)) + self.g_step, self.device):
                metrics = self.evaluate_scores(self.check_scores(generator), data)
            generator.train(was_training)
            self.check_seconds += time.perf_counter() - start
            values = {f"stop/{k}": v for k, v in metrics.items() if not k.startswith("lp/test")}
            self.log_check({**values, "time/checks_s": self.check_seconds})
            self._apply_criterion(metrics)
            self.stopped = bool(self.trainer.strategy.broadcast(self.stopped, src=0))
        if (self.stopped or at_end) and self.criterion == "val" and self._best_state is not None:
            self.generator.load_state_dict(self._best_state)

    def log_check(self, values: dict[str, float]) -> None:
        """Send one check's values to the loggers at this step (not averaged like ``record``)."""
        self.log_now(values)

    def _apply_criterion(self, metrics: Mapping[str, float]) -> None:
        if self.criterion == "eo" and metrics["eo/train"] >= self.eo_threshold:
            self.stopped = True
        elif self.criterion == "val" and "lp/val/auc" in metrics:
            score = metrics["lp/val/auc"] + metrics["lp/val/ap"]
            if score > self.best_val:
                self.best_val = score
                self.evals_without_improvement = 0
                self._best_state = copy.deepcopy(self.generator.state_dict())
            else:
                self.evals_without_improvement += 1
                if self.evals_without_improvement >= self.patience:
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
