"""``MoleculesDataModule``: SMILES files -> token tensors for the sequence models, and MOSES metrics.

``data.path`` is a CSV/SMI/TXT file of SMILES (see :mod:`ganforge_molecules.reading`) or
``null`` for the embedded 50,000-molecule MOSES training subset. The reference set of
the metrics (``FCD/test`` ...) is ``data.test_path``, else the embedded 10,000-molecule
MOSES test subset when ``data.path`` is null, else ``data.test_fraction`` of
``data.path`` held out with ``data.split_seed``.
"""

from __future__ import annotations

import logging
import random
import time
from functools import cached_property
from pathlib import Path
from typing import Any

import torch

from ganforge.errors import GanforgeError
from ganforge_sequence.datamodules import SequenceDataModule, checked_int
from ganforge_sequence.oracle import nll_test

from .chem import qed, rdkit_modules, to_mol
from .export import property_histograms
from .metrics import MoleculeStats, moses_metrics, reference_stats
from .reading import EMBEDDED_TEST, EMBEDDED_TRAIN, embedded_path, read_smiles_file
from .tokenizer import SmilesTokenizer, tokenize

log = logging.getLogger("ganforge")


def generated_smiles(tokens: torch.Tensor, tokenizer: SmilesTokenizer) -> list[str]:
    """Decoded SMILES of generated rows; a row that never emitted ``<end>`` (ran out of length) gives ``''`` (invalid)."""
    out = []
    for row in tokens.tolist():
        out.append(tokenizer.decode(row) if tokenizer.end_id in row or tokenizer.pad_id in row else "")
    return out


