"""Multirun sweeps: numbered job dirs, a summary with failed jobs recorded, Optuna, launchers."""

import csv

import pytest

SMOKE = ["domain=images", "model=dcgan", "debug=smoke", "trainer.accelerator=cpu", "run.progress_bar=false", "run.sample_count=4"]


def test_sweep_records_failures_and_writes_summary(run_cli, tmp_path):
    sweep = tmp_path / "sweep"
    res = run_cli("gan-run", "-m", *SMOKE, "data.size=16,12", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
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
