"""CLI details a new user hits at once: help texts, gan-plugins, optional extras,
gan-sample leaving nothing behind on bad options, model configs namespaced per domain."""

from __future__ import annotations

import os
import textwrap

import pytest
import yaml

from ganforge import GanforgeError
from ganforge.cli import arguments

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images",)

SMOKE = ["debug=smoke", "trainer.accelerator=cpu", "run.progress_bar=false", "trainer.max_steps=2"]


def test_gan_run_help_explains_ganforge_keys_and_domains(run_cli, tmp_path):
    res = run_cli("gan-run", "--help", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for key in ("domain=NAME", "model=NAME", "resume=RUN_DIR", "debug=smoke"):
        assert key in out
    assert "images" in out and "dcgan, " in out  # domains with their models, default first
    assert out.index("domain=NAME") < out.index("Hydra's generic options")


def test_gan_run_help_with_domain_shows_its_config(run_cli, tmp_path):
    res = run_cli("gan-run", "domain=images", "model=wgan-gp", "--help", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.index("resume=RUN_DIR") < res.stdout.index("gp_weight: 10.0")


def test_gan_sample_help_exits_zero(run_cli, tmp_path):
    res = run_cli("gan-sample", "--help", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("usage: gan-sample") and "checkpoint=last" in res.stdout
    res = run_cli("gan-sample", cwd=tmp_path)
    assert res.returncode == 2 and "no run directory given" in res.stderr


def test_gan_plugins_lists_models_and_sample_options(run_cli):
    res = run_cli("gan-plugins", env={"COLUMNS": "250"})
    assert res.returncode == 0, res.stderr
    assert "gan-sample options" in res.stdout
    assert "cgan: interpolate, label, truncation" in res.stdout
    assert "cyclegan: direction, input" in res.stdout


def test_missing_optional_extra_is_a_one_line_install_hint(monkeypatch):
    monkeypatch.setitem(arguments.OPTIONAL_EXTRAS, ("search", "nosuch"), ("hydra_plugins.no_such_sweeper", "sweeps"))
    with pytest.raises(GanforgeError) as err:
        arguments.prepare_overrides(["domain=images", "search=nosuch"])
    assert str(err.value) == 'search=nosuch needs the optional extra [sweeps]: pip install "ganforge[sweeps]"'


def test_missing_extra_from_the_cli(run_cli, tmp_path):
    """Real subprocess with the launcher plugin hidden from the interpreter."""
    hide = tmp_path / "hide"
    (hide / "hydra_plugins" / "hydra_submitit_launcher").mkdir(parents=True)
    # an empty namespace-less package shadowing the real one makes find_spec fail cleanly
    (hide / "sitecustomize.py").write_text(textwrap.dedent('''
        import importlib.util, sys
        _real = importlib.util.find_spec
        def _find_spec(name, package=None):
            if name.startswith("hydra_plugins.hydra_submitit_launcher"):
                return None
            return _real(name, package)
        importlib.util.find_spec = _find_spec
    '''))
    env = {"PYTHONPATH": f"{hide}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    res = run_cli("gan-run", "domain=images", "launcher=slurm", "--cfg", "job", cwd=tmp_path, env=env)
    assert res.returncode == 2
    assert res.stderr.strip() == 'gan-run: error: launcher=slurm needs the optional extra [sweeps]: pip install "ganforge[sweeps]"'


def test_gan_sample_bad_option_creates_no_output_dir(run_cli, tmp_path):
    run = tmp_path / "run"
    res = run_cli("gan-run", "domain=images", "model=dcgan", *SMOKE, f"hydra.run.dir={run}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    for noise in ("Trainer.fit", "FutureWarning", "GPU available: False", "TPU available", "weights_only", "Tip:"):
        assert noise not in res.stdout + res.stderr  # a normal run prints nothing the user did not ask for
    out = tmp_path / "never"
    res = run_cli("gan-sample", str(run), "n=2", f"out={out}", "lable=3", cwd=tmp_path)
    assert res.returncode == 2
    assert "unknown option(s) ['lable']" in res.stderr and "Traceback" not in res.stderr
    assert not out.exists()


def _points_variant(site, domain: str, hidden: int) -> None:
    """An installed third-party plugin (dist-info + package) shipping its own model/mlp.yaml."""
    pkg = site / f"gf_{domain}"
    conf = pkg / "conf"
    for sub in ("domain", "model"):
        (conf / sub).mkdir(parents=True)
    (pkg / "__init__.py").write_text(textwrap.dedent(f'''
        from ganforge_points.domain import PointsDomain

        class Plugin(PointsDomain):
            name = "{domain}"
            config_package = "gf_{domain}.conf"
    '''))
    (conf / "__init__.py").write_text("")
    domain_yaml = (site.parent / "points_domain.yaml").read_text().replace("name: points", f"name: {domain}")
    (conf / "domain" / f"{domain}.yaml").write_text(domain_yaml)
    model = yaml.safe_load((site.parent / "points_mlp.yaml").read_text())
    model["model"]["hidden"] = hidden
    (conf / "model" / "mlp.yaml").write_text("# @package _global_\n" + yaml.safe_dump(model))
    info = site / f"gf_{domain}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: gf-{domain}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[ganforge.domains]\n{domain} = gf_{domain}:Plugin\n")


def test_two_plugins_shipping_model_mlp_each_run_their_own(run_cli, tmp_path):
    pytest.importorskip("ganforge_points")
    from importlib.resources import files

    conf = files("ganforge_points.conf")
    (tmp_path / "points_domain.yaml").write_text(conf.joinpath("domain", "points.yaml").read_text())
    (tmp_path / "points_mlp.yaml").write_text(conf.joinpath("model", "mlp.yaml").read_text())
    site = tmp_path / "site"
    site.mkdir()
    _points_variant(site, "pointsa", 7)
    _points_variant(site, "pointsb", 9)
    env = {"PYTHONPATH": f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    hidden = {}
    for domain in ("pointsa", "pointsb", "points"):
        run = tmp_path / f"run-{domain}"
        res = run_cli("gan-run", f"domain={domain}", "model=mlp", *SMOKE, "run.sample_count=8",
                      f"hydra.run.dir={run}", cwd=tmp_path, env=env)
        assert res.returncode == 0, res.stderr[-2000:]
        assert "warn" not in res.stderr.lower() or "mlp.yaml" not in res.stderr
        cfg = yaml.safe_load((run / ".hydra" / "config.yaml").read_text())
        assert cfg["domain"]["name"] == domain
        hidden[domain] = cfg["model"]["hidden"]
    assert hidden["pointsa"] == 7 and hidden["pointsb"] == 9
    assert hidden["points"] not in (7, 9)  # the tutorial plugin keeps its own (smoke-sized) mlp
