"""Executable documentation, second half: the commands of docs/domains/** and docs/examples/**.

Same rules and engine as ``tests/test_docs_commands.py`` (which runs README.md and the
other docs pages); a separate file so that ``pytest -n 2 --dist loadfile`` runs the two
halves on both workers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file (pytest runs in importlib mode)

from docs_commands import collect_blocks  # noqa: E402
from docs_runner import check_block, is_domain_doc, known_failures  # noqa: E402

BLOCKS = collect_blocks()
OWN_BLOCKS = [b for b in BLOCKS if is_domain_doc(b.doc)]


@pytest.mark.parametrize("block", known_failures(OWN_BLOCKS), ids=[b.id for b in OWN_BLOCKS])
def test_documented_domain_commands_run(block, tmp_path):
    check_block(block, tmp_path, BLOCKS)


def test_domain_pages_are_covered():
    """Every domain page with a command block is collected here (guards the split)."""
    pages = {b.doc.name for b in OWN_BLOCKS}
    assert {"images.md", "audio.md", "graphs.md", "midi.md", "sequence.md"} <= pages
