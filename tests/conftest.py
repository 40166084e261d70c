"""Shared fixtures for the core test suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def shared_data():
    """Path to ../shared/data, or skip when this checkout has none beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data not present")
    return SHARED_DATA


def cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a ganforge console script from this environment and capture its output."""
    exe = shutil.which(args[0], path=str(Path(sys.executable).parent)) or args[0]
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run([exe, *args[1:]], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def run_cli():
    """The :func:`cli` helper as a fixture."""
    return cli


#: import name of each built-in domain plugin (a core test module lists the domains it runs
#: in a module-level ``PLUGINS = ("images", ...)``; without them it skips, saying which)
PLUGIN_PACKAGES = {
    "images": "ganforge_images", "audio": "ganforge_audio", "midi": "ganforge_midi", "graphs": "ganforge_graphs",
    "poetry": "ganforge_sequence", "oracle": "ganforge_sequence", "molecules": "ganforge_molecules",
    "points": "ganforge_points",
}


def pytest_collection_modifyitems(config, items):
    """Core tests that drive a built-in domain declare it (``PLUGINS``) and skip cleanly
    when that plugin is not installed: the core's suite needs only the core and the
    tutorial plugin."""
    import importlib.util

    missing_cache: dict[str, bool] = {}
    for item in items:
        needed = getattr(item.module, "PLUGINS", ()) if item.module is not None else ()
        for domain in needed:
            package = PLUGIN_PACKAGES[domain]
            if package not in missing_cache:
                missing_cache[package] = importlib.util.find_spec(package) is None
            if missing_cache[package]:
                item.add_marker(pytest.mark.skip(reason=f"needs the {domain} plugin ({package}), not installed"))
                break
