"""Mode-collapse statistics of a token generator: a collapsed generator scores low, a uniform one high."""

from __future__ import annotations

import math

import torch

from ganforge_sequence.generator import LSTMGenerator
from ganforge_sequence.sample_stats import generator_statistics


def make_generator(vocab: int = 12) -> LSTMGenerator:
    torch.manual_seed(0)
    return LSTMGenerator(vocab_size=vocab, emb_dim=8, hidden_dim=8, seq_len=6)


def test_uniform_generator_has_full_entropy_and_diverse_samples():
    g = make_generator()
    with torch.no_grad():
        g.output.weight.zero_()
        g.output.bias.zero_()  # every next-token distribution uniform
    stats = generator_statistics(g, n=200)
    assert math.isclose(stats["gen/entropy"], math.log(12), rel_tol=1e-4)
    assert stats["gen/unique"] > 0.95 and stats["gen/distinct2"] > 0.05


def test_collapsed_generator_has_no_entropy_and_one_sequence():
    g = make_generator()
    with torch.no_grad():
        g.output.weight.zero_()
        g.output.bias.fill_(-30.0)
        g.output.bias[3] = 30.0  # always token 3
    stats = generator_statistics(g, n=100)
    assert stats["gen/entropy"] < 1e-6
    assert stats["gen/unique"] == 0.01 and stats["gen/distinct2"] == 1 / (100 * 5)
