"""The graph domain's two models as ganforge modules: ``netgan`` and ``cell``."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ganforge import GANSettings, schema
from ganforge.errors import GanforgeError, choices_error
from ganforge_graphs.assembly import ScoreMatrix, score_matrix_from_walks
from ganforge_graphs.cell_model import CellModel
from ganforge_graphs.graph_module import GraphGenerativeModule, Stopping
from ganforge_graphs.netgan_networks import (
    NetGANDiscriminator,
    NetGANGenerator,
    gumbel_temperature,
    l2_penalty,
    projected_gradient_penalty,
)

#: Where NetGAN's stopping checks take their walks from (``model.eval_walks``).
EVAL_WALKS = ("window", "fresh")


@dataclass(frozen=True)
class Temperature:
    """``model.temperature``: the Gumbel-softmax schedule ``max(start * exp(-decay * step), min)``."""

    start: float = schema.spec(gt=0)
    decay: float = schema.spec(ge=0)
    min: float = schema.spec(gt=0)

    @classmethod
    def from_config(cls, cfg: Any) -> Temperature:
        """The ``model.temperature`` group of a run config (every key required; defaults in the YAML)."""
        return schema.build(cls, cfg.model.temperature, "model.temperature")


class NetGAN(GraphGenerativeModule):
    """NetGAN (Bojchevski et al., ICML 2018): a WGAN-GP over random walks.

    Uses the core's adversarial phase (``model.n_critic`` critic updates per generator update,
    ``loss: wgan``, ``gp_weight``) and adds NetGAN's L2 penalties (``l2_g``, ``l2_d``; ``W_down``
    included unless ``l2_w_down`` is false) and the Gumbel temperature ``max(t_start * exp(-t_decay * step), t_min)``.

    Args (``model`` keys of the same names): ``walk_length``, ``noise_dim``, ``g_hidden``,
    ``d_hidden``, ``down_size``, ``temperature`` (:class:`Temperature`), ``l2_g``, ``l2_d``,
    ``l2_w_down`` (the penalties cover the ``W_down`` matrices too, as the official TensorFlow
    code's do in effect: its exclusion tests for ``'W_down'`` in names spelt ``W_Down``),
    ``eval_transitions`` (transitions of generated walks counted into the score matrix of one
    graph), ``sample_batch`` (walks sampled at once: 512 ran 2.4x faster than 8,192 on a CPU),
    ``eval_walks`` (``window`` or ``fresh``, see :meth:`check_scores`) and ``eval_window``
    (generator steps); the rest as in :class:`GraphGenerativeModule`.
    """

    def __init__(self, *, num_nodes: int, num_edges: int, walk_length: int, noise_dim: int, g_hidden: int,
                 d_hidden: int, down_size: int, temperature: Temperature, l2_g: float, l2_d: float,
                 eval_transitions: int, sample_batch: int, eval_walks: str, eval_window: int,
                 stopping: Stopping, check_seed: int, eval_statistics: bool, settings: GANSettings,
                 l2_w_down: bool = True):
        super().__init__(num_nodes=num_nodes, num_edges=num_edges, stopping=stopping, check_seed=check_seed,
                         eval_statistics=eval_statistics, settings=settings)
        self.walk_length = int(walk_length)
        self.generator = NetGANGenerator(self.num_nodes, self.walk_length, int(noise_dim), int(g_hidden), int(down_size))
        self.discriminator = NetGANDiscriminator(self.num_nodes, int(d_hidden), int(down_size))
        self.t_start = float(temperature.start)
        self.t_decay = float(temperature.decay)
        self.t_min = float(temperature.min)
        self.l2_g = float(l2_g)
        self.l2_d = float(l2_d)
        self.l2_exclude = () if l2_w_down else ("W_down",)
        self.eval_transitions = int(eval_transitions)
        self.sample_batch = int(sample_batch)
        self.eval_walks = str(eval_walks)
        if self.eval_walks not in EVAL_WALKS:
            raise choices_error("model.eval_walks", self.eval_walks, EVAL_WALKS)
        self.eval_window = int(eval_window)
        if self.eval_window < 1:
            raise GanforgeError(f"model.eval_window: expected a number of generator steps >= 1, got {self.eval_window}")
        # The critic's fake walks of the last eval_window generator steps (n_critic batches each).
        self._walk_window: deque[torch.Tensor] = deque(maxlen=self.eval_window * self.n_critic)

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> NetGAN:
        """The builder: each ``model`` key read once (defaults in ``conf/model/netgan.yaml``)."""
        common = cls.common_arguments(cfg, spec)
        m = cfg.model
        return cls(
            walk_length=int(m.walk_length), noise_dim=int(m.noise_dim), g_hidden=int(m.g_hidden),
            d_hidden=int(m.d_hidden), down_size=int(m.down_size), temperature=Temperature.from_config(cfg),
            l2_g=float(m.l2_g), l2_d=float(m.l2_d),
            # true/false (the schema checks it; default in netgan.yaml). A run's config saved
            # before the key existed lacks it: that run excluded W_down, and None reads as False
            l2_w_down=bool(m.get("l2_w_down")),
            eval_transitions=int(float(m.eval_transitions)),  # float() lets 1.5e7 through
            sample_batch=int(m.sample_batch), eval_walks=str(m.eval_walks), eval_window=int(m.eval_window),
            **common,
        )

    @property
    def temperature(self) -> float:
        """Current Gumbel-softmax temperature (annealed by generator step)."""
        return gumbel_temperature(self.g_step, self.t_start, self.t_decay, self.t_min)

    def real_samples(self, batch: torch.Tensor) -> torch.Tensor:
        """Real walks as one-hot floats ``(B, T, N)`` (the critic and the penalty need them dense)."""
        return F.one_hot(batch, self.num_nodes).float()

    def batch_size_of(self, batch: torch.Tensor) -> int:
        """Walks per batch."""
        return int(batch.shape[0])

    def generator_forward(self, generator, batch: torch.Tensor) -> torch.Tensor:
        """Straight-through one-hot fake walks at the current temperature."""
        return generator(generator.noise(self.batch_size_of(batch)), self.temperature)

    def discriminator_loss(self, batch):
        """WGAN-GP critic loss plus NetGAN's L2 penalty on the critic.

        Real and (detached) fake walks are exact one-hot sequences, so the critic reads them by
        row lookups of ``W_down`` and the penalty is computed in the projected space
        (:func:`projected_gradient_penalty`, equal to the dense one-hot WGAN-GP).
        """
        real = batch
        # A hard Gumbel-softmax sample is a categorical draw: sample the indices directly.
        fake = self.generator.sample_walks(real.shape[0], batch_size=real.shape[0])
        if self.eval_walks == "window":
            self._walk_window.append(fake.to(torch.int32))
        d_real = self.discriminator(real)
        d_fake = self.discriminator(fake)
        loss = self.loss_fn.d_loss(d_real, d_fake)
        logs = {"loss/d": loss.detach(), "d/real": d_real.detach().mean(), "d/fake": d_fake.detach().mean()}
        if self.gp_weight > 0:
            with self.double_backward_context():  # cuDNN LSTMs cannot differentiate twice
                gp = projected_gradient_penalty(self.discriminator, real, fake)
            loss = loss + self.gp_weight * gp
            logs["loss/gp"] = gp.detach()
        return loss + self.l2_d * l2_penalty(self.discriminator, self.l2_exclude), logs

    def generator_loss(self, batch):
        """WGAN generator loss plus NetGAN's L2 penalty on the generator."""
        loss, logs = super().generator_loss(batch)
        logs["temperature"] = torch.tensor(self.temperature)
        return loss + self.l2_g * l2_penalty(self.generator, self.l2_exclude), logs

    def adversarial_step(self, batch, batch_idx: int) -> int:
        """The core's WGAN step, then the periodic EO / validation check."""
        units = super().adversarial_step(batch, batch_idx)
        if units:
            self.check_stopping()
        return units

    def check_scores(self, generator) -> ScoreMatrix:
        """Scores of a stopping check: by default (``model.eval_walks: window``) the transition
        counts of the walks the generator produced for the critic in the last ``eval_window``
        generator steps (the NetGAN paper's sliding window, already paid for), topped up with
        fresh walks while the window holds fewer than ``eval_transitions`` transitions;
        ``fresh``: ``eval_transitions`` newly sampled transitions, as for the final graph.
        """
        if self.eval_walks != "window" or generator is not self.generator:
            return self.score_matrix(generator)
        walks = [w.to("cpu", torch.long) for w in self._walk_window]
        have = sum(w.shape[0] for w in walks) * (self.walk_length - 1)
        if have < self.eval_transitions:
            missing = int(np.ceil((self.eval_transitions - have) / (self.walk_length - 1)))
            walks.append(generator.sample_walks(missing, batch_size=self.sample_batch).cpu())
        return score_matrix_from_walks(torch.cat(walks), self.num_nodes)

    def score_matrix(self, generator) -> ScoreMatrix:
        """Transition counts of ``eval_transitions`` freshly generated transitions (sparse)."""
        n_walks = max(1, int(np.ceil(self.eval_transitions / (self.walk_length - 1))))
        walks = generator.sample_walks(n_walks, batch_size=self.sample_batch)
        return score_matrix_from_walks(walks, self.num_nodes)


class Cell(GraphGenerativeModule):
    """CELL (Rendsburg et al., ICML 2020): the non-adversarial low-rank baseline.

    It has no discriminator: its phase kind ``cell`` (``cell_step``) makes one full-batch Adam
    step on the cross-entropy loss per training batch, and that step counts as the ganforge
    generator step (the low-rank transition model is the generator).

    Args (``model`` keys of the same names): ``rank`` (H) and ``block_entries`` (logits per row
    block, which bounds memory on large graphs); the rest as in :class:`GraphGenerativeModule`.
    """

    def __init__(self, *, num_nodes: int, num_edges: int, rank: int, block_entries: int, stopping: Stopping,
                 check_seed: int, eval_statistics: bool, settings: GANSettings):
        super().__init__(num_nodes=num_nodes, num_edges=num_edges, stopping=stopping, check_seed=check_seed,
                         eval_statistics=eval_statistics, settings=settings)
        self.generator = CellModel(self.num_nodes, int(rank), block_entries=int(block_entries))
        self.discriminator = None
        self._pi: torch.Tensor | None = None
        self._scores_cache: tuple[tuple[int, int, int], ScoreMatrix] | None = None

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> Cell:
        """The builder: each ``model`` key read once (defaults in ``conf/model/cell.yaml``)."""
        common = cls.common_arguments(cfg, spec)
        m = cfg.model
        return cls(rank=int(m.rank), block_entries=int(float(m.block_entries)), **common)

    def phase_handlers(self):
        """CELL trains in one ``cell`` phase (no adversarial game)."""
        return {"cell": self.cell_step}

    def cell_step(self, batch, batch_idx: int) -> int:
        """One Adam step on CELL's loss over the whole training graph."""
        src, dst = batch
        loss = self.generator.loss(src, dst)
        self.step_optimizer(self.g_optimizer, loss, None)
        self.record({"loss/cell": loss.detach()})
        self.after_generator_step()
        self.check_stopping()
        return 1

    def fresh_scores_per_graph(self) -> bool:
        """CELL's scores are deterministic given its weights: reuse them for several graphs."""
        return False

    def score_matrix(self, generator) -> ScoreMatrix:
        """Stationary edge scores; the previous stationary vector warm-starts the eigen-solver.

        The scores are a function of the weights, so they are kept until the weights change
        (a generator step, or their in-place version counters): the final sample and evaluation after the stopping
        check reuse that check's scores instead of recomputing them.
        """
        # The generator step is part of the key because torch's fused Adam (optim.fused,
        # the default) updates the weights without bumping their version counters; the
        # counters still catch other in-place changes (loading a checkpoint).
        key = (id(generator), self.g_step, generator.W_down._version, generator.W_up._version)
        if self._scores_cache is not None and self._scores_cache[0] == key:
            return self._scores_cache[1]
        init = self._pi if self._pi is not None and self._pi.numel() == generator.num_nodes else None
        scores = generator.score_matrix(init=init)
        self._pi = scores.pi
        self._scores_cache = (key, scores)
        return scores


MODELS = {"netgan": NetGAN, "cell": Cell}
