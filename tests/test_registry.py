"""Plugin discovery through real entry points of (temporary) installed distributions."""

import sys
import textwrap

import pytest

from ganforge import GanforgeError
from ganforge._internal.registry import PluginLoadWarning, Registry

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images",)


def make_dist(site, name, entry_points, module_source=None, module_name=None):
    """Create an installed distribution (dist-info + optional module) under ``site``."""
    info = site / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ganforge.domains]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items()))
    if module_source:
        (site / f"{module_name}.py").write_text(textwrap.dedent(module_source))


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for mod in [m for m in sys.modules if m.startswith("gf_test_")]:
        del sys.modules[mod]


def test_broken_plugin_is_reported_and_skipped(site):
    make_dist(site, "gf-broken", {"broken": "gf_test_missing_module:Plugin"})
    make_dist(site, "gf-wrongtype", {"wrongtype": "gf_test_wrong:NotAPlugin"}, "class NotAPlugin: pass\n", "gf_test_wrong")
    with pytest.warns(PluginLoadWarning) as record:
        registry = Registry()
    messages = " ".join(str(w.message) for w in record)
    assert "broken" in messages and "gf-broken" in messages
    assert set(registry.broken) == {"broken", "wrongtype"}
    assert "ModuleNotFoundError" in registry.broken["broken"]
    assert "expected a ganforge.DomainPlugin" in registry.broken["wrongtype"]
    assert "images" in registry.names()  # the others still load
    with pytest.raises(GanforgeError, match="plugin failed to load"):
        registry.get("broken")


def test_duplicate_domain_names_fail_loudly(site):
    make_dist(site, "gf-impostor", {"images": "ganforge_images.domain:ImagesDomain"})
    with pytest.raises(GanforgeError, match=r"domain 'images' is provided by two installed distributions: .*gf-impostor"):
        Registry()


def test_third_party_plugin_is_found_with_its_models(site):
    source = '''
        from ganforge import DomainPlugin

        class Toy(DomainPlugin):
            name = "toy"
            models = ("a", "b")
            default_model = "a"
            config_package = "gf_test_toy_conf"

            def build_datamodule(self, cfg): raise NotImplementedError
            def build_module(self, cfg, spec): raise NotImplementedError
            def export_samples(self, samples, out_dir, stem, individual=False): return []
    '''
    make_dist(site, "gf-toy", {"toy": "gf_test_toy:Toy"}, source, "gf_test_toy")
    registry = Registry()
    assert registry.domains["toy"].distribution == "gf-toy"
    assert registry.get("toy").models == ("a", "b")
    registry.check_model("toy", "b")
    with pytest.raises(GanforgeError, match=r"unknown model for domain 'toy' 'c'; valid choices: a, b"):
        registry.check_model("toy", "c")


def test_gan_plugins_reports_broken_plugin(run_cli, tmp_path):
    make_dist(tmp_path, "gf-broken", {"broken": "gf_test_missing_module:Plugin"})
    import os

    res = run_cli("gan-plugins", env={"PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", "COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    assert "images" in res.stdout and "broken" in res.stdout and "gf-broken" in res.stdout
