"""Mode-collapse signals of a token generator, logged with the progress metrics of every phase.

A collapsing generator shows it here before its samples look wrong: its per-token entropy
on its own samples falls, and fewer of its sequences and bigrams are distinct.
"""

from __future__ import annotations

import torch

from ganforge_sequence.generator import LSTMGenerator

#: sequences drawn for the statistics (cheap next to the domain metrics)
STAT_SAMPLES = 512


@torch.no_grad()
def generator_statistics(generator: LSTMGenerator, n: int = STAT_SAMPLES) -> dict[str, float]:
    """``gen/entropy`` (mean next-token entropy in nats along the generator's own samples),
    ``gen/unique`` (fraction of distinct sequences) and ``gen/distinct2`` (distinct bigrams /
    all bigrams) of ``n`` samples. Positions are whole sequences, padding included (every
    domain pads after the end token, and a generator that stops early changes them too)."""
    tokens = generator.sample(n)
    logp = torch.log_softmax(generator(tokens).float(), dim=-1)
    entropy = float(-(logp.exp() * logp).sum(-1).mean())
    rows = [tuple(r) for r in tokens.tolist()]
    bigrams = [(a, b) for r in rows for a, b in zip(r, r[1:])]
    return {
        "gen/entropy": entropy,
        "gen/unique": len(set(rows)) / max(1, len(rows)),
        "gen/distinct2": len(set(bigrams)) / max(1, len(bigrams)),
    }
