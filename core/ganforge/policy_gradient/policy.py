"""The :class:`TokenPolicy` protocol and sampling from a policy by inverse CDF.

One uniform number per (row, position) decides each draw, so the batched rollouts and
their slow reference (:mod:`ganforge.policy_gradient.rollouts`) can be fed the same
numbers and compared token for token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import torch
from torch import Tensor

State = Any


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