class MoleculesDataModule(SequenceDataModule):
    """Canonical SMILES as ``<tokens> <end> <pad>...`` rows (the generator's first input is ``<start>``).

    Args (the ``data`` keys of the same names): ``path``, ``test_path``, ``test_fraction``,
    ``split_seed``, ``limit`` (first N rows of the training file), ``test_limit`` (first N
    reference molecules), ``max_tokens`` (None = longest training molecule; longer ones
    are skipped with a summary line), ``d_positives`` (real examples per discriminator
    round; None = all), ``batch_size``, ``num_workers``; and of ``metrics``:
    ``progress_samples``, ``fcd``, ``n_jobs``, ``cache_dir`` (None: the ganforge cache).
    """

    def __init__(self, *, path: str | None, test_path: str | None, test_fraction: float, split_seed: int,
                 limit: int | None, test_limit: int | None, max_tokens: int | None, d_positives: int | None,
                 progress_samples: int, fcd: bool, n_jobs: int | str, cache_dir: str | None,
                 batch_size: int, num_workers: int):
        super().__init__(batch_size=batch_size, num_workers=num_workers)
        self.path = None if path in (None, "") else path
        self.test_path = None if test_path in (None, "") else test_path
        self.test_fraction, self.split_seed = float(test_fraction), int(split_seed)
        self.limit = checked_int(limit, "limit", minimum=2, optional=True)
        self.test_limit = checked_int(test_limit, "test_limit", minimum=2, optional=True)
        self.max_tokens = checked_int(max_tokens, "max_tokens", optional=True)
        self.d_positives = checked_int(d_positives, "d_positives", optional=True)
        self.progress_samples = checked_int(progress_samples, "progress_samples")
        self.fcd, self.n_jobs, self.cache_dir = bool(fcd), n_jobs, cache_dir
        self.train_smiles: list[str] = []
        self.test_smiles: list[str] = []

    @classmethod
    def from_config(cls, cfg: Any) -> MoleculesDataModule:
        """The builder: the ``data`` and ``metrics`` keys of the molecules domain YAML, read once."""
        c, m = cfg.data, cfg.metrics
        return cls(path=c.path, test_path=c.test_path, test_fraction=c.test_fraction, split_seed=c.split_seed,
                   limit=c.limit, test_limit=c.test_limit, max_tokens=c.max_tokens, d_positives=c.d_positives,
                   progress_samples=m.progress_samples, fcd=m.fcd, n_jobs=m.n_jobs, cache_dir=m.cache_dir,
                   batch_size=c.batch_size, num_workers=c.num_workers)

    def load(self) -> None:
        """Read, validate, split, build the vocabulary and encode."""
        path, limit, test_limit, cache = self.path, self.limit, self.test_limit, self.cache_dir
        train = read_smiles_file(embedded_path(EMBEDDED_TRAIN) if path is None else path, "data.path", limit, cache)
        smiles = train.smiles
        if self.test_path is not None:
            test = read_smiles_file(self.test_path, "data.test_path", test_limit, cache).smiles
        elif path is None:
            test = read_smiles_file(embedded_path(EMBEDDED_TEST), "data.test_path", test_limit, cache).smiles
        else:
            fraction = self.test_fraction
            if not 0.0 < fraction < 1.0:
                raise GanforgeError(f"data.test_fraction: {fraction} must be in (0, 1) when data.test_path is null")
            order = list(range(len(smiles)))
            random.Random(self.split_seed).shuffle(order)
            n_test = max(1, round(fraction * len(smiles)))
            if len(smiles) - n_test < 1:
                raise GanforgeError(f"data.path={path}: {len(smiles)} valid molecule(s) are too few to hold out a test split")
            held = set(order[:n_test])
            test = [s for i, s in enumerate(smiles) if i in held][:test_limit]
            smiles = [s for i, s in enumerate(smiles) if i not in held]
        lengths = [len(tokenize(s)) for s in smiles]
        max_tokens = self.max_tokens or max(lengths)
        kept = [s for s, n in zip(smiles, lengths) if n <= max_tokens]
        if len(kept) < len(smiles):
            log.warning("molecules: skipped %d of %d training molecules longer than data.max_tokens=%d tokens",
                        len(smiles) - len(kept), len(smiles), max_tokens)
        if not kept:
            raise GanforgeError(f"data.max_tokens={max_tokens}: every training molecule is longer; raise it or set it to null")
        self.train_smiles, self.test_smiles = kept, test
        self.tokenizer = SmilesTokenizer.build(kept)
        seq_len = max_tokens + 1  # room for <end>
        self.train_tokens = torch.tensor([self.tokenizer.encode(s, seq_len) for s in kept], dtype=torch.long)
        fit = [s for s in test if len(tokenize(s)) <= max_tokens]  # NLL_test only on molecules the model can write
        self.test_tokens = torch.tensor([self.tokenizer.encode(s, seq_len) for s in fit or kept[:1]], dtype=torch.long)
        log.info("molecules: %d training molecules, %d reference molecules, %d tokens, seq_len %d",
                 len(kept), len(test), self.tokenizer.vocab_size, seq_len)
        self._spec = {
            "vocab_size": self.tokenizer.vocab_size,
            "seq_len": seq_len,
            "start_token": self.tokenizer.start_id,
            "tokenizer": self.tokenizer.to_spec(),
            "num_train": len(kept),
            "num_test": len(test),
            "source": "embedded MOSES subset" if path is None else str(Path(str(path)).expanduser()),
        }

    def positives(self, device: torch.device) -> torch.Tensor:
        """The discriminator's real examples: all training molecules, or a fresh random
        ``data.d_positives`` of them per call (as many as the negatives when those are
        null), so a D round on a large data set stays balanced and affordable."""
        k = self.d_positives
        if k is None or k >= self.train_tokens.shape[0]:
            return super().positives(device)
        return self.train_tokens[torch.randperm(self.train_tokens.shape[0])[:k]].to(device)

    # ------------------------------------------------------------------ metrics
    @cached_property
    def train_set(self) -> set[str]:
        """Canonical training SMILES (novelty)."""
        return set(self.train_smiles)

    @cached_property
    def reference(self) -> MoleculeStats:
        """Statistics of the reference (test) molecules, cached under the cache dir."""
        return reference_stats(self.test_smiles, self.cache_dir, self.n_jobs)

    def progress_metrics(self, generator: Any, n: int) -> dict[str, float]:
        """Validity, uniqueness and mean QED of ``min(n, metrics.progress_samples)`` samples, and NLL_test."""
        n = min(n, self.progress_samples)
        texts = generated_smiles(generator.sample(n), self.tokenizer)
        pairs = [(s, m) for s in texts if (m := to_mol(s)) is not None]
        out = {"validity": len(pairs) / max(1, n), "nll_test": nll_test(generator, self.test_tokens)}
        if pairs:
            out["unique"] = len({rdkit_modules().Chem.MolToSmiles(m) for _, m in pairs}) / len(pairs)  # canonical, as MOSES
            out["qed/mean"] = sum(qed(m) for _, m in pairs) / len(pairs)
        return out

    def final_metrics(self, generator: Any, n: int) -> dict[str, float]:
        """The MOSES metrics of ``n`` samples (:func:`~ganforge_molecules.metrics.moses_metrics`), NLL_test,
        and ``samples/final_properties.png`` (QED/logP/SA/MW histograms vs the reference) in the run dir."""
        texts = generated_smiles(generator.sample(n), self.tokenizer)
        start = time.perf_counter()
        out, stats = moses_metrics(
            texts, self.reference, self.train_set, self.n_jobs, self.fcd
        )
        out["metrics_seconds"] = time.perf_counter() - start  # the MOSES metrics alone (reference cached)
        out["nll_test"] = nll_test(generator, self.test_tokens)
        trainer = getattr(self, "trainer", None)
        root = getattr(trainer, "default_root_dir", None) if trainer is not None else None
        if stats is not None and root:
            property_histograms(stats, self.reference, Path(root) / "samples" / "final_properties.png", out)
        return out
