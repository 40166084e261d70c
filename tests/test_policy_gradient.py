"""Tests of ganforge.policy_gradient: batched rollouts vs the slow reference, MC values, PG loss."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from ganforge.policy_gradient import (
    DelayedPolicy,
    RewardBaseline,
    batched_rollouts,
    discriminator_reward,
    policy_gradient_loss,
    rollout_rewards,
    sample_sequences,
    sample_tokens,
    slow_rollout_rewards,
    token_log_probs,
)


class TinyLSTMPolicy(nn.Module):
    """A minimal TokenPolicy: embedding + LSTMCell + linear, state (h, c) batch-first."""

    def __init__(self, vocab: int, hidden: int = 8, seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.vocab = vocab
        self.emb = nn.Embedding(vocab, hidden)
        self.cell = nn.LSTMCell(hidden, hidden)
        self.out = nn.Linear(hidden, vocab)
        with torch.no_grad():
            self.out.weight.mul_(3.0)  # peaked enough that rollouts differ from uniform noise

    def initial_state(self, batch_size, device):
        z = torch.zeros(batch_size, self.cell.hidden_size, device=device)
        return (z, z.clone())

    def start_tokens(self, batch_size, device):
        return torch.zeros(batch_size, dtype=torch.long, device=device)

    def step(self, tokens, state):
        h, c = self.cell(self.emb(tokens), state)
        return self.out(h), (h, c)


def linear_reward(vocab: int, seed: int = 1):
    """A deterministic 'discriminator': sigmoid of a position-weighted token score."""
    g = torch.Generator().manual_seed(seed)
    table = torch.randn(vocab, generator=g)

    def reward(tokens: torch.Tensor) -> torch.Tensor:
        pos = torch.arange(1, tokens.shape[1] + 1, dtype=torch.float32)
        return torch.sigmoid((table[tokens] * pos).sum(1) / tokens.shape[1])

    return reward


def test_batched_rewards_equal_slow_reference_with_shared_uniforms():
    policy = TinyLSTMPolicy(vocab=7).eval()
    g = torch.Generator().manual_seed(3)
    tokens = sample_sequences(policy, 3, 6, generator=g)
    k = 4
    uniforms = torch.rand(5, k, 3, 6, generator=g)
    reward = linear_reward(7)
    fast = rollout_rewards(policy, tokens, reward, k, uniforms=uniforms)
    slow = slow_rollout_rewards(policy, tokens, reward, k, uniforms=uniforms)
    assert fast.shape == (3, 6)
    torch.testing.assert_close(fast, slow, rtol=0, atol=1e-6)
    # Chunked generation (rows split across several batched generations) is identical too.
    chunked = rollout_rewards(policy, tokens, reward, k, uniforms=uniforms, max_rows=7, reward_batch=5)
    torch.testing.assert_close(chunked, slow, rtol=0, atol=1e-6)
    # The last column is the reward of the sequence itself.
    torch.testing.assert_close(fast[:, -1], reward(tokens))


def test_batched_rewards_equal_slow_reference_with_seeded_generators():
    policy = TinyLSTMPolicy(vocab=5, seed=4).eval()
    tokens = sample_sequences(policy, 2, 5, generator=torch.Generator().manual_seed(0))
    reward = linear_reward(5, seed=2)
    fast = rollout_rewards(policy, tokens, reward, 3, generator=torch.Generator().manual_seed(11))
    slow = slow_rollout_rewards(policy, tokens, reward, 3, generator=torch.Generator().manual_seed(11))
    torch.testing.assert_close(fast, slow, rtol=0, atol=1e-6)


def test_rollouts_keep_prefixes_and_vary_the_rest():
    policy = TinyLSTMPolicy(vocab=6).eval()
    tokens = sample_sequences(policy, 4, 7, generator=torch.Generator().manual_seed(1))
    seqs = batched_rollouts(policy, tokens, 5, generator=torch.Generator().manual_seed(2))
    assert seqs.shape == (6, 5, 4, 7) and seqs.dtype == torch.long
    for t in range(1, 7):
        assert torch.equal(seqs[t - 1, :, :, :t], tokens[:, :t].expand(5, 4, t))
    assert int(seqs.max()) < 6 and int(seqs.min()) >= 0
    # Completions of the shortest prefix are not all copies of the sampled sequence.
    assert not torch.equal(seqs[0], tokens.expand(5, 4, 7))


def test_rollout_values_match_exact_expectation():
    """Q(prefix) estimated by many rollouts equals the enumerated expectation."""
    vocab, length = 2, 3
    policy = TinyLSTMPolicy(vocab=vocab, seed=5).eval()
    reward = linear_reward(vocab, seed=6)
    tokens = torch.tensor([[1, 0, 1]])

    def seq_prob(seq):
        return token_log_probs(policy, torch.tensor([seq])).sum().exp().item()

    def exact_q(prefix):
        total, mass = 0.0, 0.0
        for rest in itertools.product(range(vocab), repeat=length - len(prefix)):
            seq = list(prefix) + list(rest)
            p = seq_prob(seq)
            total += p * reward(torch.tensor([seq])).item()
            mass += p
        return total / mass

    with torch.no_grad():
        q = rollout_rewards(policy, tokens, reward, 4000, generator=torch.Generator().manual_seed(0))
        expected = [exact_q([1]), exact_q([1, 0]), reward(tokens).item()]
    assert q[0].tolist() == pytest.approx(expected, abs=0.01)


def test_sample_tokens_follows_softmax():
    logits = torch.tensor([[0.0, 1.0, 2.0, -1.0]]).expand(40000, 4)
    draws = sample_tokens(logits, generator=torch.Generator().manual_seed(0))
    freq = torch.bincount(draws, minlength=4).float() / draws.numel()
    torch.testing.assert_close(freq, torch.softmax(logits[0], 0), atol=0.01, rtol=0)
    # Zero-probability tokens are never drawn, even at the CDF boundaries.
    masked = torch.tensor([[-float("inf"), 0.0, -float("inf"), 0.0]])
    edge = sample_tokens(masked.expand(3, 4), uniforms=torch.tensor([0.0, 0.5, 0.9999999]))
    assert set(edge.tolist()) <= {1, 3}


def test_two_level_sampling_of_large_vocabularies_matches_the_flat_inverse_cdf():
    # 1,000 tokens (not a multiple of the block size) take the block-sums-first path.
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2000, 1000, generator=g) * 2
    logits[:, 990:] = -float("inf")  # a partly masked last block
    logits[:, 64:128] = -float("inf")  # and a fully masked block in the middle
    u = torch.rand(2000, generator=g)
    u[:4] = torch.tensor([0.0, 0.5, 0.9999999, 1.0 - 2**-24])
    draws = sample_tokens(logits, uniforms=u)
    cdf = torch.softmax(logits, -1).double().cumsum(-1)
    flat = torch.searchsorted(cdf, (u.double() * cdf[:, -1]).unsqueeze(1), right=True).squeeze(1)
    assert (draws == flat).float().mean().item() > 0.999  # equal but for rounding at boundaries
    assert bool(torch.isfinite(logits.gather(1, draws.unsqueeze(1))).all())  # never a masked token
    # The distribution is the softmax.
    one = torch.randn(1000, generator=g).expand(50000, 1000)
    freq = torch.bincount(sample_tokens(one, generator=g), minlength=1000).float() / 50000
    top = torch.softmax(one[0], 0).topk(5).indices
    torch.testing.assert_close(freq[top], torch.softmax(one[0], 0)[top], atol=0.01, rtol=0)


def test_batched_rewards_equal_slow_reference_for_a_large_vocabulary():
    policy = TinyLSTMPolicy(vocab=300).eval()
    g = torch.Generator().manual_seed(5)
    tokens = sample_sequences(policy, 3, 5, generator=g)
    uniforms = torch.rand(4, 3, 3, 5, generator=g)
    reward = linear_reward(300)
    slow = slow_rollout_rewards(policy, tokens, reward, 3, uniforms=uniforms)
    for rows in (None, 5, 9):
        fast = rollout_rewards(policy, tokens, reward, 3, uniforms=uniforms, max_rows=rows)
        torch.testing.assert_close(fast, slow, rtol=0, atol=1e-6)


def test_token_log_probs_fast_path_matches_stepwise():
    policy = TinyLSTMPolicy(vocab=5)
    tokens = torch.randint(0, 5, (3, 4))
    lp = token_log_probs(policy, tokens)
    assert lp.shape == (3, 4) and lp.requires_grad and bool((lp <= 0).all())


def test_pg_gradient_step_raises_probability_of_rewarded_token():
    policy = TinyLSTMPolicy(vocab=4, seed=2)
    tokens = torch.tensor([[2, 1], [3, 0]])
    rewards = torch.tensor([[1.0, 0.0], [0.0, 0.0]])  # only token 2 at position 0 is rewarded
    before = token_log_probs(policy, tokens)[0, 0].item()
    loss = policy_gradient_loss(token_log_probs(policy, tokens), rewards)
    loss.backward()
    with torch.no_grad():
        for p in policy.parameters():
            p -= 0.1 * p.grad
    assert token_log_probs(policy, tokens)[0, 0].item() > before + 1e-3


def test_policy_gradient_with_rollouts_learns_rewarded_token():
    """A few REINFORCE updates with MC rollouts move the policy toward the rewarded token."""
    torch.manual_seed(0)
    policy = TinyLSTMPolicy(vocab=4, hidden=8, seed=0)
    with torch.no_grad():
        policy.out.weight.div_(3.0)
    opt = torch.optim.Adam(policy.parameters(), lr=0.05)
    g = torch.Generator().manual_seed(0)

    def reward(seqs):
        return (seqs == 2).float().mean(1)

    def freq():
        return (sample_sequences(policy, 400, 4, generator=torch.Generator().manual_seed(9)) == 2).float().mean().item()

    start = freq()
    baseline = RewardBaseline("batch_mean")
    for _ in range(30):
        with torch.no_grad():
            tokens = sample_sequences(policy, 16, 4, generator=g)
            q = rollout_rewards(policy, tokens, reward, 4, generator=g)
        loss = policy_gradient_loss(token_log_probs(policy, tokens), baseline(q), reduction="sequence_mean")
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert start < 0.45
    assert freq() > start + 0.3


def test_policy_gradient_loss_reductions_and_mask():
    lp = torch.tensor([[-1.0, -2.0], [-3.0, -4.0]], requires_grad=True)
    adv = torch.tensor([[1.0, 0.5], [2.0, 0.0]])
    assert policy_gradient_loss(lp, adv, reduction="sum").item() == pytest.approx(8.0)
    assert policy_gradient_loss(lp, adv, reduction="mean").item() == pytest.approx(2.0)
    assert policy_gradient_loss(lp, adv, reduction="sequence_mean").item() == pytest.approx(4.0)
    mask = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    assert policy_gradient_loss(lp, adv, mask, reduction="mean").item() == pytest.approx(3.5)
    loss = policy_gradient_loss(lp, adv)
    loss.backward()
    torch.testing.assert_close(lp.grad, -adv)
    with pytest.raises(ValueError, match="reduction 'avg'"):
        policy_gradient_loss(lp, adv, reduction="avg")
    with pytest.raises(ValueError, match="differ"):
        policy_gradient_loss(lp, adv[:, :1])


def test_reward_baselines():
    q = torch.tensor([[1.0, 0.0], [3.0, 2.0]])
    assert torch.equal(RewardBaseline("none")(q), q)
    torch.testing.assert_close(RewardBaseline("batch_mean")(q), torch.tensor([[-1.0, -1.0], [1.0, 1.0]]))
    ema = RewardBaseline("moving_average", decay=0.5)
    torch.testing.assert_close(ema(q), torch.tensor([[-1.0, -1.0], [1.0, 1.0]]))
    # Second call uses the average of the history, not the new batch's own mean.
    torch.testing.assert_close(ema(q + 2.0), torch.tensor([[1.0, 1.0], [3.0, 3.0]]))
    with pytest.raises(ValueError, match="unknown baseline 'median'"):
        RewardBaseline("median")


def test_discriminator_reward_kinds():
    logits = torch.tensor([0.0, 2.0])
    d = lambda tokens: logits  # noqa: E731
    x = torch.zeros(2, 3, dtype=torch.long)
    torch.testing.assert_close(discriminator_reward(d, "prob")(x), torch.sigmoid(logits))
    torch.testing.assert_close(discriminator_reward(d, "log_prob")(x), nn.functional.logsigmoid(logits))
    torch.testing.assert_close(discriminator_reward(d, "logit")(x), logits)
    with pytest.raises(ValueError, match="unknown reward kind 'odds'"):
        discriminator_reward(d, "odds")


def test_delayed_policy_update_rate():
    gen = TinyLSTMPolicy(vocab=4, seed=0)
    delayed = DelayedPolicy(gen, update_rate=0.8)
    assert not any(p.requires_grad for p in delayed.parameters())
    old = [p.clone() for p in delayed.parameters()]
    with torch.no_grad():
        for p in gen.parameters():
            p.add_(1.0)
    delayed.update(gen)
    for before, now, g in zip(old, delayed.parameters(), gen.parameters(), strict=True):
        torch.testing.assert_close(now, 0.8 * before + 0.2 * g)
    delayed.reset(gen)
    for now, g in zip(delayed.parameters(), gen.parameters(), strict=True):
        assert torch.equal(now, g)
    # The delayed copy is itself a TokenPolicy usable for rollouts.
    tokens = sample_sequences(delayed, 2, 3, generator=torch.Generator().manual_seed(0))
    assert rollout_rewards(delayed, tokens, linear_reward(4), 2).shape == (2, 3)
    with pytest.raises(ValueError, match="update_rate"):
        DelayedPolicy(gen, update_rate=1.5)
