"""``PluginConformance``: the shared test class every plugin subclasses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from ganforge.errors import GanforgeError
from ganforge.testing.runs import assert_run_layout, compose_smoke, run_smoke, sample_files


class PluginConformance:
    """Subclass in a plugin's tests and set ``domain`` (and optionally the rest).

    Attributes:
        domain: the domain name under test.
        models: models to run (default: all the plugin declares).
        extra_overrides: overrides added to every smoke run (e.g. tiny data paths).
        sample_options: per-model ``gan-sample`` options, e.g. ``{"cgan": ["label=3"]}``.
        bad_data: ``(overrides, text)`` pairs: composing+training with ``overrides`` must
            raise :class:`GanforgeError` whose one-line message contains ``text``.
    """

    domain: ClassVar[str] = ""
    models: ClassVar[Sequence[str] | None] = None
    extra_overrides: ClassVar[Sequence[str]] = ()
    sample_options: ClassVar[dict[str, Sequence[str]]] = {}
    bad_data: ClassVar[Sequence[tuple[Sequence[str], str]]] = ()

    # -- hooks a plugin may override
    def check_sample_file(self, path: Path) -> None:
        """Assert one exported file is readable (default: exists and is non-empty)."""
        assert path.is_file() and path.stat().st_size > 0, f"{path} is empty"

    # -- helpers
    @classmethod
    def plugin(cls):
        """The installed plugin instance for ``domain``."""
        from ganforge._internal.registry import get_registry

        return get_registry().get(cls.domain)

    @classmethod
    def model_names(cls) -> list[str]:
        """The models exercised by the suite."""
        return list(cls.models or cls.plugin().models)

    # -- the tests
    def test_domain_is_discovered(self):
        """The entry point loads and the plugin states its models and config package."""
        from importlib.resources import files

        plugin = self.plugin()
        assert plugin.name == self.domain
        assert plugin.default_model in plugin.models
        from ganforge._internal.registry import get_registry

        conf = files(plugin.config_package)
        assert conf.joinpath("domain", f"{self.domain}.yaml").is_file(), "domain/<name>.yaml missing"
        # a model config may come from another installed plugin this one builds on
        # (e.g. midi reuses the sequence plugin's seqgan/mle)
        packages = [plugin.config_package, *get_registry().config_packages()]
        for model in plugin.models:
            assert any(files(p).joinpath("model", f"{model}.yaml").is_file() for p in packages), f"model/{model}.yaml missing"

    def test_every_model_composes(self):
        """Each model's config composes with the domain, normally and under debug=smoke."""
        for model in self.model_names():
            cfg = compose_smoke(self.domain, model, self.extra_overrides)
            assert cfg.domain.name == self.domain
            assert cfg.model.name == model
            assert cfg.debug_mode == "smoke"

    def test_unknown_model_is_a_listed_error(self):
        """An unknown model name gives one line listing this domain's models."""
        with pytest.raises(GanforgeError) as err:
            compose_smoke(self.domain, "no-such-model")
        message = str(err.value)
        assert "no-such-model" in message and "\n" not in message
        for model in self.plugin().models:
            assert model in message

    def test_smoke_train_sample_export(self, tmp_path: Path):
        """Every model trains under debug=smoke, writes the run layout, and samples to files."""
        for model in self.model_names():
            run_dir = tmp_path / model
            metrics = run_smoke(self.domain, model, run_dir, self.extra_overrides)
            assert_run_layout(run_dir)
            assert metrics["g_step"] >= 1
            for f in (run_dir / "samples").iterdir():
                self.check_sample_file(f)
            files = sample_files(run_dir, tmp_path / f"{model}-samples", n=3, options=self.sample_options.get(model, ()))
            assert files, f"gan-sample wrote nothing for {model}"
            for f in files:
                self.check_sample_file(f)

    def test_ddp_two_cpu_processes(self, tmp_path: Path):
        """The default model trains with 2 DDP processes on the CPU (gloo): one set of
        files, step count not doubled, metrics written once."""
        import json

        from ganforge.testing.runs import run_cli_module

        plugin = self.plugin()
        run_dir = tmp_path / "ddp"
        res = run_cli_module(
            "ganforge.cli.run",
            [f"domain={self.domain}", f"model={plugin.default_model}", "debug=smoke", "trainer=ddp",
             "trainer.devices=2", "trainer.accelerator=cpu", "run.progress_bar=false",
             *self.extra_overrides, f"hydra.run.dir={run_dir}"],
            cwd=tmp_path,
        )
        assert res.returncode == 0, res.stderr[-4000:]
        assert_run_layout(run_dir)
        metrics = json.loads((run_dir / "metrics.json").read_text())
        cfg = compose_smoke(self.domain, plugin.default_model, self.extra_overrides)
        if cfg.trainer.max_steps is not None and cfg.trainer.max_steps >= 0:
            assert metrics["g_step"] <= cfg.trainer.max_steps

    def test_bad_data_is_a_one_line_error(self, tmp_path: Path):
        """Bad data settings raise GanforgeError naming the problem."""
        if not self.bad_data:
            pytest.skip("plugin declares no bad_data cases")
        for overrides, text in self.bad_data:
            with pytest.raises(GanforgeError) as err:
                run_smoke(self.domain, None, tmp_path / "bad", [*self.extra_overrides, *overrides])
            assert text in str(err.value), f"{text!r} not in {err.value!r}"
