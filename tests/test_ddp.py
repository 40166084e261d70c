"""A real 2-process DDP run (gloo, CPU) of the short DCGAN job through gan-run."""

import csv
import json

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images",)


def test_ddp_two_processes_write_once_and_do_not_double_count(run_cli, tmp_path):
    run_dir = tmp_path / "ddp"
    res = run_cli(
        "gan-run", "domain=images", "model=dcgan", "debug=smoke", "trainer=ddp", "trainer.devices=2",
        "trainer.accelerator=cpu", "run.progress_bar=false", f"hydra.run.dir={run_dir}", cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr[-4000:]
    assert "Initializing distributed: GLOBAL_RANK: 1, MEMBER: 2/2" in res.stderr + res.stdout
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["g_step"] == 4  # generator steps, not doubled by two processes
    assert any(k.startswith("fid/") for k in metrics)  # rank-0 evaluation did not deadlock
    assert sorted(p.name for p in (run_dir / "samples").iterdir()) == ["final.png", "step_0000002.png", "step_0000004.png"]
    rows = [r for r in csv.DictReader((run_dir / "logs" / "metrics.csv").open()) if r.get("loss/d")]
    assert [r["step"] for r in rows] == ["1", "2", "3", "4"]  # logged once, by rank 0
    assert (run_dir / "checkpoints" / "last.ckpt").is_file()
