"""ORGAN (Guimaraes et al. 2017, "Objective-Reinforced Generative Adversarial Networks").

SeqGAN whose policy-gradient reward mixes the discriminator with a chemical objective:

    R(x) = lambda * D(x) + (1 - lambda) * O(x)

``lambda = 1`` is SeqGAN, ``lambda = 0`` pure reinforcement learning on the objective.
Only the reward differs from SeqGAN: the generator, discriminator, Monte-Carlo rollouts,
delayed rollout policy and training phases are the sequence plugin's, reached through
its public ``SeqGAN.reward_function`` hook.

Objectives (``model.organ.objective``), each in [0, 1], 0 for an invalid SMILES:

* ``qed``: QED as is.
* ``logp``: Crippen logP mapped linearly from [-2.12, 6.04] to [0, 1] and clipped
  (the normalisation of the ORGAN reference code).
* ``sa``: synthetic accessibility mapped from [5, 1.5] to [0, 1] and clipped (easy = 1).
* ``validity``: 1 for a valid molecule.

``model.organ.invalid``: ``total`` (default) makes the whole reward of an invalid SMILES
0, as the issue and most ORGAN re-implementations state it; ``objective`` zeroes only
the objective term (the reference code, where D still rewards invalid strings).

``model.organ.repeat_penalty`` (the paper's diversity fix): within each group of
sequences scored together (the batch, or the batch's completions of one prefix length
and rollout) the objective of a string that occurs ``c`` times is multiplied by
``unique_fraction / c``, as in the reference code's ``batch_reward``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ganforge import GANSettings
from ganforge.errors import GanforgeError, choices_error
from ganforge.schema import build
from ganforge_sequence.models import SeqGAN
from ganforge_sequence.schemas import (
    AdversarialOptions,
    DiscriminatorOptions,
    DPretrainOptions,
    GeneratorOptions,
    PolicyGradientOptions,
    SeqGANEvalOptions,
)

from .chem import logp, qed, sa, to_mol
from .schemas import OrganOptions
from .tokenizer import SmilesTokenizer

LOGP_RANGE = (-2.12178879609, 6.0429063424)
SA_RANGE = (5.0, 1.5)


def _remap(x: float, lo: float, hi: float) -> float:
    return float(np.clip((x - lo) / (hi - lo), 0.0, 1.0))


#: Objective name -> function of a valid RDKit molecule, in [0, 1].
OBJECTIVES: dict[str, Callable[[Any], float]] = {
    "qed": qed,
    "logp": lambda mol: _remap(logp(mol), *LOGP_RANGE),
    "sa": lambda mol: _remap(sa(mol), *SA_RANGE),
    "validity": lambda mol: 1.0,
}


class ObjectiveReward:
    """``O(x)`` of decoded SMILES (0 when invalid or unfinished), memoised per string.

    Rollouts score the same strings many times (long prefixes complete the same way),
    and QED costs about 1.5 ms a molecule, so values are cached up to ``cache_size``
    strings (then the cache starts over).
    """

    def __init__(self, objective: str, cache_size: int = 500_000):
        if objective not in OBJECTIVES:
            raise choices_error("ORGAN objective", objective, OBJECTIVES, where="model.organ.objective")
        self.objective = objective
        self.fn = OBJECTIVES[objective]
        self.cache: dict[str, tuple[bool, float]] = {}
        self.cache_size = int(cache_size)

    def score(self, smiles: str) -> tuple[bool, float]:
        """``(valid, objective)`` of one SMILES."""
        hit = self.cache.get(smiles)
        if hit is None:
            mol = to_mol(smiles)
            hit = (False, 0.0) if mol is None else (True, float(self.fn(mol)))
            if len(self.cache) >= self.cache_size:
                self.cache.clear()
            self.cache[smiles] = hit
        return hit

    def __call__(self, smiles: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Validity mask and objective values of ``smiles``."""
        scores = [self.score(s) for s in smiles]
        return np.array([v for v, _ in scores], dtype=bool), np.array([o for _, o in scores], dtype=np.float64)


def repeat_weights(smiles: list[str], group: int) -> np.ndarray:
    """ORGAN's diversity weights: ``unique_fraction / count`` within consecutive groups of ``group`` strings."""
    w = np.ones(len(smiles))
    group = group if group > 0 and len(smiles) % group == 0 else len(smiles)
    for start in range(0, len(smiles), group):
        chunk = smiles[start : start + group]
        counts = Counter(chunk)
        frac = len(counts) / len(chunk)
        w[start : start + group] = [frac / counts[s] for s in chunk]
    return w


