"""RichStepProgress: a total and an ETA for every run, phase-based ones included."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from rich.console import Console

from ganforge._internal.callbacks import RichStepProgress
from ganforge.phases import PhaseSchedule


def _module(phases, max_steps=None):
    return SimpleNamespace(phases=PhaseSchedule.from_config(phases), max_steps=max_steps, g_step=0, last_logs={"loss/g": 1.5})


SEQGAN = [{"name": "mle_pretrain", "kind": "mle", "steps": 4}, {"name": "d_pretrain", "steps": 2},
          {"name": "adversarial", "steps": 6}]


def test_plan_covers_every_kind_of_run():
    assert RichStepProgress.plan(_module(SEQGAN)) == ("phases", 12)
    assert RichStepProgress.plan(_module(None, max_steps=500)) == ("steps", 500)
    mixed = [{"name": "mle_pretrain", "kind": "mle", "steps": 3}, {"name": "adversarial", "steps": None}]
    assert RichStepProgress.plan(_module(mixed, max_steps=100)) == ("steps", 100)
    assert RichStepProgress.plan(_module(None)) == ("open", None)


def test_phase_run_shows_total_current_phase_and_eta():
    out = io.StringIO()
    bar = RichStepProgress(console=Console(file=out, width=200, force_terminal=False))
    module = _module(SEQGAN)
    trainer = SimpleNamespace(is_global_zero=True)
    bar.on_train_start(trainer, module)
    for _ in range(4):  # the MLE phase: 4 units, 1 s each
        module.phases.advance(1)
        module.g_step += 10
    # 4 units in 4 s of MLE; D pretraining (2) and adversarial (6) charged at the average (1 s/unit)
    bar._phase_t0 = bar._t0 + 4.0  # the phase change is seen at 4 s
    bar._phase_index = module.phases.index
    eta = bar.eta_seconds(module, now=bar._t0 + 4.0)
    assert eta == pytest.approx(8.0)
    module.phases.advance(1)  # one D round that took 3 s: the rest of this phase is charged at 3 s/unit
    eta = bar.eta_seconds(module, now=bar._t0 + 7.0)
    per_unit = 7.0 / 5
    assert eta == pytest.approx(1 * 3.0 + 6 * per_unit)
    assert RichStepProgress.units_done(module) == 5
    bar.on_train_end(trainer, module)
    text = out.getvalue()
    assert "d_pretrain (2/3)" in text and "5/12" in text and "ETA ~" in text
    assert "d_pretrain (d_pretrain units)" in text and "1/2" in text  # the current phase's own bar


def test_step_run_eta_and_open_run_without_total():
    out = io.StringIO()
    bar = RichStepProgress(console=Console(file=out, width=200, force_terminal=False))
    module = _module(None, max_steps=100)
    bar.on_train_start(SimpleNamespace(is_global_zero=True), module)
    module.g_step = 25
    assert bar.eta_seconds(module, now=bar._t0 + 5.0) == pytest.approx(15.0)  # 75 steps at 0.2 s
    bar.on_train_end(None, module)
    assert "25/100" in out.getvalue() and "ETA" in out.getvalue()
    open_bar = RichStepProgress(console=Console(file=io.StringIO(), width=200))
    open_module = _module(None)
    open_bar.on_train_start(SimpleNamespace(is_global_zero=True), open_module)
    open_module.g_step = 3
    assert open_bar.eta_seconds(open_module) is None
    open_bar.on_train_end(None, open_module)
