"""Multirun sweeps: numbered job dirs, a summary with failed jobs recorded, Optuna, launchers."""

import csv

import pytest

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images", "oracle")

SMOKE = ["domain=images", "model=dcgan", "debug=smoke", "trainer.accelerator=cpu", "run.progress_bar=false", "run.sample_count=4"]


def test_sweep_records_failures_and_writes_summary(run_cli, tmp_path):
    sweep = tmp_path / "sweep"
    res = run_cli("gan-run", "-m", *SMOKE, "data.size=16,12", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    # a sweep with a failed job fails as a command, after running every job
    assert res.returncode == 1, res.stderr[-3000:]
    assert f"1 of 2 jobs ok; failed: 1 (see {sweep}/1/run.log)" in res.stdout
    assert (sweep / "0" / "checkpoints" / "last.ckpt").is_file()
    rows = list(csv.DictReader((sweep / "summary.csv").open()))
    assert [r["job"] for r in rows] == ["0", "1"]
    by_size = {("12" if "data.size=12" in r["overrides"] else "16"): r for r in rows}
    assert by_size["16"]["status"] == "ok" and float(by_size["16"]["g_step"]) == 4
    assert by_size["12"]["status"] == "failed" and "data.size=12" in by_size["12"]["error"]
    md = (sweep / "summary.md").read_text()
    assert "1 of 2 jobs ok" in md


def test_optuna_search_runs_trials(run_cli, tmp_path):
    pytest.importorskip("hydra_plugins.hydra_optuna_sweeper")
    sweep = tmp_path / "optuna"
    res = run_cli(
        "gan-run", "-m", *SMOKE, "trainer.max_steps=2", "search=optuna", "search.n_trials=2",
        "run.monitor=train/loss/g", f"hydra.sweep.dir={sweep}", cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert (sweep / "optimization_results.yaml").is_file()
    rows = list(csv.DictReader((sweep / "summary.csv").open()))
    assert len(rows) == 2 and all(r["status"] == "ok" for r in rows)
    assert all("optim.lr_g=" in r["overrides"] for r in rows)


@pytest.mark.parametrize("launcher,target", [("joblib", "JoblibLauncher"), ("slurm", "SlurmLauncher")])
def test_launcher_configs_compose(run_cli, tmp_path, launcher, target):
    pytest.importorskip(f"hydra_plugins.hydra_{'joblib' if launcher == 'joblib' else 'submitit'}_launcher")
    res = run_cli("gan-run", "domain=images", f"launcher={launcher}", "--cfg", "hydra", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert target in res.stdout


MODEL_SWEEP = ["debug=smoke", "trainer.accelerator=cpu", "run.progress_bar=false", "run.sample_count=4", "trainer.max_steps=2"]


@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_model_list_sweep_runs_every_job(run_cli, tmp_path, launcher):
    """The README's headline sweep shape: a model list times a value list."""
    extra = []
    if launcher == "joblib":
        pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
        extra = ["launcher=joblib", "hydra.launcher.n_jobs=2"]
    sweep = tmp_path / "sweep"
    res = run_cli("gan-run", "-m", "domain=images", "model=dcgan,wgan-gp", "seed=0,1", *MODEL_SWEEP, *extra,
                  f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "4 of 4 jobs ok" in res.stdout
    rows = list(csv.DictReader((sweep / "summary.csv").open()))
    assert sorted((r["model"], "seed=1" in r["overrides"]) for r in rows) == [
        ("dcgan", False), ("dcgan", True), ("wgan-gp", False), ("wgan-gp", True)]
    assert all(r["status"] == "ok" and float(r["g_step"]) == 2 for r in rows)
    for job in sweep.iterdir():
        if job.is_dir() and job.name.isdigit():  # each job really ran its own model's config
            cfg = (job / ".hydra" / "config.yaml").read_text()
            want_loss = "wgan" if "model=wgan-gp" in (job / ".hydra" / "overrides.yaml").read_text() else "bce"
            assert f"loss: {want_loss}" in cfg


def test_domain_sweep_uses_each_domains_default_model(run_cli, tmp_path):
    sweep = tmp_path / "sweep"
    res = run_cli("gan-run", "-m", "domain=images,oracle", *MODEL_SWEEP, f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    rows = {r["domain"]: r for r in csv.DictReader((sweep / "summary.csv").open())}
    assert {d: r["model"] for d, r in rows.items()} == {"images": "dcgan", "oracle": "seqgan"}
    assert all(r["status"] == "ok" for r in rows.values())


def test_model_sweep_with_a_bad_value_fails_and_names_it(run_cli, tmp_path):
    sweep = tmp_path / "sweep"
    # data.size=12 is a valid value that only DCGAN's network rejects (a power of two), at run time
    res = run_cli("gan-run", "-m", "domain=images", "model=dcgan,wgan-gp", "data.size=16,12", *MODEL_SWEEP,
                  f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert res.returncode == 1
    rows = list(csv.DictReader((sweep / "summary.csv").open()))
    assert len(rows) == 4
    failed = [r for r in rows if r["status"] != "ok"]
    assert [(r["model"], "data.size=12" in r["overrides"]) for r in failed] == [("dcgan", True)]
    assert "data.size=12" in failed[0]["error"]
    assert all((sweep / r["job"] / "status.json").is_file() for r in rows)
    assert f"3 of 4 jobs ok; failed: {failed[0]['job']} (see {sweep}/{failed[0]['job']}/run.log)" in res.stdout


def test_two_sweeps_started_together_get_their_own_directories(run_cli, tmp_path):
    """The sweep root is named like run dirs (ms + random suffix), not by the second."""
    import subprocess
    import sys

    procs = [subprocess.Popen([sys.executable, "-m", "ganforge.cli.run", "-m", "domain=images", "model=dcgan",
                               *MODEL_SWEEP, "seed=0"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
    roots = sorted(p.name for p in (tmp_path / "multirun").iterdir())
    assert len(roots) == 2, roots
    assert all((tmp_path / "multirun" / r / "summary.csv").is_file() for r in roots)
