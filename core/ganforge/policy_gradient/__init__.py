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

The main pieces (:mod:`.policy`: the protocol and sampling; :mod:`.rollouts`: rollouts
and the delayed policy; :mod:`.rewards`: rewards and baselines; :mod:`.reinforce`: the
loss -- every name is importable from ``ganforge.policy_gradient`` itself):

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

from ganforge.policy_gradient.policy import (
    State,  # noqa: F401 - the recurrent-state alias, importable from here as before the split
    TokenPolicy,
    map_state,
    prefix_states,
    sample_sequences,
    sample_tokens,
    token_log_probs,
)
from ganforge.policy_gradient.reinforce import policy_gradient_loss
from ganforge.policy_gradient.rewards import RewardBaseline, RewardFn, discriminator_reward
from ganforge.policy_gradient.rollouts import (
    DelayedPolicy,
    batched_rollouts,
    rollout_rewards,
    slow_rollout_rewards,
)

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
