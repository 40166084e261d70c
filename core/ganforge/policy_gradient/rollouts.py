"""Monte-Carlo rollouts: action values of every prefix of sampled sequences.

:func:`batched_rollouts` generates all ``K x (T-1)`` completions of a batch as one
batched generation; :func:`slow_rollout_rewards` is the straightforward reference that
consumes the same uniform numbers; :class:`DelayedPolicy` is the lagged rollout network.
"""

from __future__ import annotations

import copy

import torch
from torch import Tensor, nn

from ganforge.policy_gradient.policy import (
    State,
    TokenPolicy,
    _cat_states,
    _sample_many,
    _step_into,
    _uniforms,
    map_state,
    prefix_states,
    sample_tokens,
)
from ganforge.policy_gradient.rewards import RewardFn


@torch.no_grad()
def batched_rollouts(
    policy: TokenPolicy,
    tokens: Tensor,
    num_rollouts: int = 16,
    generator: torch.Generator | None = None,
    uniforms: Tensor | None = None,
    max_rows: int | None = None,
    temperature: float = 1.0,
) -> Tensor:
    """Complete every prefix of ``tokens`` ``num_rollouts`` times, in one batched generation.

    Args:
        policy: the rollout policy (:class:`TokenPolicy`).
        tokens: ``LongTensor[B, T]`` sampled sequences (``T >= 2``).
        num_rollouts: ``K``.
        generator: random source for the draws (ignored when ``uniforms`` is given).
        uniforms: optional ``[T-1, K, B, T]`` numbers in [0, 1): ``uniforms[t-1, k, b, p]``
            is used to draw position ``p`` of rollout ``k`` of row ``b`` from prefix
            length ``t`` (entries with ``p < t`` are unused).
        max_rows: bound on the rows generated at once (memory); ``None`` = all
            ``(T-1) * K * B`` rows together.
        temperature: sampling temperature of the completions.

    Returns:
        ``LongTensor[T-1, K, B, T]``: completion ``[t-1, k, b]`` starts with
        ``tokens[b, :t]``.
    """
    if tokens.dim() != 2 or tokens.shape[1] < 2:
        raise ValueError(f"tokens must be [B, T] with T >= 2, got shape {tuple(tokens.shape)}")
    if num_rollouts < 1:
        raise ValueError(f"num_rollouts must be >= 1, got {num_rollouts}")
    b, t_len = tokens.shape
    k = num_rollouts
    device = tokens.device
    per_t = k * b  # rows per prefix length
    n_rows = (t_len - 1) * per_t
    if uniforms is None:
        uniforms = _uniforms((t_len - 1, k, b, t_len), device, generator)
    elif tuple(uniforms.shape) != (t_len - 1, k, b, t_len):
        raise ValueError(f"uniforms must have shape {(t_len - 1, k, b, t_len)}, got {tuple(uniforms.shape)}")
    uniforms = uniforms.to(device)
    u_flat = uniforms.reshape(-1)
    seqs = tokens.repeat(n_rows // b, 1)  # row r holds a copy of tokens[r % B]
    seqs_flat = seqs.view(-1)
    chunk = n_rows if max_rows is None else max(1, int(max_rows))

    # The first completion token of prefix length t depends on (t, b) only, not on the
    # rollout k: its distribution is computed once and sampled K times (1/(T-t) of the work).
    stacked = prefix_states(policy, tokens)  # [T-1, B, ...]
    first_state = map_state(lambda s: s.reshape(-1, *s.shape[2:]), stacked)  # row (t-1)*B + b
    first_inp = tokens[:, : t_len - 1].t().reshape(-1)  # y_{t-1} of row (t-1, b)
    levels = torch.arange(t_len - 1, device=device)
    # u_first[t-1, b, k] = uniforms[t-1, k, b, t]
    u_first = uniforms[levels, :, :, levels + 1].transpose(1, 2).reshape(-1, k)
    logit_buf = probs_buf = None  # reused across steps (see _sample_many)
    step_into = _step_into(policy)
    first_tok, states = [], []
    for r0 in range(0, first_inp.shape[0], max(1, chunk // k)):
        r1 = min(first_inp.shape[0], r0 + max(1, chunk // k))
        logits, st = policy.step(first_inp[r0:r1], map_state(lambda s, r0=r0, r1=r1: s[r0:r1], first_state))
        if probs_buf is None:
            probs_buf = torch.empty(min(chunk, n_rows), logits.shape[-1], device=device)
            logit_buf = torch.empty(min(chunk, n_rows), logits.shape[-1], device=device, dtype=logits.dtype)
        first_tok.append(_sample_many(logits, u_first[r0:r1], temperature, probs_buf[: r1 - r0]))
        states.append(st)
    first_tok = torch.cat(first_tok).view(t_len - 1, b, k)
    after_first = _cat_states(states)
    seqs.view(t_len - 1, k, b, t_len)[levels, :, :, levels + 1] = first_tok.transpose(1, 2)

    # Row r has prefix length t = 1 + r // (K*B) and batch index b = r % B: ascending t,
    # so the rows that still have tokens to draw at relative step j are a leading slice.
    rows = torch.arange(n_rows, device=device)
    row_t = 1 + rows // per_t
    src = (row_t - 1) * b + rows % b  # the row of ``after_first`` each completion continues
    for r0 in range(0, n_rows, chunk):
        r1 = min(n_rows, r0 + chunk)
        state = map_state(lambda s, i=src[r0:r1]: s[i], after_first)
        # flat index of position t (the first sampled one) of each row; position t + j is base + j
        base = rows[r0:r1] * t_len + row_t[r0:r1]
        inp = seqs_flat[base]
        j = 1
        while True:
            # Rows with t + j <= T - 1 still draw a token at position t + j.
            n_active = min(r1, (t_len - 1 - j) * per_t) - r0
            if n_active <= 0:
                break
            if n_active < inp.shape[0]:
                state = map_state(lambda s, n=n_active: s[:n], state)
                inp, base = inp[:n_active], base[:n_active]
            if step_into:
                logits, state = policy.step(inp, state, out=logit_buf[:n_active])
            else:
                logits, state = policy.step(inp, state)
            at = base + j
            work = logits if step_into and temperature == 1.0 else probs_buf[:n_active]  # softmax in place
            inp = _sample_many(logits, u_flat[at].unsqueeze(1), temperature, work).squeeze(1)
            seqs_flat[at] = inp
            j += 1
    return seqs.view(t_len - 1, k, b, t_len)


def _score(reward_fn: RewardFn, seqs: Tensor, max_rows: int | None) -> Tensor:
    """Evaluate ``reward_fn`` on ``[N, T]`` sequences in chunks of ``max_rows``; returns ``[N]``."""
    if max_rows is None or seqs.shape[0] <= max_rows:
        return reward_fn(seqs).reshape(-1).float()
    return torch.cat([reward_fn(c).reshape(-1).float() for c in torch.split(seqs, int(max_rows))])


@torch.no_grad()
def rollout_rewards(
    policy: TokenPolicy,
    tokens: Tensor,
    reward_fn: RewardFn,
    num_rollouts: int = 16,
    generator: torch.Generator | None = None,
    uniforms: Tensor | None = None,
    max_rows: int | None = None,
    reward_batch: int | None = 4096,
    temperature: float = 1.0,
) -> Tensor:
    """Monte-Carlo action values ``Q[b, t]`` of every prefix of ``tokens`` (``[B, T]``).

    ``Q[:, t-1]`` (prefix length ``t < T``) is the mean of ``reward_fn`` over the
    ``num_rollouts`` completions from :func:`batched_rollouts`; ``Q[:, T-1]`` is
    ``reward_fn(tokens)``. ``reward_batch`` bounds the rows scored at once.
    """
    b, t_len = tokens.shape
    seqs = batched_rollouts(
        policy, tokens, num_rollouts, generator=generator, uniforms=uniforms, max_rows=max_rows, temperature=temperature
    )
    scores = _score(reward_fn, seqs.reshape(-1, t_len), reward_batch).view(t_len - 1, num_rollouts, b)
    final = _score(reward_fn, tokens, reward_batch)
    return torch.cat([scores.mean(dim=1), final.unsqueeze(0)], dim=0).t().contiguous()


@torch.no_grad()
def slow_rollout_rewards(
    policy: TokenPolicy,
    tokens: Tensor,
    reward_fn: RewardFn,
    num_rollouts: int = 16,
    generator: torch.Generator | None = None,
    uniforms: Tensor | None = None,
    temperature: float = 1.0,
) -> Tensor:
    """Reference implementation of :func:`rollout_rewards`: one generation per (rollout, prefix).

    Mirrors the official SeqGAN loop (for each rollout, for each prefix length, re-run
    the prefix through the policy and sample the rest). Used to test the batched version
    and as the baseline of the rollout-throughput benchmark.
    """
    b, t_len = tokens.shape
    device = tokens.device
    if uniforms is None:
        uniforms = _uniforms((t_len - 1, num_rollouts, b, t_len), device, generator)
    uniforms = uniforms.to(device)
    q = torch.zeros(b, t_len, device=device)
    for k in range(num_rollouts):
        for t in range(1, t_len):
            state = policy.initial_state(b, device)
            inp = policy.start_tokens(b, device)
            seq = tokens.clone()
            for pos in range(t_len):
                logits, state = policy.step(inp, state)
                if pos < t:
                    inp = tokens[:, pos]
                else:
                    inp = sample_tokens(logits, uniforms[t - 1, k, :, pos], temperature=temperature)
                    seq[:, pos] = inp
            q[:, t - 1] += reward_fn(seq).reshape(-1).float()
    q[:, : t_len - 1] /= num_rollouts
    q[:, t_len - 1] = reward_fn(tokens).reshape(-1).float()
    return q


class DelayedPolicy(nn.Module):
    """The delayed rollout network: a lagged copy of the generator.

    After every generator update call :meth:`update`:
    ``theta_r <- update_rate * theta_r + (1 - update_rate) * theta_g``.
    ``update_rate = 0`` makes the rollout policy equal to the current generator (the
    official SeqGAN TensorFlow code effectively behaves like this, since its rollout
    graph reads the generator's variables through ``tf.identity``); ``1`` freezes it.
    Its parameters never require grad and are saved with the module's checkpoint.
    """

    def __init__(self, generator: nn.Module, update_rate: float = 0.8):
        super().__init__()
        if not 0.0 <= update_rate <= 1.0:
            raise ValueError(f"update_rate must be in [0, 1], got {update_rate}")
        self.update_rate = float(update_rate)
        self.policy = copy.deepcopy(generator)
        self.policy.requires_grad_(False)

    @torch.no_grad()
    def update(self, generator: nn.Module) -> None:
        """Move the delayed parameters toward ``generator``'s (buffers are copied)."""
        rate = self.update_rate
        for mine, theirs in zip(self.policy.parameters(), generator.parameters(), strict=True):
            mine.mul_(rate).add_(theirs.detach(), alpha=1.0 - rate)
        for mine, theirs in zip(self.policy.buffers(), generator.buffers(), strict=True):
            mine.copy_(theirs)

    @torch.no_grad()
    def reset(self, generator: nn.Module) -> None:
        """Copy ``generator``'s parameters exactly (e.g. when the adversarial phase starts)."""
        for mine, theirs in zip(self.policy.parameters(), generator.parameters(), strict=True):
            mine.copy_(theirs.detach())
        for mine, theirs in zip(self.policy.buffers(), generator.buffers(), strict=True):
            mine.copy_(theirs)

    # The TokenPolicy protocol, delegated to the lagged copy.
    def initial_state(self, batch_size: int, device: torch.device) -> State:
        """See :class:`TokenPolicy`."""
        return self.policy.initial_state(batch_size, device)

    def start_tokens(self, batch_size: int, device: torch.device) -> Tensor:
        """See :class:`TokenPolicy`."""
        return self.policy.start_tokens(batch_size, device)

    def step(self, tokens: Tensor, state: State, out: Tensor | None = None) -> tuple[Tensor, State]:
        """See :class:`TokenPolicy` (``out`` is passed on when the lagged policy takes it)."""
        if out is not None and _step_into(self.policy):
            return self.policy.step(tokens, state, out=out)
        return self.policy.step(tokens, state)
