"""The SeqGAN discriminator: a CNN text classifier with many filter widths and a highway layer."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from ganforge.errors import GanforgeError

PAPER_FILTER_SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
PAPER_NUM_FILTERS = (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)


class Highway(nn.Module):
    """Highway layer ``y = t * relu(W_h x) + (1 - t) * x`` with gate ``t = sigmoid(W_t x + b)``.

    ``gate_bias`` is added to the gate pre-activation (the official SeqGAN call uses 0).
    """

    def __init__(self, size: int, gate_bias: float = 0.0):
        super().__init__()
        self.transform = nn.Linear(size, size)
        self.gate = nn.Linear(size, size)
        self.gate_bias = float(gate_bias)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the gated transform."""
        t = torch.sigmoid(self.gate(x) + self.gate_bias)
        return t * torch.relu(self.transform(x)) + (1.0 - t) * x


class CNNDiscriminator(nn.Module):
    """Token CNN classifier (Kim 2014 / Zhang & LeCun 2015 as used by SeqGAN).

    Embedding -> one 1-D convolution per filter width (ReLU, max over time) ->
    concatenation -> highway layer(s) -> dropout -> 2-class linear layer.
    :meth:`forward` returns the "real" logit ``z_real - z_fake``, so
    ``sigmoid(logit)`` equals the 2-class softmax probability of "real" of the official
    code and BCE on it equals its cross-entropy.

    Args:
        vocab_size: number of token ids.
        seq_len: sequence length (every filter width must be <= seq_len).
        emb_dim: embedding size (paper: 64).
        filter_sizes / num_filters: convolution widths and their filter counts
            (paper: :data:`PAPER_FILTER_SIZES` / :data:`PAPER_NUM_FILTERS`).
        highway_layers: number of highway layers (paper: 1).
        dropout: drop probability before the output layer (paper: keep 0.75 -> 0.25).
        l2_reg: weight of the L2 penalty on the output layer (paper: 0.2), see :meth:`l2_penalty`.
    """

    def __init__(
        self,
        vocab_size: int,
        seq_len: int,
        emb_dim: int = 64,
        filter_sizes: Sequence[int] = PAPER_FILTER_SIZES,
        num_filters: Sequence[int] = PAPER_NUM_FILTERS,
        highway_layers: int = 1,
        dropout: float = 0.25,
        l2_reg: float = 0.2,
    ):
        super().__init__()
        filter_sizes, num_filters = list(filter_sizes), list(num_filters)
        if len(filter_sizes) != len(num_filters) or not filter_sizes:
            raise GanforgeError(
                f"model.discriminator: filter_sizes ({len(filter_sizes)} entries) and num_filters "
                f"({len(num_filters)} entries) must be non-empty lists of the same length"
            )
        too_wide = [w for w in filter_sizes if w > seq_len or w < 1]
        if too_wide:
            raise GanforgeError(
                f"model.discriminator.filter_sizes: widths {too_wide} do not fit sequences of length "
                f"{seq_len}; expected widths in 1..{seq_len}"
            )
        self.seq_len = int(seq_len)
        self.l2_reg = float(l2_reg)
        self.embedding = nn.Embedding(vocab_size, emb_dim)
        self.convs = nn.ModuleList(nn.Conv1d(emb_dim, n, w) for w, n in zip(filter_sizes, num_filters, strict=True))
        total = sum(num_filters)
        self.highways = nn.ModuleList(Highway(total) for _ in range(highway_layers))
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(total, 2)
        self._init_like_official()

    @torch.no_grad()
    def _init_like_official(self) -> None:
        """Embedding U(-1, 1); conv/output weights truncated N(0, 0.1^2) with bias 0.1 (official code)."""
        nn.init.uniform_(self.embedding.weight, -1.0, 1.0)
        for layer in [*self.convs, self.classifier]:
            nn.init.trunc_normal_(layer.weight, std=0.1, a=-0.2, b=0.2)
            nn.init.constant_(layer.bias, 0.1)

    def features(self, tokens: Tensor) -> Tensor:
        """Max-over-time pooled convolution features after the highway layers (``[B, sum(filters)]``)."""
        x = self.embedding(tokens).transpose(1, 2)  # [B, E, T]
        pooled = [torch.relu(conv(x)).amax(dim=2) for conv in self.convs]
        h = torch.cat(pooled, dim=1)
        for hw in self.highways:
            h = hw(h)
        return h

    def class_logits(self, tokens: Tensor) -> Tensor:
        """The 2-class logits ``[B, 2]`` (column 1 = real)."""
        return self.classifier(self.dropout(self.features(tokens)))

    def forward(self, tokens: Tensor) -> Tensor:
        """The "real" logit ``[B]`` for token ids ``[B, T]``."""
        z = self.class_logits(tokens)
        return z[:, 1] - z[:, 0]

    def l2_penalty(self) -> Tensor:
        """``l2_reg * (||W||^2 + ||b||^2) / 2`` over the output layer (TF's ``l2_loss`` convention)."""
        w, b = self.classifier.weight, self.classifier.bias
        return self.l2_reg * 0.5 * (w.pow(2).sum() + b.pow(2).sum())
