"""Tokenizers: text <-> token ids, stored in checkpoints as plain data.

A tokenizer used with the SeqGAN models needs ``vocab_size``, ``encode(text, length)``,
``decode(ids)`` and ``to_spec()`` (a JSON-friendly dict with a ``kind`` key). The
checkpoint keeps that dict, and :func:`tokenizer_from_spec` rebuilds the object, so
``gan-sample`` needs no data set. Other plugins register their own kinds with
:func:`register_tokenizer`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ganforge.errors import GanforgeError, choices_error

PAD = "<pad>"
UNK = "<unk>"
#: How an unknown character is shown when decoding (the customary mark for a missing character).
UNK_GLYPH = "□"


class CharTokenizer:
    """Character-level vocabulary: id 0 = ``<pad>``, 1 = ``<unk>``, then characters by frequency.

    Every character (punctuation included) is one token; whitespace is not a token
    (files that separate characters with spaces read the same as unspaced ones).
    """

    kind = "char"

    def __init__(self, tokens: Sequence[str]):
        tokens = list(tokens)
        if tokens[:2] != [PAD, UNK]:
            raise ValueError(f"a CharTokenizer vocabulary starts with {PAD!r}, {UNK!r}; got {tokens[:2]}")
        self.tokens = tokens
        self.index = {tok: i for i, tok in enumerate(tokens)}
        if len(self.index) != len(tokens):
            raise ValueError("duplicate tokens in the vocabulary")

    @classmethod
    def build(cls, texts: Iterable[str], min_count: int = 1) -> CharTokenizer:
        """Vocabulary of the characters occurring at least ``min_count`` times (most frequent first)."""
        counts = Counter(ch for text in texts for ch in text if not ch.isspace())
        chars = sorted((c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c))
        return cls([PAD, UNK, *chars])

    @property
    def vocab_size(self) -> int:
        """Number of token ids."""
        return len(self.tokens)

    @property
    def pad_id(self) -> int:
        """Id of the padding token (also the generator's start input)."""
        return 0

    def encode(self, text: str, length: int | None = None) -> list[int]:
        """Ids of the characters of ``text`` (unknown -> ``<unk>``), padded/truncated to ``length``."""
        ids = [self.index.get(ch, 1) for ch in text if not ch.isspace()]
        if length is not None:
            ids = ids[:length] + [0] * max(0, length - len(ids))
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """Text of ``ids``: padding dropped, unknown ids shown as ``□``."""
        out = []
        for i in ids:
            i = int(i)
            if i == 0:
                continue
            out.append(self.tokens[i] if 1 < i < len(self.tokens) else UNK_GLYPH)
        return "".join(out)

    def to_spec(self) -> dict:
        """Plain-data description (saved in checkpoints)."""
        return {"kind": self.kind, "tokens": list(self.tokens)}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> CharTokenizer:
        """Rebuild from :meth:`to_spec` output."""
        return cls(spec["tokens"])


class IntegerTokenizer:
    """Identity vocabulary ``0 .. vocab_size-1`` written as space-separated integers (the oracle)."""

    kind = "integer"

    def __init__(self, vocab_size: int):
        self._vocab_size = int(vocab_size)

    @property
    def vocab_size(self) -> int:
        """Number of token ids."""
        return self._vocab_size

    def encode(self, text: str, length: int | None = None) -> list[int]:
        """Parse space-separated ids; raises :class:`GanforgeError` on a bad id."""
        ids = []
        for word in text.split():
            if not word.isdigit() or int(word) >= self._vocab_size:
                raise GanforgeError(f"token '{word}' is not an integer in 0..{self._vocab_size - 1}")
            ids.append(int(word))
        if length is not None:
            ids = ids[:length] + [0] * max(0, length - len(ids))
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """Space-separated ids."""
        return " ".join(str(int(i)) for i in ids)

    def to_spec(self) -> dict:
        """Plain-data description (saved in checkpoints)."""
        return {"kind": self.kind, "vocab_size": self._vocab_size}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> IntegerTokenizer:
        """Rebuild from :meth:`to_spec` output."""
        return cls(spec["vocab_size"])


_REGISTRY: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    CharTokenizer.kind: CharTokenizer.from_spec,
    IntegerTokenizer.kind: IntegerTokenizer.from_spec,
}


def register_tokenizer(kind: str, from_spec: Callable[[Mapping[str, Any]], Any]) -> None:
    """Make :func:`tokenizer_from_spec` understand ``{"kind": kind, ...}`` (for other plugins)."""
    _REGISTRY[kind] = from_spec


def tokenizer_from_spec(spec: Mapping[str, Any]) -> Any:
    """Rebuild a tokenizer from the plain dict stored in a checkpoint."""
    kind = spec.get("kind") if isinstance(spec, Mapping) else None
    if kind not in _REGISTRY:
        raise choices_error("tokenizer kind", kind, _REGISTRY, where="checkpoint spec.tokenizer")
    return _REGISTRY[kind](spec)