class ORGAN(SeqGAN):
    """ORGAN: :class:`~ganforge_sequence.models.SeqGAN` with the reward ``lambda D(x) + (1 - lambda) O(x)``.

    Args (besides SeqGAN's, passed through unchanged):
        organ: ``model.organ`` -- ``objective`` (qed | logp | sa | validity), ``lambda_``
            in [0, 1] (config key ``lambda``), ``repeat_penalty``, ``invalid`` (total |
            objective), ``pg_lr`` (the learning rate of policy-gradient updates; None =
            ``optim.lr_g``, shared with MLE).
        batch_size: ``data.batch_size``, the group of the repeat penalty;
            ``pg.reward_batch`` must be a multiple of it.

    Needs SMILES data (a :class:`SmilesTokenizer`). :meth:`from_config` is the builder.
    """

    def __init__(self, *, vocab_size: int, seq_len: int, start_token: int, tokenizer: Any | None,
                 generator: GeneratorOptions, discriminator: DiscriminatorOptions, d_pretrain: DPretrainOptions,
                 adversarial: AdversarialOptions, pg: PolicyGradientOptions, evaluation: SeqGANEvalOptions,
                 separate_mle_optimizer: bool, seed: int, settings: GANSettings, organ: OrganOptions, batch_size: int):
        super().__init__(vocab_size=vocab_size, seq_len=seq_len, start_token=start_token, tokenizer=tokenizer,
                         generator=generator, discriminator=discriminator, d_pretrain=d_pretrain, adversarial=adversarial,
                         pg=pg, evaluation=evaluation, separate_mle_optimizer=separate_mle_optimizer, seed=seed,
                         settings=settings)
        if not isinstance(self.tokenizer, SmilesTokenizer):
            raise GanforgeError("model=organ: needs SMILES data (domain=molecules); the data spec has no SMILES tokenizer")
        try:
            self.lam = float(organ.lambda_)
        except (TypeError, ValueError):
            self.lam = float("nan")
        if not 0.0 <= self.lam <= 1.0:
            raise GanforgeError(f"model.organ.lambda: expected a number in [0, 1], got {organ.lambda_!r}")
        self.objective = ObjectiveReward(str(organ.objective))
        self.repeat_penalty = bool(organ.repeat_penalty)
        self.invalid_mode = str(organ.invalid)
        if self.invalid_mode not in ("total", "objective"):
            raise choices_error("ORGAN invalid-reward mode", self.invalid_mode, ("total", "objective"), where="model.organ.invalid")
        batch, reward_batch = int(batch_size), int(pg.reward_batch)
        if reward_batch % batch:
            raise GanforgeError(
                f"model.pg.reward_batch={reward_batch}: ORGAN needs a multiple of data.batch_size={batch} "
                "(the repeat penalty is computed per batch of completions)"
            )
        self._group = batch
        try:
            self.pg_lr = None if organ.pg_lr is None else float(organ.pg_lr)
        except (TypeError, ValueError):
            self.pg_lr = -1.0
        if self.pg_lr is not None and not self.pg_lr > 0:
            raise GanforgeError(f"model.organ.pg_lr: expected null or a number > 0, got {organ.pg_lr!r}")

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> ORGAN:
        """The builder: SeqGAN's arguments, ``model.organ`` typed by :class:`OrganOptions`,
        and ``data.batch_size``."""
        return cls(**cls.builder_arguments(cfg, spec), organ=build(OrganOptions, cfg.model.organ, "model.organ"),
                   batch_size=int(cfg.data.batch_size))

    def generator_update(self, batch: Any) -> int:
        """SeqGAN's policy-gradient update at ``model.organ.pg_lr`` (when set); remembers the
        batch size (the repeat-penalty group)."""
        self._group = self.batch_size_of(batch)
        if self.pg_lr is not None:
            # set per update: a resumed optimizer state carries the lr it was saved with
            for group in self.g_optimizer.param_groups:
                group["lr"] = self.pg_lr
        return super().generator_update(batch)

    def smiles_of(self, tokens: Tensor) -> list[str]:
        """Decoded rows; ``''`` (invalid) for a row that never ended."""
        tok = self.tokenizer
        out = []
        for row in tokens.tolist():
            out.append(tok.decode(row) if tok.end_id in row or tok.pad_id in row else "")
        return out

    def objective_reward(self, tokens: Tensor) -> tuple[Tensor, Tensor]:
        """``(valid, O(x) * repeat weight)`` of ``[N, T]`` token rows, as float tensors on the tokens' device."""
        smiles = self.smiles_of(tokens)
        valid, values = self.objective(smiles)
        if self.repeat_penalty:
            values = values * repeat_weights(smiles, self._group)
        dev = tokens.device
        return torch.from_numpy(valid).to(dev, torch.float32), torch.from_numpy(values).to(dev, torch.float32)

    def reward_function(self):
        """``lambda * D(x) + (1 - lambda) * O(x)``; the D term is skipped when ``lambda = 0``."""
        d_reward = super().reward_function() if self.lam > 0 else None
        if self.lam == 1.0 and self.invalid_mode == "objective":
            return d_reward  # exactly SeqGAN: no RDKit work at all

        def reward(tokens: Tensor) -> Tensor:
            valid, obj = self.objective_reward(tokens)
            total = (1.0 - self.lam) * obj
            if d_reward is not None:
                total = total + self.lam * d_reward(tokens).reshape(-1).float()
            if self.invalid_mode == "total":
                total = total * valid
            return total

        return reward
