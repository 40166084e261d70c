"""BLEU-n against a whole reference set, and Self-BLEU, with nltk's definitions.

Scores are nltk's ``sentence_bleu`` (smoothing ``method1``, uniform weights over
1..n-grams) averaged over the hypotheses, the convention of the SeqGAN/Texygen
evaluations, with the WHOLE test set as the references of every hypothesis.

Why not call ``nltk.translate.bleu_score.sentence_bleu`` directly: it recounts the n-grams
of every reference for every hypothesis (O(hypotheses x references)), which takes
minutes for a few thousand poems. BLEU's clipping only needs, for each n-gram, its
largest count in any single reference, so :class:`ReferenceIndex` computes those
maxima once. Everything else (the ``Fraction`` precisions, nltk's
``closest_ref_length``, ``brevity_penalty`` and ``SmoothingFunction().method1``) is nltk's
own code, and the tests check the scores equal ``sentence_bleu``'s.
"""

from __future__ import annotations

import functools
import math
import random
from collections import Counter
from collections.abc import Hashable, Sequence
from types import SimpleNamespace

Tokens = Sequence[Hashable]


@functools.cache
def _nltk() -> SimpleNamespace:
    """nltk's BLEU parts, imported on first use: nltk (with scikit-learn behind it) takes
    ~0.3 s to import, and every ``gan-run`` loads this plugin at composition, whatever the
    domain (the CLI's start-up time is a benchmark target, issue 16)."""
    from nltk.translate.bleu_score import Fraction, SmoothingFunction, brevity_penalty, closest_ref_length
    from nltk.util import ngrams

    return SimpleNamespace(Fraction=Fraction, smooth=SmoothingFunction().method1, brevity_penalty=brevity_penalty,
                           closest_ref_length=closest_ref_length, ngrams=ngrams)


def _ngram_counts(tokens: Tokens, n: int) -> Counter:
    return Counter(_nltk().ngrams(tokens, n)) if len(tokens) >= n else Counter()


class ReferenceIndex:
    """Per-n-gram maximum counts over a reference set (n = 1 .. ``max_n``).

    Also keeps, per n-gram, how many references reach the maximum and the second
    largest count, so that one reference can be left out exactly (Self-BLEU scores each
    sample against all the others).
    """

    def __init__(self, references: Sequence[Tokens], max_n: int):
        if not references:
            raise ValueError("BLEU needs at least one reference")
        self.max_n = int(max_n)
        self.references = [list(r) for r in references]
        # stats[n-1][ngram] = [max count, number of references at max, second-largest count]
        self.stats: list[dict] = [dict() for _ in range(self.max_n)]
        for ref in self.references:
            for n in range(1, self.max_n + 1):
                table = self.stats[n - 1]
                for gram, c in _ngram_counts(ref, n).items():
                    s = table.get(gram)
                    if s is None:
                        table[gram] = [c, 1, 0]
                    elif c > s[0]:
                        table[gram] = [c, 1, s[0]]
                    elif c == s[0]:
                        s[1] += 1
                    elif c > s[2]:
                        s[2] = c
        self.lengths = Counter(len(r) for r in self.references)

    def _max_count(self, n: int, gram: tuple, own: Counter | None) -> int:
        s = self.stats[n - 1].get(gram)
        if s is None:
            return 0
        if own is not None and s[1] == 1 and own.get(gram, 0) == s[0]:
            return s[2]
        return s[0]

    def sentence_bleu(self, hypothesis: Tokens, n: int | None = None, exclude: int | None = None) -> float:
        """nltk ``sentence_bleu`` of ``hypothesis`` (uniform weights up to ``n``, smoothing method1).

        ``exclude``: index of a reference to leave out (Self-BLEU).
        """
        n = self.max_n if n is None else n
        if not 1 <= n <= self.max_n:
            raise ValueError(f"n must be in 1..{self.max_n}, got {n}")
        hyp = list(hypothesis)
        lengths = self.lengths
        if exclude is not None:
            own_ref = self.references[exclude]
            lengths = lengths.copy()
            lengths[len(own_ref)] -= 1
            lengths = +lengths  # drop zero counts
            if not lengths:
                raise ValueError("Self-BLEU needs at least two samples")
        nltk = _nltk()
        p_n, numerators = [], []
        for k in range(1, n + 1):
            counts = _ngram_counts(hyp, k)
            own = _ngram_counts(self.references[exclude], k) if exclude is not None else None
            num = sum(min(c, self._max_count(k, g, own)) for g, c in counts.items())
            den = max(1, sum(counts.values()))
            numerators.append(num)
            p_n.append(nltk.Fraction(num, den, _normalize=False))
        if numerators[0] == 0:
            return 0.0
        hyp_len = len(hyp)
        # closest_ref_length only looks at reference lengths: give it one stand-in per distinct length.
        ref_len = nltk.closest_ref_length([[None] * length for length in lengths], hyp_len)
        bp = nltk.brevity_penalty(ref_len, hyp_len)
        p_n = nltk.smooth(p_n, references=None, hypothesis=hyp, hyp_len=hyp_len)
        weight = 1.0 / n
        return bp * math.exp(math.fsum(weight * math.log(p) for p in p_n if p > 0))


def bleu(hypotheses: Sequence[Tokens], references: Sequence[Tokens], n: int = 2) -> float:
    """Mean sentence BLEU-``n`` of ``hypotheses``, each against ALL ``references``."""
    if not hypotheses:
        raise ValueError("BLEU of an empty hypothesis set")
    index = ReferenceIndex(references, n)
    return sum(index.sentence_bleu(h, n) for h in hypotheses) / len(hypotheses)


def self_bleu(samples: Sequence[Tokens], n: int = 2, max_hypotheses: int | None = 500, seed: int = 0) -> float:
    """Self-BLEU-``n``: mean BLEU of a sample against all the OTHER samples (higher = less diverse).

    Scoring is exact per hypothesis; to bound the cost only ``max_hypotheses`` samples
    (a seeded random subset) are scored, each against all the other samples.
    """
    if len(samples) < 2:
        raise ValueError("Self-BLEU needs at least two samples")
    index = ReferenceIndex(samples, n)
    chosen = list(range(len(samples)))
    if max_hypotheses is not None and len(chosen) > max_hypotheses:
        chosen = sorted(random.Random(seed).sample(chosen, max_hypotheses))
    return sum(index.sentence_bleu(samples[i], n, exclude=i) for i in chosen) / len(chosen)
