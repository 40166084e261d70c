"""docs/notebooks/quickstart.ipynb runs top to bottom in a real Jupyter kernel (nbclient),
so the notebook the docs point to cannot rot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "quickstart.ipynb"


def test_quickstart_notebook_executes(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    # the kernel's own inline matplotlib backend (no MPLBACKEND override): figures become image/png outputs
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | {"OMP_NUM_THREADS": "1"}
    client.execute(env=env)  # raises CellExecutionError on any failing cell
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the plot cell drew nothing"
    run_dir = tmp_path / "outputs" / "notebook" / "dcgan"
    assert (run_dir / "checkpoints" / "last.ckpt").is_file() and (run_dir / "report.html").is_file()
    assert len(list((run_dir / "generated").glob("*.png"))) == 4
