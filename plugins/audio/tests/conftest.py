"""Shared fixtures for the audio plugin tests."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    # The test machine's two cores are shared by several jobs: with more threads than
    # free cores, torch's thread pool spins and small ops get 10-20x slower. Restored after.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


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

    old = os.environ.get("GANFORGE_CACHE")
    os.environ["GANFORGE_CACHE"] = str(tmp_path_factory.mktemp("ganforge_cache"))
    yield
    if old is None:
        os.environ.pop("GANFORGE_CACHE", None)
    else:
        os.environ["GANFORGE_CACHE"] = old
