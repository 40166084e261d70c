"""The public/internal boundary of the core: plugins (their sources and tests), bench
scripts and the tutorial plugin import only ``ganforge`` itself and the public modules
below, never ``ganforge._internal`` (training assembly, config composition, callbacks,
loggers, registry, sweeps, run locks, resume) or the CLI.

The machinery is reachable through the names ``ganforge`` exports (``compose_config``,
``train``, ``make_trainer``, ``get_registry``, ``load_module``, ``exit_with_error``), so it
can change without breaking a plugin. A new core module is internal until it is added here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ganforge

REPO = Path(__file__).resolve().parents[1]

#: modules a plugin author may import (docs/architecture.md, "public API")
PUBLIC_MODULES = {
    "errors", "plugin", "module", "losses", "penalties", "ema", "phases", "policy_gradient", "utils", "schema",
    "progress", "testing", "report", "generation", "export", "distributed", "settings", "layers", "augment",
}

#: what else lives at the top of the package: the machinery, the console scripts, the scaffold
NOT_FOR_PLUGINS = {"_internal", "cli", "scaffold"}

SCANNED = [
    *sorted((REPO / "plugins").glob("*/src/**/*.py")),
    *sorted((REPO / "plugins").glob("*/tests/**/*.py")),
    *sorted((REPO / "bench").glob("*.py")),
    *sorted((REPO / "docs" / "examples").rglob("*.py")),
]


def ganforge_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, dotted module)`` of every ``import ganforge.X`` / ``from ganforge.X import`` in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("ganforge.")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("ganforge."):
                found.append((node.lineno, node.module))
    return found


def test_the_scan_covers_plugins_bench_and_the_tutorial():
    names = {p.relative_to(REPO).parts[0] for p in SCANNED}
    assert names == {"plugins", "bench", "docs"}
    assert len(SCANNED) > 80


@pytest.mark.parametrize("path", SCANNED, ids=[str(p.relative_to(REPO)) for p in SCANNED])
def test_only_public_core_modules_are_imported(path):
    # a plugin's tests may drive the console scripts in-process (what a user runs)
    allowed = PUBLIC_MODULES | ({"cli"} if "tests" in path.relative_to(REPO).parts else set())
    bad = [f"{path.relative_to(REPO)}:{line}: {mod}" for line, mod in ganforge_imports(path)
           if mod.split(".")[1] not in allowed]
    assert not bad, "internal ganforge modules imported (use the names ganforge exports): " + "; ".join(bad)


def test_the_scanner_flags_an_internal_import(tmp_path):
    sample = tmp_path / "plugin.py"
    sample.write_text("import ganforge._internal.training\nfrom ganforge._internal.config import compose_config\nfrom ganforge import train\n")
    mods = [m for _, m in ganforge_imports(sample)]
    assert mods == ["ganforge._internal.training", "ganforge._internal.config"]
    assert all(m.split(".")[1] not in PUBLIC_MODULES for m in mods)


def test_the_machinery_is_reachable_through_public_names():
    for name in ("compose_config", "train", "make_trainer", "get_registry", "load_module", "exit_with_error", "track"):
        assert callable(getattr(ganforge, name)) and name in ganforge.__all__
    for module in PUBLIC_MODULES:
        __import__(f"ganforge.{module}")


def test_make_trainer_and_train_callbacks_drive_a_real_run(tmp_path):
    pytest.importorskip("ganforge_images")
    from lightning.pytorch.callbacks import Callback

    cfg = ganforge.compose_config(["domain=images", "model=dcgan", "debug=smoke", "trainer.max_steps=3",
                                   "run.progress_bar=false"])

    class Count(Callback):
        batches = 0

        def on_train_batch_end(self, *args):
            Count.batches += 1

    metrics = ganforge.train(cfg, tmp_path / "run", callbacks=[Count()])
    assert Count.batches >= 3 and metrics.get("g_step", 3) >= 3
    plugin = ganforge.get_registry().get("images")
    dm = plugin.build_datamodule(cfg)
    dm.setup("fit")
    module = plugin.make_module(cfg, dm.spec())
    ganforge.make_trainer(cfg, tmp_path / "fit").fit(module, datamodule=dm)  # the schedule stops it
    assert module.g_step == 3


def test_the_notebook_build_in_architecture_md_runs():
    """docs/architecture.md shows a model built from flat arguments without a DictConfig;
    that code runs as shown and the model samples."""
    pytest.importorskip("ganforge_images")
    import re

    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/architecture.md lost its notebook example"
    for block in blocks:
        scope: dict = {}
        exec(compile("\n".join(line[2:] if line.startswith("  ") else line for line in block.splitlines()),
                     "docs/architecture.md", "exec"), scope)
        model = scope["model"]
        assert model.latent_dim == 64 and not hasattr(model, "cfg")
        assert tuple(model.sample(2).shape) == (2, 1, 32, 32)


def test_core_tests_declare_the_built_in_domains_they_run():
    """A core test module that runs ``domain=<built-in>`` lists it in ``PLUGINS`` so that
    tests/conftest.py skips it cleanly when that plugin is not installed."""
    import importlib.util
    import re

    spec = importlib.util.spec_from_file_location("core_conftest", REPO / "tests" / "conftest.py")
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    PLUGIN_PACKAGES = conftest.PLUGIN_PACKAGES  # noqa: N806

    undeclared = []
    for path in sorted([*(REPO / "tests").glob("test_*.py"), *(REPO / "tests" / "faults").glob("test_*.py")]):
        text = path.read_text(encoding="utf-8")
        used = {d for d in re.findall(r"domain=([a-z]+)", text) if d in PLUGIN_PACKAGES and d != "points"}
        match = re.search(r"^PLUGINS = \((.*)\)$", text, flags=re.M)
        declared = set(re.findall(r'"([a-z]+)"', match.group(1))) if match else set()
        # or each test guards itself: pytest.importorskip("ganforge_images")
        declared |= {d for d, pkg in PLUGIN_PACKAGES.items() if f'importorskip("{pkg}")' in text}
        if used - declared:
            undeclared.append(f"{path.relative_to(REPO)}: {sorted(used - declared)}")
    assert not undeclared, undeclared


#: reads with a default that are not configuration: a run directory's saved files (the
#: report shows "-" for what an old run lacks; resume compares metrics.json)
NOT_CONFIG_READS = {
    "core/ganforge/report/run.py": 'cfg.get("seed", "-")',
    "core/ganforge/_internal/resume.py": 'metrics.get("g_step", -1)',
}


def test_no_code_reads_a_config_key_with_its_own_default():
    """Defaults live once, in the YAML or a schema: no ``cfg.get("key", <default>)`` (or on
    any config node name) in the core, the built-in plugins or the tutorial plugin."""
    import re

    pattern = re.compile(r"\b(cfg|[a-z_]*_cfg|m|mc|node|data|model|run|optim|ema|trainer|metrics|logger)"
                         r"\.get\(\s*\"[^\"]+\"\s*,\s*[^N )]")
    sources = [*(REPO / "core" / "ganforge").rglob("*.py"), *(REPO / "plugins").glob("*/src/**/*.py"),
               *(REPO / "docs" / "examples").glob("*/src/**/*.py")]
    found = []
    for path in sources:
        rel = str(path.relative_to(REPO))
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and NOT_CONFIG_READS.get(rel, "\0") not in line:
                found.append(f"{rel}:{no}: {line.strip()}")
    assert not found, found
    # the scanner does flag the old style, on a node or an attribute chain
    assert pattern.search('    width = m.get("g_width", 64)') and pattern.search('size = int(cfg.data.get("size", 32))')
