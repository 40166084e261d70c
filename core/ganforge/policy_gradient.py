"""Policy-gradient (REINFORCE) generator updates for discrete sequences, as in SeqGAN.

SeqGAN (Yu et al., AAAI 2017) cannot back-propagate through sampled tokens, so the
generator is trained as a stochastic policy: for a sampled sequence ``y_0 .. y_{T-1}``
the action value of the prefix ``y_<=t`` is estimated by completing it ``K`` times with
a rollout policy and averaging the reward (the discriminator's probability of "real")
of the completions; the last position uses the reward of the sequence itself.
The generator loss is ``-sum_t log p(y_t | y_<t) * (Q_t - b_t)``.

Everything here is generic: a generator only has to implement the small
:class:`TokenPolicy` protocol (one recurrent step at a time), and the reward is any
callable mapping a ``LongTensor[N, T]`` of token ids to a ``Tensor[N]``.

The main pieces:

* :func:`batched_rollouts` -- all ``K x (T-1)`` completions of a batch generated as ONE
  batched generation. The prefix states come from a single teacher-forced pass; the
  completion rows are ordered by prefix length so the rows still running at every step
  form a leading slice of the batch (the batch shrinks as short completions finish),
  which halves the work of a naive "generate T steps for every row".
* :func:`slow_rollout_rewards` -- the straightforward reference (a Python loop over
  rollouts and prefix lengths that re-runs every prefix from scratch). It consumes the
  same per-position uniform numbers as the batched version, so both give the same
  completions for the same ``uniforms``; the test-suite checks they agree.
* :func:`rollout_rewards`, :class:`RewardBaseline`, :func:`policy_gradient_loss`.
* :class:`DelayedPolicy` -- the delayed rollout network ``theta_r <- rate * theta_r +
  (1 - rate) * theta_g`` of the paper (update rate 0.8 in the official code).

Sampling uses the inverse CDF with one uniform number per (row, position): this is an
exact categorical sample and makes the randomness addressable, which is what lets the
fast and the slow implementation be compared token for token.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Literal, Protocol, runtime_checkable

import torch
from torch import Tensor, nn

__all__ = [
    "TokenPolicy",
    "RewardFn",
    "map_state",
    "sample_tokens",
    "sample_sequences",
    "token_log_probs",
    "prefix_states",
    "batched_rollouts",
    "rollout_rewards",
    "slow_rollout_rewards",
    "discriminator_reward",
    "RewardBaseline",
    "policy_gradient_loss",
    "DelayedPolicy",
]

State = Any
RewardFn = Callable[[Tensor], Tensor]


@runtime_checkable
class TokenPolicy(Protocol):
    """An autoregressive token generator, driven one step at a time.

    The recurrent ``state`` may be a tensor or a (nested) tuple/list/dict of tensors;
    every tensor in it must have the batch on dimension 0 (so rows can be gathered and
    sliced generically). A policy may also define ``token_log_probs(tokens)`` (a faster,
    teacher-forced ``[B, T]`` log-probability); :func:`token_log_probs` uses it if present.
    ``step`` may take an ``out`` keyword (a ``[B, V]`` tensor to write the logits into):
    rollouts then reuse one buffer instead of allocating a large tensor per step.
    """

    def initial_state(self, batch_size: int, device: torch.device) -> State:
        """The state before the first token, for ``batch_size`` rows."""
        ...

    def start_tokens(self, batch_size: int, device: torch.device) -> Tensor:
        """The input fed at the first step (``LongTensor[B]``, e.g. a start token)."""
        ...

    def step(self, tokens: Tensor, state: State) -> tuple[Tensor, State]:
        """Feed ``tokens`` (``LongTensor[B]``); return next-token logits ``[B, V]`` and the new state."""
        ...


def map_state(fn: Callable[[Tensor], Tensor], state: State) -> State:
    """Apply ``fn`` to every tensor of a (nested tuple/list/dict) recurrent state."""
    if isinstance(state, Tensor):
        return fn(state)
    if state is None:
        return None
    if isinstance(state, tuple) and hasattr(state, "_fields"):  # namedtuple
        return type(state)(*(map_state(fn, s) for s in state))
    if isinstance(state, (tuple, list)):
        return type(state)(map_state(fn, s) for s in state)
    if isinstance(state, dict):
        return {k: map_state(fn, v) for k, v in state.items()}
    raise TypeError(f"unsupported recurrent state element of type {type(state).__name__}")


def _stack_states(states: list[State]) -> State:
    """Stack a list of structurally identical states along a new leading dimension."""
    first = states[0]
    if isinstance(first, Tensor):
        return torch.stack(states)
    if first is None:
        return None
    if isinstance(first, tuple) and hasattr(first, "_fields"):
        return type(first)(*(_stack_states([s[i] for s in states]) for i in range(len(first))))
    if isinstance(first, (tuple, list)):
        return type(first)(_stack_states([s[i] for s in states]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack_states([s[k] for s in states]) for k in first}
    raise TypeError(f"unsupported recurrent state element of type {type(first).__name__}")


def _step_into(policy: Any) -> bool:
    """Whether ``policy.step`` takes ``out=`` (a buffer for the logits, reused across steps)."""
    import inspect

    try:
        return "out" in inspect.signature(policy.step).parameters
    except (TypeError, ValueError):
        return False


def _cat_states(states: list[State]) -> State:
    """Concatenate structurally identical states along the batch dimension (0)."""
    first = states[0]
    if len(states) == 1:
        return first
    if isinstance(first, Tensor):
        return torch.cat(states)
    if first is None:
        return None
    if isinstance(first, tuple) and hasattr(first, "_fields"):
        return type(first)(*(_cat_states([s[i] for s in states]) for i in range(len(first))))
    if isinstance(first, (tuple, list)):
        return type(first)(_cat_states([s[i] for s in states]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: _cat_states([s[key] for s in states]) for key in first}
    raise TypeError(f"unsupported recurrent state element of type {type(first).__name__}")


def _uniforms(shape: tuple[int, ...], device: torch.device, generator: torch.Generator | None) -> Tensor:
    """Uniform numbers drawn from ``generator`` (on its own device), moved to ``device``."""
    gen_device = generator.device if generator is not None else device
    return torch.rand(shape, generator=generator, device=gen_device).to(device)


#: Tokens per block of the two-level inverse CDF (vocabularies of at least
#: ``4 * _CDF_BLOCK`` tokens are searched block sums first, then within one block).
_CDF_BLOCK = 64


def _last_with_mass(cdf: Tensor) -> Tensor:
    """Index of the last entry with positive mass of each cumulative row (``[..., n]`` -> ``[..., 1]``)."""
    return torch.searchsorted(cdf, cdf[..., -1:].contiguous(), right=False)


def _inverse_cdf(probs: Tensor, uniforms: Tensor) -> Tensor:
    """Draw ``uniforms.shape[1]`` tokens per row of ``probs`` (``[N, V]``) by inverse CDF; ``[N, K]``.

    ``probs`` is overwritten. Row ``n``'s ``k``-th token is the first index whose cumulative
    probability exceeds ``uniforms[n, k] * total``. Large vocabularies use two levels: the
    cumulative sum of per-block totals picks the block, a cumulative sum inside that block
    picks the token -- a vectorised sum plus two short scans instead of a sequential scan
    over the whole vocabulary (the scan cost as much as the output layer's matmul). Zero-
    probability tokens are never drawn, even at rounding boundaries.
    """
    n, v = probs.shape
    if v < 4 * _CDF_BLOCK:
        cdf = probs.cumsum_(dim=-1)
        target = uniforms * cdf[:, -1:]
        idx = torch.searchsorted(cdf, target, right=True)
        return torch.minimum(idx, _last_with_mass(cdf))
    # a block size dividing V (e.g. 50 for 5,000 tokens) spares the ragged last block
    size = next((d for d in range(_CDF_BLOCK, _CDF_BLOCK // 2, -1) if v % d == 0), _CDF_BLOCK)
    full, nb = v // size, -(-v // size)
    sums = probs.new_empty(n, nb)
    sums[:, :full] = probs[:, : full * size].view(n, full, size).sum(-1)
    if nb > full:
        sums[:, full] = probs[:, full * size :].sum(-1)
    bcdf = sums.cumsum_(dim=-1)
    target = uniforms * bcdf[:, -1:]
    blk = torch.minimum(torch.searchsorted(bcdf, target, right=True), _last_with_mass(bcdf))  # [N, K]
    offset = torch.where(blk > 0, bcdf.gather(1, (blk - 1).clamp_(min=0)), torch.zeros((), device=probs.device))
    cols = blk.unsqueeze(-1) * size + torch.arange(size, device=probs.device)  # [N, K, size]
    inner = probs.gather(1, cols.view(n, -1).clamp(max=v - 1)).view(cols.shape)
    if nb > full:
        inner.masked_fill_(cols >= v, 0.0)
    icdf = inner.cumsum_(dim=-1)
    j = torch.searchsorted(icdf, (target - offset).unsqueeze(-1), right=True)
    return (cols[..., :1] + torch.minimum(j, _last_with_mass(icdf))).squeeze(-1)


def sample_tokens(
    logits: Tensor,
    uniforms: Tensor | None = None,
    generator: torch.Generator | None = None,
    temperature: float = 1.0,
) -> Tensor:
    """Draw one token per row from ``softmax(logits / temperature)`` by inverse CDF.

    ``uniforms`` (shape ``logits.shape[:-1]``, values in [0, 1)) makes the draw
    reproducible and addressable; when omitted they are drawn from ``generator``.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if uniforms is None:
        uniforms = _uniforms(tuple(logits.shape[:-1]), logits.device, generator)
    return _sample_many(logits.reshape(-1, logits.shape[-1]), uniforms.reshape(-1, 1), temperature).view(
        logits.shape[:-1]
    )


def _sample_many(logits: Tensor, uniforms: Tensor, temperature: float = 1.0, work: Tensor | None = None) -> Tensor:
    """``uniforms.shape[1]`` inverse-CDF draws per row of ``logits`` (``[N, V]``, ``[N, K]`` -> ``[N, K]``).

    ``work``: an optional float32 buffer of ``logits``' shape for the probabilities. Rollouts
    reuse one: a fresh multi-megabyte tensor per step costs page faults that took longer
    than the softmax itself (3x the time per row on a CPU).
    """
    scaled = logits.float() if temperature == 1.0 else logits.float() / temperature
    if work is not None and work.shape == scaled.shape and work.dtype == scaled.dtype:
        probs = torch.ops.aten._softmax.out(scaled, -1, False, out=work)  # same kernel as torch.softmax
    else:
        probs = torch.softmax(scaled, dim=-1)
    # Scaling by the total (inside _inverse_cdf) absorbs float round-off of the sums.
    return _inverse_cdf(probs, uniforms.to(device=probs.device, dtype=probs.dtype))


@torch.no_grad()
def sample_sequences(
    policy: TokenPolicy,
    n: int,
    length: int,
    device: torch.device | str = "cpu",
    generator: torch.Generator | None = None,
    uniforms: Tensor | None = None,
    temperature: float = 1.0,
) -> Tensor:
    """Sample ``n`` sequences of ``length`` tokens (``LongTensor[n, length]``).

    ``uniforms``: optional ``[n, length]`` numbers in [0, 1) used for the draws.
    """
    device = torch.device(device)
    state = policy.initial_state(n, device)
    inp = policy.start_tokens(n, device)
    if uniforms is None:
        uniforms = _uniforms((n, length), device, generator)
    out = torch.empty(n, length, dtype=torch.long, device=device)
    for pos in range(length):
        logits, state = policy.step(inp, state)
        inp = sample_tokens(logits, uniforms[:, pos], temperature=temperature)
        out[:, pos] = inp
    return out


def token_log_probs(policy: TokenPolicy, tokens: Tensor) -> Tensor:
    """``log p(y_t | y_<t)`` of every token of ``tokens`` (``[B, T]`` -> ``[B, T]``, differentiable).

    Uses ``policy.token_log_probs`` when the policy provides a faster teacher-forced pass.
    """
    fast = getattr(policy, "token_log_probs", None)
    if callable(fast):
        return fast(tokens)
    b, t = tokens.shape
    state = policy.initial_state(b, tokens.device)
    inp = policy.start_tokens(b, tokens.device)
    out = []
    for pos in range(t):
        logits, state = policy.step(inp, state)
        out.append(torch.log_softmax(logits.float(), dim=-1).gather(1, tokens[:, pos : pos + 1]))
        inp = tokens[:, pos]
    return torch.cat(out, dim=1)


@torch.no_grad()
def prefix_states(policy: TokenPolicy, tokens: Tensor) -> State:
    """Teacher-forced states ``s_t`` for ``t = 1 .. T-1``, stacked: every tensor ``[T-1, B, ...]``.

    ``s_t`` is the state after feeding the start token and ``y_0 .. y_{t-2}``; feeding
    ``y_{t-1}`` to it yields the distribution of ``y_t`` (the first sampled token of a
    completion of the length-``t`` prefix).
    """
    b, t = tokens.shape
    state = policy.initial_state(b, tokens.device)
    inp = policy.start_tokens(b, tokens.device)
    states = []
    for pos in range(t - 1):
        _, state = policy.step(inp, state)
        states.append(state)
        inp = tokens[:, pos]
    return _stack_states(states)


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


def discriminator_reward(
    discriminator: Callable[[Tensor], Tensor], kind: Literal["prob", "logit", "log_prob"] = "prob"
) -> RewardFn:
    """Turn a discriminator returning "real" logits into a reward function.

    ``prob`` (the paper): ``sigmoid(logit)``; ``log_prob``: ``log sigmoid(logit)``;
    ``logit``: the raw logit.
    """
    transforms = {
        "prob": torch.sigmoid,
        "log_prob": nn.functional.logsigmoid,
        "logit": lambda z: z,
    }
    if kind not in transforms:
        raise ValueError(f"unknown reward kind '{kind}'; valid choices: {', '.join(sorted(transforms))}")
    fn = transforms[kind]

    def reward(tokens: Tensor) -> Tensor:
        return fn(discriminator(tokens).reshape(-1).float())

    return reward


class RewardBaseline:
    """Baseline ``b_t`` subtracted from the action values (variance reduction).

    ``kind``: ``none`` (the paper), ``batch_mean`` (mean reward of the batch at each
    position) or ``moving_average`` (exponential moving average of the per-position batch
    means over updates, with ``decay``).
    """

    KINDS = ("none", "batch_mean", "moving_average")

    def __init__(self, kind: str = "none", decay: float = 0.9):
        if kind not in self.KINDS:
            raise ValueError(f"unknown baseline '{kind}'; valid choices: {', '.join(self.KINDS)}")
        self.kind = kind
        self.decay = float(decay)
        self.average: Tensor | None = None

    def __call__(self, rewards: Tensor) -> Tensor:
        """Return the advantages ``rewards - b`` (``[B, T]``)."""
        if self.kind == "none":
            return rewards
        mean = rewards.mean(dim=0, keepdim=True)
        if self.kind == "batch_mean":
            return rewards - mean
        if self.average is None or self.average.shape != mean.shape:
            # The first update has no history: use its own batch mean.
            self.average = mean.detach().clone()
        self.average = self.average.to(rewards.device)
        advantages = rewards - self.average
        self.average = self.decay * self.average + (1.0 - self.decay) * mean.detach()
        return advantages


def policy_gradient_loss(
    log_probs: Tensor,
    advantages: Tensor,
    mask: Tensor | None = None,
    reduction: Literal["sum", "mean", "sequence_mean"] = "sum",
) -> Tensor:
    """REINFORCE loss ``-sum log p(y_t|y_<t) * A_t`` (advantages are treated as constants).

    Args:
        log_probs: ``[B, T]`` log-probabilities of the sampled tokens (with grad).
        advantages: ``[B, T]`` action values minus baseline.
        mask: optional ``[B, T]`` 0/1 weights (e.g. to ignore padding).
        reduction: ``sum`` over batch and time (the official SeqGAN code), ``mean`` over
            all (unmasked) tokens, or ``sequence_mean`` (sum over time, mean over batch).
    """
    if log_probs.shape != advantages.shape:
        raise ValueError(f"log_probs {tuple(log_probs.shape)} and advantages {tuple(advantages.shape)} differ")
    term = log_probs * advantages.detach().to(log_probs.dtype)
    if mask is not None:
        term = term * mask.to(term.dtype)
    if reduction == "sum":
        return -term.sum()
    if reduction == "sequence_mean":
        return -term.sum() / log_probs.shape[0]
    if reduction == "mean":
        count = mask.sum().clamp_min(1) if mask is not None else torch.tensor(term.numel(), device=term.device)
        return -term.sum() / count
    raise ValueError(f"unknown reduction '{reduction}'; valid choices: mean, sequence_mean, sum")


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
