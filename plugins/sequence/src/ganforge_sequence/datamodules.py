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
from ganforge.schema import build
from ganforge.utils import loader_worker_init

from .bleu import ReferenceIndex, self_bleu
from .generator import LSTMGenerator
from .oracle import build_oracle, nll_oracle, nll_test, oracle_samples
from .poetry import limit_length, read_poems, split_poems
from .schemas import OracleData, PoetryData
from .tokenizer import CharTokenizer, IntegerTokenizer

log = logging.getLogger("ganforge_sequence")


def checked_int(value: Any, key: str, minimum: int = 1, optional: bool = False) -> int | None:
    """``value`` as an int >= ``minimum`` (``None`` passes when ``optional``), else a one-line
    error naming ``data.<key>``: data modules built in Python skip the composition-time schema check."""
    if value is None and optional:
        return None
    try:
        ok = value is not None and not isinstance(value, bool) and int(value) == value and int(value) >= minimum
    except (TypeError, ValueError):
        ok = False
    if not ok:
        expected = f"null or an integer >= {minimum}" if optional else f"an integer >= {minimum}"
        raise GanforgeError(f"data.{key}: expected {expected}, got {value!r}")
    return int(value)


class SequenceDataModule(DataSpecMixin, pl.LightningDataModule):
    """Base class: shuffled batches of ``train_tokens`` (one-element tuples ``(tokens,)``).

    Subclasses take their own keyword arguments plus ``batch_size`` and ``num_workers``,
    provide the builder ``from_config(cfg)`` (a run config: each key read once, defaults
    in the domain YAML) and fill ``train_tokens``, ``test_tokens``, ``tokenizer`` and
    ``_spec`` in :meth:`load`. ``drop_last`` follows the official SeqGAN loader
    (``N // batch`` batches per epoch) unless the data set is smaller than one batch.
    """

    def __init__(self, *, batch_size: int, num_workers: int):
        super().__init__()
        self.batch_size = checked_int(batch_size, "batch_size")
        self.num_workers = checked_int(num_workers, "num_workers", minimum=0)
        self.train_tokens: Tensor | None = None
        self.test_tokens: Tensor | None = None
        self.tokenizer: Any = None

    @classmethod
    def from_config(cls, cfg: Any) -> SequenceDataModule:  # pragma: no cover - abstract
        """The builder: this data module from a composed run config."""
        raise NotImplementedError

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

    Args: the oracle's ``vocab_size``, ``seq_len``, ``emb_dim``, ``hidden_dim`` and
    ``oracle_seed`` (which oracle); ``num_train`` and ``num_test`` sequences (held out,
    for NLL_test) drawn with ``sample_seed``; ``batch_size``, ``num_workers``. Config:
    the same keys of ``data`` (``path`` must be null: the oracle itself is the data source).
    """

    def __init__(self, *, vocab_size: int, seq_len: int, emb_dim: int, hidden_dim: int, oracle_seed: int,
                 sample_seed: int, num_train: int, num_test: int, batch_size: int, num_workers: int):
        super().__init__(batch_size=batch_size, num_workers=num_workers)
        self.oracle_args = {
            "vocab_size": checked_int(vocab_size, "vocab_size", minimum=2),
            "seq_len": checked_int(seq_len, "seq_len", minimum=2),
            "emb_dim": checked_int(emb_dim, "emb_dim"),
            "hidden_dim": checked_int(hidden_dim, "hidden_dim"),
            "seed": checked_int(oracle_seed, "oracle_seed", minimum=0),
        }
        self.num_train = checked_int(num_train, "num_train")
        self.num_test = checked_int(num_test, "num_test")
        self.sample_seed = checked_int(sample_seed, "sample_seed", minimum=0)

    @classmethod
    def from_config(cls, cfg: Any) -> OracleDataModule:
        """The builder: ``cfg.data`` checked against :class:`~ganforge_sequence.schemas.OracleData`."""
        c = cfg.data
        if c.path is not None:
            raise GanforgeError(f"data.path={c.path}: the oracle domain generates its data from data.oracle_seed; expected null")
        d = build(OracleData, c, "data")
        return cls(vocab_size=d.vocab_size, seq_len=d.seq_len, emb_dim=d.emb_dim, hidden_dim=d.hidden_dim,
                   oracle_seed=d.oracle_seed, sample_seed=d.sample_seed, num_train=d.num_train, num_test=d.num_test,
                   batch_size=c.batch_size, num_workers=c.num_workers)

    def load(self) -> None:
        """Build the oracle and sample the train/test sets."""
        n_train, n_test, seed = self.num_train, self.num_test, self.sample_seed
        self.oracle = build_oracle(**self.oracle_args)
        # Distinct seeds for the two sets: the held-out samples are independent draws.
        self.train_tokens = oracle_samples(self.oracle, n_train, seed)
        self.test_tokens = oracle_samples(self.oracle, n_test, seed + 1_000_003)
        self.tokenizer = IntegerTokenizer(self.oracle_args["vocab_size"])
        self._spec = {
            "vocab_size": self.oracle_args["vocab_size"],
            "seq_len": self.oracle_args["seq_len"],
            "start_token": 0,
            "tokenizer": self.tokenizer.to_spec(),
            "oracle": dict(self.oracle_args),
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
    """Character-level poems: ``path`` file/folder (one poem per line) or the embedded quatrains.

    Args (the ``data`` keys of the same names): ``path`` (None = embedded), ``test_path``
    (None = hold out ``test_fraction`` of ``path`` with ``split_seed``), ``max_len`` (poems
    longer than this many characters are skipped, or cut with ``too_long="truncate"``,
    with a count), ``seq_len`` (None = longest training poem; longer poems are an error),
    ``min_count`` (rarer characters become ``<unk>``), ``lines`` (verses per poem in
    exported files), ``limit`` (None or use at most this many poems), ``batch_size``,
    ``num_workers``.
    """

    def __init__(self, *, path: str | None, test_path: str | None, test_fraction: float, split_seed: int,
                 limit: int | None, max_len: int, too_long: str, seq_len: int | None, min_count: int, lines: int,
                 batch_size: int, num_workers: int):
        super().__init__(batch_size=batch_size, num_workers=num_workers)
        self.path, self.test_path = path, test_path
        self.test_fraction, self.split_seed = float(test_fraction), int(split_seed)
        self.limit = checked_int(limit, "limit", minimum=2, optional=True)
        self.max_len = checked_int(max_len, "max_len", minimum=2)
        self.too_long = str(too_long)
        self.seq_len = checked_int(seq_len, "seq_len", minimum=2, optional=True)
        self.min_count = checked_int(min_count, "min_count")
        self.lines = checked_int(lines, "lines")

    @classmethod
    def from_config(cls, cfg: Any) -> PoetryDataModule:
        """The builder: ``cfg.data`` checked against :class:`~ganforge_sequence.schemas.PoetryData`."""
        c = cfg.data
        d = build(PoetryData, c, "data")
        return cls(path=c.path, test_path=c.test_path, test_fraction=d.test_fraction, split_seed=d.split_seed,
                   limit=c.limit, max_len=d.max_len, too_long=d.too_long, seq_len=d.seq_len, min_count=d.min_count,
                   lines=d.lines, batch_size=c.batch_size, num_workers=c.num_workers)

    def load(self) -> None:
        """Read, split, build the vocabulary and encode."""
        max_len, too_long = self.max_len, self.too_long
        where = f"data.path={self.path or 'embedded'}"
        poems = limit_length(read_poems(self.path, "data.path"), max_len, too_long, where)
        if self.limit is not None:
            poems = poems[: self.limit]
        if self.test_path is not None:
            test_where = f"data.test_path={self.test_path}"
            train, test = poems, limit_length(read_poems(self.test_path, "data.test_path"), max_len, too_long, test_where)
        else:
            train, test = split_poems(poems, self.test_fraction, self.split_seed, where)
        self.tokenizer = CharTokenizer.build(train, min_count=self.min_count)
        longest = max(len(self.tokenizer.encode(p)) for p in train)
        seq_len = longest if self.seq_len is None else self.seq_len
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
            "lines": self.lines,
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
