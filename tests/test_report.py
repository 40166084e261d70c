"""The report's building blocks on hand-made run directories: curves from metrics.csv,
samples grouped by step, the default section a third-party plugin gets, status of a
failed run. (Real runs in a real browser: test_report_browser.py.)"""

from __future__ import annotations

import json
import re

from ganforge.report import (
    Audio,
    Figure,
    Link,
    Text,
    default_report_section,
    sample_steps,
    thin_steps,
    write_run_report,
)
from ganforge.report.curves import metric_charts, nice_ticks, read_metrics_csv


def _run_dir(tmp_path, status=None):
    run = tmp_path / "run"
    (run / "samples").mkdir(parents=True)
    (run / ".hydra").mkdir()
    (run / ".hydra" / "resolved.yaml").write_text("domain: {name: nosuchdomain}\nmodel: {name: m}\nseed: 3\ntrainer: {max_steps: 20}\n")
    (run / ".hydra" / "overrides.yaml").write_text("- domain=nosuchdomain\n- optim.lr_g=0.001\n")
    (run / "logs").mkdir()
    (run / "logs" / "metrics.csv").write_text(
        "step,loss/d,loss/g,phase_index,fid/x\n1,1.5,0.7,0,\n2,1.4,0.8,0,\n10,1.2,0.9,1,\n20,,,1,33.5\n")
    for name in ("step_0000010.png", "step_0000010.wav", "step_0000020.txt", "final.mid", "final.png", "notes.md"):
        (run / "samples" / name).write_bytes(b"x")
    (run / "samples" / "step_0000020.txt").write_text("a poem\nin two lines")
    if status:
        (run / "status.json").write_text(json.dumps(status))
    return run


def test_metrics_csv_curves_skip_gaps_and_mark_phases(tmp_path):
    run = _run_dir(tmp_path)
    series = read_metrics_csv(run / "logs" / "metrics.csv")
    assert series["loss/d"] == [(1.0, 1.5), (2.0, 1.4), (10.0, 1.2)] and series["fid/x"] == [(20.0, 33.5)]
    charts = metric_charts(run / "logs" / "metrics.csv")
    assert len(charts) == 1  # "loss" (two lines); fid was logged once: a number, not a curve
    assert charts[0].count("<polyline") == 2 and 'class="phase"' in charts[0] and "loss/g (0.9)" in charts[0]
    assert nice_ticks(0, 1) == [0, 0.25, 0.5, 0.75, 1.0] and nice_ticks(1.3, 1.52) == [1.3, 1.4, 1.5] and nice_ticks(3, 3) == [3]


def test_samples_grouped_by_step_and_default_blocks(tmp_path):
    run = _run_dir(tmp_path)
    steps = sample_steps(run)
    assert [s.label for s in steps] == ["step 10", "step 20", "final"]  # notes.md is not a sample
    section = default_report_section("nosuchdomain", run)
    kinds = [[type(b).__name__ for b in g.blocks] for g in section.groups]
    assert kinds == [["Figure", "Audio"], ["Text"], ["Link", "Figure"]]
    assert isinstance(section.groups[1].blocks[0], Text) and "in two lines" in section.groups[1].blocks[0].text
    assert section.thumbnail.name == "final.png"
    assert {type(b) for g in section.groups for b in g.blocks} == {Figure, Audio, Text, Link}


def test_thin_steps_keeps_first_last_and_final():
    from ganforge.report import SampleStep

    steps = [SampleStep(f"step {i}", f"step_{i:07d}", i, []) for i in range(1, 101)] + [SampleStep("final", "final", None, [])]
    kept = thin_steps(steps, keep=12)
    assert len(kept) == 12 and kept[0].step == 1 and kept[-1].label == "final" and kept[-2].step == 100


def test_failed_run_report_names_the_error_and_unknown_domain_falls_back(tmp_path):
    run = _run_dir(tmp_path, {"status": "failed", "error": "RuntimeError: CUDA out of memory"})
    html = write_run_report(run).read_text()
    assert '<span class="badge failed">failed</span>' in html and "CUDA out of memory" in html
    assert "domain=nosuchdomain optim.lr_g=0.001" in html and "of 20" in html
    assert "not installed here" in html  # the raw files are still shown
    assert not re.search(r"""(src|href)=["']https?:""", html) and "<script" not in html
    # media are linked relative to the report, so the run dir can move
    assert 'src="samples/final.png"' in html and 'src="samples/step_0000010.wav"' in html
