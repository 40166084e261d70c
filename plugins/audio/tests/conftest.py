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
