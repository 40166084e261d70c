"""Shared fixtures for the audio plugin tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def drum_dir(tmp_path_factory):
    """A small synthesised drum set (10 clips per class) shared by the tests."""
    from ganforge_audio.drums import synthesise_drums

    root = tmp_path_factory.mktemp("drums")
    synthesise_drums(root, per_class=10, seed=7)
    return root


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    # Embedded drums and trained IS classifiers go to a per-session cache, not ~/.cache.
    import os

    old = os.environ.get("GANFORGE_CACHE_DIR")
    os.environ["GANFORGE_CACHE_DIR"] = str(tmp_path_factory.mktemp("ganforge_cache"))
    yield
    if old is None:
        os.environ.pop("GANFORGE_CACHE_DIR", None)
    else:
        os.environ["GANFORGE_CACHE_DIR"] = old
