"""Data modules of the sequence domains: token tensors, a tokenizer, and evaluation helpers.

Every data module holds ``train_tokens`` / ``test_tokens`` (``LongTensor[N, T]``), a
tokenizer, and a ``spec()`` with ``vocab_size``, ``seq_len``, ``start_token`` and the
tokenizer as plain data (saved in checkpoints). The models call
``progress_metrics(generator, n)`` during training (cheap metrics logged every
iteration) and the domain's ``evaluate`` calls ``final_metrics(generator, n)``.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

import lightning.pytorch as pl
import torch
from torch import Tensor
from torch.utils.data import DataLoader, TensorDataset

from ganforge.errors import GanforgeError
from ganforge.plugin import DataSpecMixin
from ganforge.utils import loader_worker_init

from .bleu import ReferenceIndex, self_bleu
from .generator import LSTMGenerator
from .oracle import build_oracle, nll_oracle, nll_test, oracle_samples
from .poetry import limit_length, read_poems, split_poems
from .tokenizer import CharTokenizer, IntegerTokenizer

log = logging.getLogger("ganforge_sequence")
#: Default ``data.max_len``: poems longer than this many characters are skipped (or truncated).
DEFAULT_MAX_LEN = 512


def _positive_int(cfg: Any, key: str, default: int | None = None, minimum: int = 1) -> int:
    value = cfg.get(key, default)
    try:
        ok = value is not None and int(value) == value and int(value) >= minimum
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise GanforgeError(f"data.{key}: expected an integer >= {minimum}, got {value!r}")
    return int(value)


class SequenceDataModule(DataSpecMixin, pl.LightningDataModule):
    """Base class: shuffled batches of ``train_tokens`` (one-element tuples ``(tokens,)``).

    Subclasses fill ``train_tokens``, ``test_tokens``, ``tokenizer`` and ``_spec`` in
    :meth:`load`. ``drop_last`` follows the official SeqGAN loader (``N // batch``
    batches per epoch) unless the data set is smaller than one batch.
    """

    def __init__(self, data_cfg: Any):
        super().__init__()
        self.data_cfg = data_cfg
        self.batch_size = _positive_int(data_cfg, "batch_size", 64)
        self.num_workers = int(data_cfg.get("num_workers", 0) or 0)
        self.train_tokens: Tensor | None = None
        self.test_tokens: Tensor | None = None
        self.tokenizer: Any = None

    def load(self) -> None:  # pragma: no cover - abstract
        """Fill ``train_tokens``, ``test_tokens``, ``tokenizer`` and ``_spec``."""
        raise NotImplementedError

    def setup(self, stage: str | None = None) -> None:
        """Load once (idempotent)."""
        if self.train_tokens is None:
            self.load()

    def train_dataloader(self) -> DataLoader:
        """Shuffled token batches."""
        n = self.train_tokens.shape[0]
        return DataLoader(
            TensorDataset(self.train_tokens),
            batch_size=self.batch_size,
            shuffle=True,
            drop_last=n >= self.batch_size,
            num_workers=self.num_workers,
            worker_init_fn=loader_worker_init if self.num_workers > 0 else None,
        )

    def positives(self, device: torch.device) -> Tensor:
        """All training sequences on ``device`` (the discriminator's positive examples)."""
        cache = getattr(self, "_positives", None)
        if cache is None or cache.device != torch.device(device):
            self._positives = self.train_tokens.to(device)
        return self._positives

    # Metric hooks, overridden per domain.
    def progress_metrics(self, generator: LSTMGenerator, n: int) -> dict[str, float]:
        """Cheap metrics logged during training."""
        return {"nll_test": nll_test(generator, self.test_tokens)}

    def final_metrics(self, generator: LSTMGenerator, n: int) -> dict[str, float]:
        """Metrics of a finished run (``metrics.json``)."""
        return self.progress_metrics(generator, n)


class OracleDataModule(SequenceDataModule):
    """The synthetic benchmark: training and held-out data sampled from the seeded oracle LSTM.

    Config (``data``): ``vocab_size`` (5000), ``seq_len`` (20), ``emb_dim``/``hidden_dim``
    (32), ``oracle_seed`` (which oracle), ``num_train`` (10,000), ``num_test`` (held-out,
    for NLL_test), ``sample_seed`` (which samples), ``batch_size`` (64). ``path`` must be
    null: the oracle itself is the data source.
    """

    def load(self) -> None:
        """Build the oracle and sample the train/test sets."""
        c = self.data_cfg
        if c.get("path") is not None:
            raise GanforgeError(
                f"data.path={c.get('path')}: the oracle domain generates its data from data.oracle_seed; expected null"
            )
        self.oracle_cfg = {
            "vocab_size": _positive_int(c, "vocab_size", 5000, minimum=2),
            "seq_len": _positive_int(c, "seq_len", 20, minimum=2),
            "emb_dim": _positive_int(c, "emb_dim", 32),
            "hidden_dim": _positive_int(c, "hidden_dim", 32),
            "seed": int(c.get("oracle_seed", 0)),
        }
        n_train = _positive_int(c, "num_train", 10000)
        n_test = _positive_int(c, "num_test", 10000)
        seed = int(c.get("sample_seed", 1))
        self.oracle = build_oracle(**self.oracle_cfg)
        # Distinct seeds for the two sets: the held-out samples are independent draws.
        self.train_tokens = oracle_samples(self.oracle, n_train, seed)
        self.test_tokens = oracle_samples(self.oracle, n_test, seed + 1_000_003)
        self.tokenizer = IntegerTokenizer(self.oracle_cfg["vocab_size"])
        self._spec = {
            "vocab_size": self.oracle_cfg["vocab_size"],
            "seq_len": self.oracle_cfg["seq_len"],
            "start_token": 0,
            "tokenizer": self.tokenizer.to_spec(),
            "oracle": dict(self.oracle_cfg),
            "num_train": n_train,
            "num_test": n_test,
        }

    def _oracle_on(self, device: torch.device) -> LSTMGenerator:
        if self.oracle.output.weight.device != torch.device(device):
            self.oracle = self.oracle.to(device)
        return self.oracle

    def progress_metrics(self, generator: LSTMGenerator, n: int) -> dict[str, float]:
        """NLL_oracle of ``n`` generated sequences and NLL_test on the held-out oracle samples."""
        oracle = self._oracle_on(generator.output.weight.device)
        return {
            "nll_oracle": nll_oracle(oracle, generator.sample(n)),
            "nll_test": nll_test(generator, self.test_tokens),
        }

    def final_metrics(self, generator: LSTMGenerator, n: int) -> dict[str, float]:
        """Progress metrics plus ``nll_oracle_real``: the oracle's NLL of its own held-out samples (the floor)."""
        out = self.progress_metrics(generator, n)
        out["nll_oracle_real"] = nll_oracle(self._oracle_on(generator.output.weight.device), self.test_tokens)
        return out


class PoetryDataModule(SequenceDataModule):
    """Character-level poems: ``data.path`` file/folder (one poem per line) or the embedded quatrains.

    Config (``data``): ``path`` (null = embedded), ``test_path`` (null = hold out
    ``test_fraction`` of ``path`` with ``split_seed``), ``max_len`` (poems longer than this
    many characters are skipped, or cut with ``too_long: truncate``, with a count), ``seq_len``
    (null = longest training poem; longer poems are an error), ``min_count`` (rarer characters become ``<unk>``),
    ``lines`` (verses per poem in exported files), ``limit`` (use at most this many poems),
    ``batch_size``.
    """

    def load(self) -> None:
        """Read, split, build the vocabulary and encode."""
        c = self.data_cfg
        max_len = _positive_int(c, "max_len", DEFAULT_MAX_LEN, minimum=2)
        too_long = str(c.get("too_long", "skip"))
        where = f"data.path={c.get('path') or 'embedded'}"
        poems = limit_length(read_poems(c.get("path"), "data.path"), max_len, too_long, where)
        if c.get("limit") is not None:
            poems = poems[: _positive_int(c, "limit", minimum=2)]
        if c.get("test_path") is not None:
            test_where = f"data.test_path={c.get('test_path')}"
            train, test = poems, limit_length(read_poems(c.get("test_path"), "data.test_path"), max_len, too_long, test_where)
        else:
            train, test = split_poems(poems, float(c.get("test_fraction", 0.1)), int(c.get("split_seed", 0)), where)
        self.tokenizer = CharTokenizer.build(train, min_count=_positive_int(c, "min_count", 1))
        longest = max(len(self.tokenizer.encode(p)) for p in train)
        seq_len = longest if c.get("seq_len") is None else _positive_int(c, "seq_len", minimum=2)
        too_long = [p for p in train if len(self.tokenizer.encode(p)) > seq_len]
        if too_long:
            raise GanforgeError(
                f"data.seq_len={seq_len}: {len(too_long)} training poem(s) are longer (e.g. '{too_long[0]}' has "
                f"{len(self.tokenizer.encode(too_long[0]))} characters); raise data.seq_len or set it to null"
            )
        if seq_len < 2:
            raise GanforgeError(f"{where}: poems of {seq_len} character(s) are too short; expected at least 2")
        cut = sum(len(self.tokenizer.encode(p)) > seq_len for p in test)
        if cut:
            log.warning("data: %d of %d test poem(s) are longer than seq_len=%d and are truncated for NLL_test/BLEU",
                        cut, len(test), seq_len)
        self.train_texts, self.test_texts = train, test
        self.train_tokens = torch.tensor([self.tokenizer.encode(p, seq_len) for p in train], dtype=torch.long)
        self.test_tokens = torch.tensor([self.tokenizer.encode(p, seq_len) for p in test], dtype=torch.long)
        self._spec = {
            "vocab_size": self.tokenizer.vocab_size,
            "seq_len": seq_len,
            "start_token": self.tokenizer.pad_id,
            "tokenizer": self.tokenizer.to_spec(),
            "lines": _positive_int(c, "lines", 4),
            "num_train": len(train),
            "num_test": len(test),
        }

    @cached_property
    def test_index(self) -> ReferenceIndex:
        """BLEU-2 reference index over the whole test set (built once)."""
        return ReferenceIndex([list(self.tokenizer.decode(t)) for t in self.test_tokens.tolist()], 2)

    def _bleu2(self, texts: list[str]) -> float:
        return sum(self.test_index.sentence_bleu(list(t), 2) for t in texts) / max(1, len(texts))

    def _generate_texts(self, generator: LSTMGenerator, n: int) -> list[str]:
        return [self.tokenizer.decode(t) for t in generator.sample(n).tolist()]

    def progress_metrics(self, generator: LSTMGenerator, n: int) -> dict[str, float]:
        """BLEU-2 of ``n`` generated poems against the whole test set, and NLL_test."""
        texts = self._generate_texts(generator, n)
        return {"bleu2": self._bleu2(texts), "nll_test": nll_test(generator, self.test_tokens)}

    def final_metrics(self, generator: LSTMGenerator, n: int) -> dict[str, float]:
        """BLEU-2, Self-BLEU-2 (generated and real), BLEU-2 of real training poems, NLL_test."""
        texts = self._generate_texts(generator, n)
        real = self.train_texts[:n]
        return {
            "bleu2": self._bleu2(texts),
            "bleu2_real": self._bleu2(real),
            "self_bleu2": self_bleu([list(t) for t in texts], 2, max_hypotheses=500),
            "self_bleu2_real": self_bleu([list(t) for t in real], 2, max_hypotheses=500),
            "nll_test": nll_test(generator, self.test_tokens),
        }
