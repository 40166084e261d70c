"""``MidiDataModule``: MIDI files -> fixed-length token windows for the sequence models.

``data.path`` is a folder of .mid/.midi files (read recursively) or ``null`` for the
embedded public-domain tunes. Files are split into train/test by a hash of their path
relative to the folder (stable across machines and runs), tokenized with
``data.tokenizer`` and cut into windows of ``seq_len`` tokens.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import pretty_midi
import torch
from ganforge.errors import GanforgeError
from ganforge.plugin import DataSpecMixin
from omegaconf import OmegaConf
from torch.utils.data import DataLoader, TensorDataset

from ganforge_midi.default_data import default_data_dir
from ganforge_midi.reading import read_midi_folder
from ganforge_midi.tokenizers import MidiTokenizer, tokenizer_from_spec

log = logging.getLogger(__name__)


def _plain(node: Any) -> Any:
    return OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node


def is_test_file(relative: str, test_fraction: float) -> bool:
    """Whether the file at ``relative`` path belongs to the test split (sha1 of the path)."""
    h = int(hashlib.sha1(relative.encode("utf-8")).hexdigest(), 16)
    return (h % 10_000) < round(test_fraction * 10_000)


def split_files(paths: list[str], test_fraction: float) -> tuple[list[str], list[str]]:
    """Train/test split of relative paths; both sides non-empty when there are two files or more."""
    if not 0.0 <= test_fraction < 1.0:
        raise GanforgeError(f"data.test_fraction: {test_fraction} must be in [0, 1)")
    test = [p for p in paths if is_test_file(p, test_fraction)]
    train = [p for p in paths if p not in set(test)]
    if len(paths) >= 2 and test_fraction > 0:
        ranked = sorted(paths, key=lambda p: hashlib.sha1(p.encode("utf-8")).hexdigest())
        if not test:  # tiny corpora: still hold one file out
            test, train = [ranked[0]], [p for p in paths if p != ranked[0]]
        elif not train:
            train, test = [ranked[-1]], [p for p in paths if p != ranked[-1]]
    return train, test


class MidiDataModule(DataSpecMixin, pl.LightningDataModule):
    """Token windows from a folder of MIDI files (see the module docstring).

    Spec (saved in checkpoints): ``tokenizer`` (its plain description), ``vocab_size``,
    ``seq_len``, ``num_train``, ``num_test``, ``source``.
    """

    def __init__(self, data_cfg: Any):
        super().__init__()
        self.data_cfg = data_cfg
        self.tokenizer: MidiTokenizer | None = None
        self.train_windows: torch.Tensor | None = None
        self.test_windows: torch.Tensor | None = None
        self.train_files: list[str] = []
        self.test_files: list[str] = []

    def _get(self, key: str, default: Any = None) -> Any:
        value = self.data_cfg.get(key, default) if self.data_cfg is not None else default
        return default if value is None else value

    def folder(self) -> Path:
        """The folder read: ``data.path`` or the embedded tunes."""
        path = self.data_cfg.get("path") if self.data_cfg is not None else None
        return default_data_dir() if path in (None, "") else Path(str(path)).expanduser()

    def _windows(self, scores: list[tuple[str, pretty_midi.PrettyMIDI]], augment: list[int]) -> list[list[int]]:
        tok = self.tokenizer
        hop = self.data_cfg.get("hop") if self.data_cfg is not None else None
        out: list[list[int]] = []
        for name, pm in scores:
            try:
                ids = tok.encode(pm)
            except GanforgeError as exc:
                raise GanforgeError(f"{name}: {exc}") from None
            for w in tok.windows(ids, hop=hop):
                out.append(w)
                for k in augment:
                    moved = tok.transpose_ids(w, k)
                    if moved is not None:
                        out.append(moved)
        return out

    def setup(self, stage: str | None = None) -> None:
        """Read, split, tokenize and window the data once (idempotent)."""
        if self.train_windows is not None:
            return
        tok_cfg = _plain(self._get("tokenizer", {"name": "melody88"}))
        self.tokenizer = tokenizer_from_spec(tok_cfg)
        folder = self.folder()
        corpus = read_midi_folder(folder, max_files=self.data_cfg.get("max_files"))
        by_rel = {p.relative_to(folder).as_posix(): pm for p, pm in corpus.scores}
        train_names, test_names = split_files(sorted(by_rel), float(self._get("test_fraction", 0.1)))
        augment = [int(k) for k in _plain(self._get("augment_semitones", [])) if int(k) != 0]
        train = self._windows([(n, by_rel[n]) for n in train_names], augment)
        test = self._windows([(n, by_rel[n]) for n in test_names], [])
        limit = self.data_cfg.get("limit")
        if limit:
            train = train[: int(limit)]
        if not train:
            raise GanforgeError(
                f"data.path: the MIDI files in folder '{folder}' gave no training window of "
                f"{self.tokenizer.seq_len} tokens (tokenizer {self.tokenizer.name}); use longer pieces or a smaller "
                f"data.tokenizer.seq_len"
            )
        if not test:  # no held-out file (one file, or test_fraction=0): evaluate on training windows
            log.warning("midi: no test windows under %s; metrics use the training windows", folder)
        self.train_files, self.test_files = train_names, test_names
        self.train_windows = torch.tensor(train, dtype=torch.long)
        self.test_windows = torch.tensor(test, dtype=torch.long) if test else self.train_windows
        log.info(
            "midi: %d train windows from %d files, %d test windows from %d files (%s, seq_len %d)",
            len(train), len(train_names), len(test), len(test_names), self.tokenizer.name, self.tokenizer.seq_len,
        )
        self._spec = {
            "tokenizer": self.tokenizer.to_spec(),
            "vocab_size": int(self.tokenizer.vocab_size),
            "seq_len": int(self.tokenizer.seq_len),
            "pad_id": int(self.tokenizer.pad_id),
            "num_train": len(train),
            "num_test": len(test),
            "source": "embedded" if self.data_cfg.get("path") in (None, "") else str(folder),
        }

    def train_dataloader(self) -> DataLoader:
        """Shuffled batches ``(tokens,)`` of ``LongTensor[B, seq_len]``; last partial batch dropped."""
        batch_size = min(int(self._get("batch_size", 64)), len(self.train_windows))
        workers = int(self._get("num_workers", 0))
        return DataLoader(
            TensorDataset(self.train_windows),
            batch_size=batch_size,
            shuffle=True,
            drop_last=True,
            num_workers=workers,
            persistent_workers=workers > 0,
        )
