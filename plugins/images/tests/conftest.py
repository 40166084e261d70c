"""Fixtures for the images plugin tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


@pytest.fixture(autouse=True, scope="module")
def _one_thread_per_module():
    # the test machine's cores are shared by several jobs: one intra-op thread avoids
    # oversubscription stalls that make tiny-network steps 10-50x slower
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(autouse=True, scope="session")
def _classifier_cache(tmp_path_factory):
    """Reference classifiers trained by these tests go to one temporary cache (shared by all tests)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GANFORGE_CACHE_DIR", str(tmp_path_factory.mktemp("ganforge-cache")))
        yield


@pytest.fixture
def mnist_dir() -> Path:
    """../shared/data/mnist (full MNIST IDX files), or skip when absent."""
    path = SHARED_DATA / "mnist"
    if not (path / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip("../shared/data/mnist not present")
    return path
