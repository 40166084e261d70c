"""SMILES <-> token ids with the standard atom-level regular expression.

The expression is the one of Schwaller et al. ("Molecular Transformer", ACS Cent. Sci.
2019), used by MOSES, GuacaMol and most SMILES language models: a bracket atom
(``[nH]``, ``[C@@H]``, ``[O-]``) is one token, ``Br``/``Cl`` are one token, every
ring-closure digit is a token and ``%nn`` is a two-digit ring closure. Characters the
expression does not cover make :meth:`SmilesTokenizer.tokenize` raise, so a SMILES
never loses characters silently.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ganforge_sequence.tokenizer import register_tokenizer

#: Atom-level SMILES tokens (Schwaller et al. 2019).
SMILES_REGEX = re.compile(
    r"(\[[^\]]+]|Br?|Cl?|N|O|S|P|F|I|b|c|n|o|s|p|\(|\)|\.|=|#|-|\+|\\|/|:|~|@|\?|>|\*|\$|%[0-9]{2}|[0-9])"
)
PAD, START, END, UNK = "<pad>", "<start>", "<end>", "<unk>"
SPECIALS = (PAD, START, END, UNK)


class SmilesTokenizationError(ValueError):
    """A SMILES string holds characters the atom-level expression does not cover."""


def tokenize(smiles: str) -> list[str]:
    """The atom-level tokens of ``smiles``; raises :class:`SmilesTokenizationError` if any character is left over."""
    tokens = SMILES_REGEX.findall(smiles)
    if sum(len(t) for t in tokens) != len(smiles):
        left = SMILES_REGEX.sub("", smiles)
        raise SmilesTokenizationError(f"SMILES {smiles!r}: characters {left!r} are not SMILES tokens")
    return tokens


class SmilesTokenizer:
    """Atom-level SMILES vocabulary: ``<pad>`` = 0, ``<start>`` = 1, ``<end>`` = 2, ``<unk>`` = 3, then tokens.

    ``encode(smiles, length)`` gives the tokens, ``<end>``, then ``<pad>`` up to
    ``length`` (the generator's first input is ``<start>``, so it is not part of the
    sequence). ``decode`` stops at the first ``<end>`` or ``<pad>``.
    """

    kind = "smiles"

    def __init__(self, tokens: Sequence[str]):
        tokens = list(tokens)
        if tuple(tokens[:4]) != SPECIALS:
            raise ValueError(f"a SmilesTokenizer vocabulary starts with {list(SPECIALS)}; got {tokens[:4]}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("duplicate tokens in the vocabulary")
        self.tokens = tokens
        self.index = {tok: i for i, tok in enumerate(tokens)}

    @classmethod
    def build(cls, smiles: Iterable[str]) -> SmilesTokenizer:
        """Vocabulary of every token of ``smiles`` (most frequent first, ties by name)."""
        counts = Counter(t for s in smiles for t in tokenize(s))
        return cls([*SPECIALS, *sorted(counts, key=lambda t: (-counts[t], t))])

    @property
    def vocab_size(self) -> int:
        """Number of token ids."""
        return len(self.tokens)

    @property
    def pad_id(self) -> int:
        """Id of ``<pad>``."""
        return 0

    @property
    def start_id(self) -> int:
        """Id of ``<start>`` (the generator's first input)."""
        return 1

    @property
    def end_id(self) -> int:
        """Id of ``<end>``."""
        return 2

    @property
    def unk_id(self) -> int:
        """Id of ``<unk>`` (tokens outside the vocabulary)."""
        return 3

    def length_of(self, smiles: str) -> int:
        """Number of ids ``smiles`` takes including ``<end>``."""
        return len(tokenize(smiles)) + 1

    def encode(self, smiles: str, length: int | None = None) -> list[int]:
        """Ids of the tokens of ``smiles`` then ``<end>``, padded/truncated to ``length``."""
        ids = [self.index.get(t, self.unk_id) for t in tokenize(smiles)] + [self.end_id]
        if length is not None:
            ids = ids[:length] + [self.pad_id] * max(0, length - len(ids))
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """The SMILES text of ``ids`` up to the first ``<end>``/``<pad>``; ``<start>``/``<unk>`` give ``?``."""
        out = []
        for i in ids:
            i = int(i)
            if i in (self.pad_id, self.end_id):
                break
            out.append(self.tokens[i] if 3 < i < len(self.tokens) else "?")
        return "".join(out)

    def is_complete(self, ids: Sequence[int]) -> bool:
        """Whether ``ids`` holds an ``<end>`` (a SMILES that did not run out of length)."""
        return self.end_id in [int(i) for i in ids]

    def to_spec(self) -> dict:
        """Plain-data description (saved in checkpoints)."""
        return {"kind": self.kind, "tokens": list(self.tokens)}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> SmilesTokenizer:
        """Rebuild from :meth:`to_spec` output."""
        return cls(spec["tokens"])


register_tokenizer(SmilesTokenizer.kind, SmilesTokenizer.from_spec)
