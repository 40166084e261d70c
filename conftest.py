"""Repository-wide pytest setup for the core's and every built-in plugin's tests.

The models in tests are tiny: on a small shared CPU one torch thread runs them several
times faster than two threads fighting over the cores (and nox's test session also sets
OMP_NUM_THREADS=1 for the subprocesses tests start).
"""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Run each test with one torch intra-op thread, restoring the setting afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
