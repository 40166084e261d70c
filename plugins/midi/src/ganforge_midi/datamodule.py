"""``MidiDataModule``: MIDI files -> fixed-length token windows for the sequence models.

``data.path`` is a folder of .mid/.midi files (read recursively) or ``null`` for the
embedded public-domain tunes. Files are split into train/test by a hash of their path
relative to the folder (stable across machines and runs), tokenized with the tokenizer
named by ``data.tokenizer`` (options in ``data.melody88`` / ``data.events``) and cut into
windows of ``seq_len`` tokens.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import pretty_midi
import torch
from omegaconf import OmegaConf

from ganforge.errors import GanforgeError, choices_error
from ganforge_midi.default_data import default_data_dir
from ganforge_midi.export import export_settings
from ganforge_midi.metrics import bleu4, music_metrics
from ganforge_midi.reading import read_midi_folder
from ganforge_midi.tokenizers import TOKENIZERS, MidiTokenizer, tokenizer_from_spec
from ganforge_sequence.datamodules import SequenceDataModule
from ganforge_sequence.oracle import nll_test

log = logging.getLogger(__name__)


def _plain(node: Any) -> Any:
    return OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node


def build_tokenizer(data_cfg: Any) -> MidiTokenizer:
    """The tokenizer named by ``data.tokenizer`` with its options from ``data.<name>`` (the
    domain YAML has a group per tokenizer); ``data.tokenizer`` may also be a full inline spec."""
    name = data_cfg.tokenizer
    if isinstance(name, Mapping) or OmegaConf.is_config(name):  # a full spec given inline
        return tokenizer_from_spec(_plain(name))
    if name not in TOKENIZERS:
        raise choices_error("tokenizer", name, TOKENIZERS, where="data.tokenizer")
    return tokenizer_from_spec({"name": name, **(_plain(data_cfg[name]) or {})})


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


class MidiDataModule(SequenceDataModule):
    """Token windows from a folder of MIDI files (see the module docstring).

    Built on the sequence plugin's :class:`SequenceDataModule` (batches of
    ``train_tokens``, ``positives`` for the discriminator, metric hooks called by the
    SeqGAN/MLE models). Spec (saved in checkpoints): ``tokenizer`` (plain description),
    ``vocab_size``, ``seq_len``, ``start_token``, ``export`` (tempo, program),
    ``bar_seconds``, ``num_train``, ``num_test``, ``source``.
    """

    def __init__(self, *, path: str | None, tokenizer: MidiTokenizer, hop: int | None, augment_semitones: Sequence[int],
                 test_fraction: float, max_files: int | None, max_seconds: float, limit: int | None,
                 beats_per_bar: float, export: Mapping[str, Any], batch_size: int, num_workers: int):
        super().__init__(batch_size=batch_size, num_workers=num_workers)
        self.path = None if path in (None, "") else str(path)
        self.tokenizer = tokenizer
        self.hop = hop
        self.augment = [int(k) for k in augment_semitones if int(k) != 0]
        self.test_fraction = float(test_fraction)
        self.max_files = max_files
        if isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float)) or not max_seconds > 0:
            raise GanforgeError(f"data.max_seconds={max_seconds!r}: expected a positive number of seconds")
        self.max_seconds = float(max_seconds)
        self.limit = limit
        self.beats_per_bar = float(beats_per_bar)
        self.export = export_settings(export)
        self.train_files: list[str] = []
        self.test_files: list[str] = []
        self.test_is_train = False

    @classmethod
    def from_config(cls, cfg: Any) -> MidiDataModule:
        """The builder: every ``data`` key of the midi domain YAML read once; the tokenizer
        built from ``data.tokenizer`` and its options group."""
        c = cfg.data
        return cls(path=c.path, tokenizer=build_tokenizer(c), hop=c.hop, augment_semitones=list(_plain(c.augment_semitones)),
                   test_fraction=c.test_fraction, max_files=c.max_files, max_seconds=c.max_seconds, limit=c.limit,
                   beats_per_bar=c.beats_per_bar, export=_plain(c.export), batch_size=c.batch_size,
                   num_workers=c.num_workers)

    def folder(self) -> Path:
        """The folder read: ``path`` or the embedded tunes."""
        return default_data_dir() if self.path is None else Path(self.path).expanduser()

    def _windows(self, scores: list[tuple[str, pretty_midi.PrettyMIDI]], augment: list[int]) -> list[list[int]]:
        tok, hop = self.tokenizer, self.hop
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

    def load(self) -> None:
        """Read, split, tokenize and window the data."""
        export = self.export
        folder = self.folder()
        corpus = read_midi_folder(folder, max_files=self.max_files, max_seconds=self.max_seconds)
        by_rel = {p.relative_to(folder).as_posix(): pm for p, pm in corpus.scores}
        train_names, test_names = split_files(sorted(by_rel), self.test_fraction)
        train = self._windows([(n, by_rel[n]) for n in train_names], self.augment)
        test = self._windows([(n, by_rel[n]) for n in test_names], [])
        if self.limit:
            train = train[: int(self.limit)]
        if not train:
            raise GanforgeError(
                f"data.path: the MIDI files in folder '{folder}' gave no training window of "
                f"{self.tokenizer.seq_len} tokens (tokenizer {self.tokenizer.name}); use longer pieces or a smaller "
                f"data.tokenizer.seq_len"
            )
        if not test:  # no held-out file (one file, or test_fraction=0): evaluate on training windows
            log.warning("midi: no test windows under %s; metrics use the training windows", folder)
        self.train_files, self.test_files = train_names, test_names
        self.test_is_train = not test
        self.train_tokens = torch.tensor(train, dtype=torch.long)
        self.test_tokens = torch.tensor(test, dtype=torch.long) if test else self.train_tokens
        log.info(
            "midi: %d train windows from %d files, %d test windows from %d files (%s, seq_len %d)",
            len(train), len(train_names), len(test), len(test_names), self.tokenizer.name, self.tokenizer.seq_len,
        )
        beats_per_bar = self.beats_per_bar
        self._spec = {
            "tokenizer": self.tokenizer.to_spec(),
            "vocab_size": int(self.tokenizer.vocab_size),
            "seq_len": int(self.tokenizer.seq_len),
            "start_token": int(self.tokenizer.pad_id),
            "export": export,
            "bar_seconds": beats_per_bar * 60.0 / export["tempo"],
            "num_train": len(train),
            "num_test": len(test),
            "source": "embedded" if self.path is None else str(folder),
        }

    # ------------------------------------------------------------------ metrics
    @cached_property
    def test_notes(self) -> list[list[pretty_midi.Note]]:
        """The decoded test windows (reference for the note statistics)."""
        tempo = self._spec["export"]["tempo"]
        return [self.tokenizer.decode(w, tempo=tempo) for w in self.test_tokens.tolist()]

    def _sample_metrics(self, generator: Any, n: int, full: bool) -> dict[str, float]:
        tok, spec = self.tokenizer, self._spec
        tokens = generator.sample(n).cpu().tolist()
        gen = [tok.strip_padding(t) for t in tokens]
        test = [tok.strip_padding(t) for t in self.test_tokens.tolist()]
        out = {"bleu4/test": bleu4(gen, test)}
        if not full:
            return out
        notes = [tok.decode(t, tempo=spec["export"]["tempo"]) for t in tokens]
        out.update(
            music_metrics(
                gen,
                notes,
                test,
                self.test_notes,
                bar_seconds=spec["bar_seconds"],
                duration=tok.seconds_per_window(spec["export"]["tempo"]),
                train_tokens=[tok.strip_padding(t) for t in self.train_tokens.tolist()],
            )
        )
        if hasattr(tok, "error_rate"):
            out["token_error_rate"] = float(sum(tok.error_rate(t) for t in tokens) / max(len(tokens), 1))
        return out

    def progress_metrics(self, generator: Any, n: int) -> dict[str, float]:
        """BLEU-4 of ``n`` samples against the test windows, and NLL_test."""
        return {**self._sample_metrics(generator, n, full=False), "nll_test": nll_test(generator, self.test_tokens)}

    def final_metrics(self, generator: Any, n: int) -> dict[str, float]:
        """BLEU-4, note statistics (generated and test), repeated/copied rates, NLL_test."""
        out = {**self._sample_metrics(generator, n, full=True), "nll_test": nll_test(generator, self.test_tokens)}
        out["test_is_train"] = float(self.test_is_train)
        return out
