"""gan-report in a real browser: reports of real smoke runs (images, audio, MIDI, graphs,
poetry, the tutorial's points plugin) and of a real 2-job sweep (one job failing) are
opened in headless Chromium; every image must decode, every audio element must load
its metadata, every link must point at an existing file, nothing may come from the
network, and the console must stay free of errors. Screenshots go to the tmp dir.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
from report_browser import Chromium, find_chromium, local_path  # noqa: E402

from ganforge.testing.runs import run_smoke  # noqa: E402

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images", "audio", "midi", "graphs", "poetry")

# domain, model, extra overrides (small sheets keep the runs and the pages light)
RUNS = {
    "images": ("images", "dcgan", ["run.sample_count=16"]),
    "audio": ("audio", "wavegan", ["run.sample_count=4"]),
    "midi": ("midi", None, ["run.sample_count=4"]),
    "graphs": ("graphs", "cell", []),
    "poetry": ("poetry", "mle", ["run.sample_count=8"]),
    "points": ("points", None, []),
}
SWEEP = ["domain=images", "model=dcgan", "debug=smoke", "trainer.accelerator=cpu", "run.progress_bar=false",
         "run.sample_count=4", "data.size=16,12"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """One real smoke run per domain, trained in-process (gan-run's own train())."""
    root = tmp_path_factory.mktemp("report-runs")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        out = {}
        for key, (domain, model, overrides) in RUNS.items():
            run_smoke(domain, model, root / key, overrides)
            out[key] = root / key
        return out
    finally:
        torch.set_num_threads(before)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """A real ``gan-run -m`` sweep of two jobs, the second failing (data.size=12 is too small)."""
    from conftest import cli

    root = tmp_path_factory.mktemp("report-sweep")
    res = cli("gan-run", "-m", *SWEEP, f"hydra.sweep.dir={root / 'sweep'}", cwd=root, env={"OMP_NUM_THREADS": "1"})
    assert res.returncode == 1, res.stderr[-2000:]  # one job failed, as intended
    return root / "sweep"


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium; skips only when no browser binary is installed."""
    binary = find_chromium()
    if binary is None:
        pytest.skip("no Chromium/Chrome binary found: install Debian's 'chromium' package (.ci/run does) "
                    "or point $GANFORGE_CHROMIUM at one")
    chromium = Chromium(binary)
    yield chromium
    chromium.close()


def check_page(page: dict, report: Path) -> None:
    """What every report must satisfy in the browser."""
    assert page["console_errors"] == [], f"{report}: console errors {page['console_errors']}"
    assert page["external"] == [], f"{report}: fetches from the network {page['external']}"
    assert page["scripts"] <= 1, f"{report}: {page['scripts']} scripts"
    for img in page["images"]:
        assert img["ok"], f"{report}: image did not load: {img['src']}"
        assert local_path(img["src"]).is_file()
    for audio in page["audio"]:
        assert audio["error"] is None and audio["ready"] >= 1, f"{report}: audio did not load: {audio}"
        assert audio["duration"] and audio["duration"] > 0, audio
        assert local_path(audio["src"]).is_file()
    for href in page["links"]:
        target = local_path(href.split("#")[0])
        assert target is None or target.exists(), f"{report}: broken link {href}"


def test_gan_run_writes_the_report_and_browser_shows_every_domain(runs, browser, tmp_path):
    expected_sections = {"Run", "Curves"}
    for key, run_dir in runs.items():
        report = run_dir / "report.html"
        assert report.is_file(), f"gan-run did not write {report} (run.report defaults to true)"
        shot = tmp_path / f"{key}.png"
        page = browser.open(report, screenshot=shot)
        check_page(page, report)
        assert expected_sections <= set(page["sections"]), page["sections"]
        assert any(s.startswith("Samples") for s in page["sections"])
        assert page["svgs"] >= 1, f"{key}: no loss curve"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
        sheets = {p.name for p in (run_dir / "samples").iterdir()}
        shown = {local_path(i["src"]).name for i in page["images"]}
        played = [local_path(a["src"]) for a in page["audio"]]
        if key == "images":
            assert {"step_0000002.png", "step_0000004.png", "final.png"} <= shown
        if key == "audio":
            # one player per sheet WAV, each with its labelled waveform+spectrogram figure
            assert sorted(p.name for p in played) == sorted(n for n in sheets if n.endswith(".wav"))
            assert sum("waveform_spectrogram" in n for n in shown) == len(played)
        if key == "midi":
            mids = sorted(n for n in sheets if n.endswith(".mid"))
            assert len(played) == len(mids) and all(p.suffix == ".wav" for p in played)
            linked = {local_path(h).name for h in page["links"] if local_path(h)}
            assert set(mids) <= linked
            assert {n for n in sheets if n.endswith(".png")} <= shown  # piano rolls
            assert "Previews rendered with FluidSynth" in report.read_text() or "sine synthesis" in report.read_text()
        if key == "graphs":
            assert any(n.endswith("_degrees.png") for n in shown) and any(n.endswith("_subgraph.png") for n in shown)
            html = report.read_text()
            assert "training graph" in html and "clustering coefficient" in html
        if key == "poetry":
            html = report.read_text()
            final = (run_dir / "samples" / "final.txt").read_text().split("\n\n")[0].strip()
            assert final.splitlines()[0] in html  # the first poem's first verse is on the page
        if key == "points":
            assert "generated points" in report.read_text()  # the tutorial plugin's own report_section


def test_sweep_report_links_every_job(sweep, browser, tmp_path):
    from ganforge.report.cli import run_report

    report = sweep / "report.html"
    assert report.is_file(), "gan-run -m did not write the sweep report"
    assert run_report([str(sweep)]) == report  # gan-report SWEEP_DIR rewrites it
    page = browser.open(report, screenshot=tmp_path / "sweep.png")
    check_page(page, report)
    job_links = {local_path(h) for h in page["links"]}
    assert {sweep / "0" / "report.html", sweep / "1" / "report.html"} <= job_links
    html = report.read_text()
    assert "1 of 2 jobs finished" in html and "failed" in html and "data.size=12" in html
    assert any(local_path(i["src"]).name == "final.png" for i in page["images"])  # job 0's thumbnail
    for job in ("0", "1"):
        job_page = browser.open(sweep / job / "report.html")
        check_page(job_page, sweep / job / "report.html")
    assert "failed" in (sweep / "1" / "report.html").read_text()


def test_tensorboard_gets_sample_media(runs):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    def tags(run: str) -> dict:
        acc = EventAccumulator(str(runs[run] / "logs" / "tensorboard"), size_guidance={"images": 0, "audio": 0})
        acc.Reload()
        return acc

    images = tags("images")
    assert sorted({e.step for e in images.Images("samples/sheet")}) == [2, 4]
    audio = tags("audio")
    clips = audio.Audio("samples/audio")
    assert clips and clips[0].sample_rate > 0 and len(clips[0].encoded_audio_string) > 1000
    assert audio.Images("samples/spectrograms")
    midi = tags("midi")
    assert midi.Images("samples/pianoroll") and midi.Audio("samples/preview")


def test_report_can_be_turned_off_and_bad_targets_are_one_line(tmp_path, run_cli):
    from ganforge import GanforgeError
    from ganforge.report.cli import run_report

    run_smoke("points", None, tmp_path / "off", ["run.report=false"])
    assert not (tmp_path / "off" / "report.html").exists()
    assert json.loads((tmp_path / "off" / "metrics.json").read_text())["g_step"] > 0
    assert run_report([str(tmp_path / "off"), f"out={tmp_path / 'r.html'}"]) == tmp_path / "r.html"
    assert "Samples (points)" in (tmp_path / "r.html").read_text()
    for args, message in (([str(tmp_path / "missing")], "not a directory"), ([str(tmp_path)], "no .hydra/, samples/ or logs/"),
                          ([str(tmp_path / "off"), "bogus"], "expected out=FILE")):
        with pytest.raises(GanforgeError, match=message):
            run_report(args)
    res = run_cli("gan-report", str(tmp_path / "missing"))  # the console script's one-line form
    assert res.returncode == 2 and res.stderr.startswith("gan-report: error:"), res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
