"""logger=mlflow against MLflow's local store: metrics at generator steps, the config as
parameters and the sample sheets as artifacts, from a real smoke run."""

from __future__ import annotations

import pytest
import torch

from ganforge.testing.runs import run_smoke

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images",)


def test_mlflow_local_store_gets_metrics_params_and_samples(tmp_path):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    torch.set_num_threads(1)
    run_smoke("images", "dcgan", tmp_path / "run",
              ["logger=mlflow", f"logger.mlflow.tracking_uri={uri}", "logger.mlflow.experiment=smoke", "run.sample_count=4"])
    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name("smoke")
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 1
    run = runs[0]
    assert run.info.status == "FINISHED" and run.info.run_name == "images/dcgan/run"
    history = client.get_metric_history(run.info.run_id, "loss/g")
    assert [m.step for m in history] == [1, 2, 3, 4]
    assert run.data.params["model.name"] == "dcgan" and run.data.params["trainer.max_steps"] == "4"
    steps = {a.path for a in client.list_artifacts(run.info.run_id, "samples")}
    assert {"samples/step_0000002", "samples/step_0000004"} <= steps
    sheets = [a.path for a in client.list_artifacts(run.info.run_id, "samples/step_0000002")]
    assert sheets == ["samples/step_0000002/step_0000002.png"]


def test_missing_tracker_package_is_one_line(tmp_path):
    import importlib.util

    if importlib.util.find_spec("wandb") is not None:
        pytest.skip("wandb is installed here; this checks the message without it")
    from ganforge import GanforgeError

    with pytest.raises(GanforgeError, match=r"logger=wandb needs Weights & Biases: pip install 'ganforge\[wandb\]'"):
        run_smoke("points", None, tmp_path / "run", ["logger=wandb"])
