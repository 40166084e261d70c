"""The SeqGAN generator: token embedding + LSTM + softmax over the vocabulary."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganforge.policy_gradient import sample_sequences


class LSTMGenerator(nn.Module):
    """Autoregressive LSTM over a token vocabulary (the SeqGAN generator, and the oracle).

    Implements the :class:`ganforge.policy_gradient.TokenPolicy` protocol (``initial_state``,
    ``start_tokens``, ``step``) so that the core's rollouts and policy-gradient loss drive
    it, plus a fast teacher-forced ``token_log_probs``. Every sequence has exactly
    ``seq_len`` tokens; the first input is ``start_token`` (as in the official code, where
    it is token 0 of the vocabulary).

    Args:
        vocab_size: number of token ids.
        seq_len: length of generated sequences.
        emb_dim: embedding size (paper: 32).
        hidden_dim: LSTM size (paper: 32).
        num_layers: stacked LSTM layers (paper: 1).
        start_token: id fed at the first step.
        init_std: std of the normal initialisation of every weight and bias (official
            code: 0.1; the oracle uses 1.0).
    """

    def __init__(
        self,
        vocab_size: int,
        seq_len: int,
        emb_dim: int = 32,
        hidden_dim: int = 32,
        num_layers: int = 1,
        start_token: int = 0,
        init_std: float = 0.1,
    ):
        super().__init__()
        if not 0 <= start_token < vocab_size:
            raise ValueError(f"start_token {start_token} outside the vocabulary [0, {vocab_size})")
        self.vocab_size = int(vocab_size)
        self.seq_len = int(seq_len)
        self.start_token = int(start_token)
        self.embedding = nn.Embedding(vocab_size, emb_dim)
        self.lstm = nn.LSTM(emb_dim, hidden_dim, num_layers=num_layers, batch_first=True)
        self.output = nn.Linear(hidden_dim, vocab_size)
        self.reset_parameters(init_std)

    @torch.no_grad()
    def reset_parameters(self, std: float = 0.1, generator: torch.Generator | None = None) -> None:
        """Draw every parameter from ``N(0, std^2)``.

        ``nn.LSTM`` has two bias vectors per gate where the paper's cell has one, so the
        hidden-to-hidden bias is zeroed to keep one ``N(0, std^2)`` bias per gate.
        """
        for name, p in self.named_parameters():
            if name.startswith("lstm.bias_hh"):
                p.zero_()
            else:
                p.copy_(torch.randn(p.shape, generator=generator) * std)

    # --- TokenPolicy protocol -------------------------------------------------------
    def initial_state(self, batch_size: int, device: torch.device) -> tuple[Tensor, Tensor]:
        """Zero ``(h, c)``, batch-first: each ``[B, layers, hidden]``."""
        shape = (batch_size, self.lstm.num_layers, self.lstm.hidden_size)
        dtype = self.output.weight.dtype
        return torch.zeros(shape, device=device, dtype=dtype), torch.zeros(shape, device=device, dtype=dtype)

    def start_tokens(self, batch_size: int, device: torch.device) -> Tensor:
        """``start_token`` for every row."""
        return torch.full((batch_size,), self.start_token, dtype=torch.long, device=device)

    def step(
        self, tokens: Tensor, state: tuple[Tensor, Tensor], out: Tensor | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """One LSTM step: logits ``[B, V]`` of the next token and the new batch-first state.

        ``out``: a ``[B, V]`` tensor the logits are written into (rollouts reuse one buffer).
        """
        # torch.lstm_cell on nn.LSTM's own weights: the same cell as the teacher-forced
        # pass, without nn.LSTM's per-call sequence packing and the [layers, B, H]
        # transposes (a rollout calls this hundreds of times per update).
        h, c = state
        x = self.embedding(tokens)
        hs, cs = [], []
        for layer in range(self.lstm.num_layers):
            x, c_l = torch.lstm_cell(
                x,
                (h[:, layer], c[:, layer]),
                getattr(self.lstm, f"weight_ih_l{layer}"),
                getattr(self.lstm, f"weight_hh_l{layer}"),
                getattr(self.lstm, f"bias_ih_l{layer}"),
                getattr(self.lstm, f"bias_hh_l{layer}"),
            )
            hs.append(x)
            cs.append(c_l)
        if out is None:
            logits = self.output(x)
        else:
            logits = torch.addmm(self.output.bias, x, self.output.weight.t(), out=out)
        if len(hs) == 1:
            return logits, (x.unsqueeze(1), cs[0].unsqueeze(1))
        return logits, (torch.stack(hs, dim=1), torch.stack(cs, dim=1))

    # --- teacher forcing --------------------------------------------------------------
    def forward(self, tokens: Tensor) -> Tensor:
        """Teacher-forced next-token logits ``[B, T, V]`` for target ``tokens`` ``[B, T]``."""
        start = self.start_tokens(tokens.shape[0], tokens.device).unsqueeze(1)
        inputs = torch.cat([start, tokens[:, :-1]], dim=1)
        out, _ = self.lstm(self.embedding(inputs))
        return self.output(out)

    def token_log_probs(self, tokens: Tensor) -> Tensor:
        """``log p(y_t | y_<t)`` for every token (``[B, T]``, differentiable)."""
        logp = torch.log_softmax(self(tokens).float(), dim=-1)
        return logp.gather(2, tokens.unsqueeze(2)).squeeze(2)

    def nll(self, tokens: Tensor, mask: Tensor | None = None) -> Tensor:
        """Mean negative log-likelihood per token (nats) of ``tokens`` -- the MLE loss."""
        lp = self.token_log_probs(tokens)
        if mask is None:
            return -lp.mean()
        mask = mask.to(lp.dtype)
        return -(lp * mask).sum() / mask.sum().clamp_min(1.0)

    @torch.no_grad()
    def sample(
        self,
        n: int,
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
        batch_size: int = 4096,
    ) -> Tensor:
        """Draw ``n`` sequences (``LongTensor[n, seq_len]``), ``batch_size`` rows at a time."""
        device = self.output.weight.device
        chunks = []
        for start in range(0, n, batch_size):
            m = min(batch_size, n - start)
            chunks.append(
                sample_sequences(self, m, self.seq_len, device=device, generator=generator, temperature=temperature)
            )
        if not chunks:
            return torch.empty(0, self.seq_len, dtype=torch.long, device=device)
        return torch.cat(chunks)

    @torch.no_grad()
    def mean_nll(self, tokens: Tensor, batch_size: int = 2048) -> float:
        """Mean per-token NLL of a large token set, evaluated in batches (no grad)."""
        device = self.output.weight.device
        total, count = 0.0, 0
        for chunk in torch.split(tokens, batch_size):
            lp = self.token_log_probs(chunk.to(device))
            total += float(-lp.sum())
            count += lp.numel()
        if count == 0:
            raise ValueError("mean_nll of an empty token set")
        return total / count
