"""EMA updates and phase transitions."""

import pytest
import torch
from torch import nn

from ganforge import EMA, GanforgeError, PhaseSchedule


def test_ema_blends_parameters_and_batchnorm_statistics():
    net = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    ema = EMA(net, decay=0.75)
    before = [p.clone() for p in ema.shadow.parameters()]
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)
        net[1].running_mean.fill_(3.0)
    ema.update(net, step=1000)  # past the warm-up: the configured decay applies
    for old, new, src in zip(before, ema.shadow.parameters(), net.parameters()):
        assert torch.allclose(new, 0.75 * old + 0.25 * src)
    # BatchNorm statistics are averaged with the weights' decay (see tests/test_ema_bn.py)
    assert torch.allclose(ema.shadow[1].running_mean, torch.full((2,), 0.25 * 3.0))
    assert not any(p.requires_grad for p in ema.shadow.parameters())


def test_ema_warm_up_uses_a_smaller_decay_early():
    net = nn.Linear(1, 1, bias=False)
    ema = EMA(net, decay=0.999)
    with torch.no_grad():
        ema.shadow.weight.fill_(0.0)
        net.weight.fill_(1.0)
    ema.update(net, step=0)  # effective decay (1 + 0) / (10 + 0) = 0.1
    assert ema.shadow.weight.item() == pytest.approx(0.9)


def test_ema_follows_source_before_start_step():
    net = nn.Linear(3, 1)
    ema = EMA(net, decay=0.99, start_step=10)
    with torch.no_grad():
        net.weight.fill_(2.0)
    ema.update(net, step=5)
    assert torch.equal(ema.shadow.weight, net.weight)


def test_ema_stays_in_eval_mode():
    ema = EMA(nn.Sequential(nn.Dropout(0.5)), decay=0.5)
    ema.train()
    assert not ema.shadow.training


def test_ema_rejects_bad_decay():
    with pytest.raises(ValueError, match="ema.decay"):
        EMA(nn.Linear(1, 1), decay=1.0)


def test_phase_transitions_and_state():
    sched = PhaseSchedule.from_config([
        {"name": "mle_pretrain", "kind": "mle", "steps": 2},
        {"name": "d_pretrain", "steps": 1},
        {"name": "adversarial", "steps": None},
    ])
    assert sched.current.kind == "mle"
    assert not sched.advance(1)
    assert sched.advance(1)  # mle done
    assert sched.current.name == "d_pretrain" and sched.current.kind == "d_pretrain"
    assert sched.advance(1)
    assert sched.current.name == "adversarial"
    for _ in range(100):
        assert not sched.advance(1)
    assert not sched.finished
    state = sched.state_dict()
    other = PhaseSchedule.from_config([{"name": "mle_pretrain", "kind": "mle", "steps": 2}, {"name": "d_pretrain", "steps": 1}, {"name": "adversarial"}])
    other.load_state_dict(state)
    assert other.current.name == "adversarial" and other.done_in_phase == 100


def test_bounded_schedule_finishes_and_zero_step_phases_are_skipped():
    sched = PhaseSchedule.from_config([{"name": "a", "steps": 0}, {"name": "b", "steps": 2}])
    assert sched.current.name == "b"
    sched.advance(2)
    assert sched.finished


def test_default_schedule_is_one_adversarial_phase():
    sched = PhaseSchedule.from_config(None)
    assert [p.kind for p in sched.phases] == ["adversarial"] and sched.current.steps is None


def test_bad_phase_steps_error_names_the_key():
    with pytest.raises(GanforgeError, match=r"model.phases\[0\].steps: expected a non-negative integer"):
        PhaseSchedule.from_config([{"name": "a", "steps": -3}])
