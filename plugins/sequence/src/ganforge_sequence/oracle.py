"""The synthetic oracle of the SeqGAN paper and its metrics NLL_oracle and NLL_test.

The oracle is a randomly initialised LSTM (vocabulary 5000, length 20, embedding and
hidden size 32, every parameter drawn from N(0, 1)) that plays the role of the "real"
data distribution: training data are its samples, and a generator is judged by how
likely the oracle finds the generator's samples (NLL_oracle, lower is better) and how
likely the generator finds held-out oracle samples (NLL_test, which rises when the
generator collapses onto a few modes).
"""

from __future__ import annotations

import torch
from torch import Tensor

from .generator import LSTMGenerator

#: Paper Table 1 (NLL_oracle on the synthetic data): random 10.310, MLE 9.038, SeqGAN 8.736.
PAPER_NLL_ORACLE = {"random": 10.310, "mle": 9.038, "seqgan": 8.736}


def build_oracle(
    vocab_size: int = 5000,
    seq_len: int = 20,
    emb_dim: int = 32,
    hidden_dim: int = 32,
    seed: int = 0,
    start_token: int = 0,
) -> LSTMGenerator:
    """The frozen oracle LSTM whose parameters are drawn from N(0, 1) by a seeded CPU generator.

    The same arguments give the same oracle on every machine, so only they (not the
    weights) need to be stored in a checkpoint.
    """
    oracle = LSTMGenerator(vocab_size, seq_len, emb_dim, hidden_dim, start_token=start_token, init_std=1.0)
    oracle.reset_parameters(1.0, generator=torch.Generator().manual_seed(int(seed)))
    oracle.requires_grad_(False)
    return oracle.eval()


def oracle_samples(oracle: LSTMGenerator, n: int, seed: int, batch_size: int = 2048) -> Tensor:
    """``n`` sequences sampled from the oracle with a seeded CPU random stream (``[n, T]``, on CPU)."""
    return oracle.sample(n, generator=torch.Generator().manual_seed(int(seed)), batch_size=batch_size).cpu()


@torch.no_grad()
def nll_oracle(oracle: LSTMGenerator, samples: Tensor, batch_size: int = 2048) -> float:
    """NLL_oracle: mean per-token negative log-likelihood of ``samples`` under the oracle."""
    return oracle.mean_nll(samples, batch_size=batch_size)


@torch.no_grad()
def nll_test(generator: LSTMGenerator, test_tokens: Tensor, batch_size: int = 2048) -> float:
    """NLL_test: the generator's mean per-token negative log-likelihood of held-out data."""
    return generator.mean_nll(test_tokens, batch_size=batch_size)
