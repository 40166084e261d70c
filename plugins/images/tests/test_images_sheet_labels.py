"""pix2pix / CycleGAN sample sheets name their columns on a header strip (issue 14)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from ganforge import load_module
from ganforge.testing import run_smoke
from ganforge_images.export import PADDING, column_labels, save_grid, with_column_labels


def _dark_columns(strip: np.ndarray, starts: list[float], width: float) -> list[bool]:
    """For each column span of a header strip: does it hold text (dark pixels)?"""
    return [bool((strip[:, int(x) : int(x + width)] < 100).any()) for x in starts]


def test_labelled_grid_adds_a_header_strip_with_text_over_every_column(tmp_path):
    images = torch.rand(4, 1, 32, 3 * 32) * 2 - 1
    plain = save_grid(images, tmp_path / "plain.png")
    labelled = save_grid(images, tmp_path / "labelled.png", labels=("input", "output", "target"))
    with Image.open(plain) as p, Image.open(labelled) as q:
        assert q.width == p.width and q.height > p.height  # same grid, plus a strip on top
        strip_h = q.height - p.height
        sheet = np.asarray(q.convert("L"))
        grid = np.asarray(p.convert("L"))
    assert np.array_equal(sheet[strip_h:], grid)  # the images themselves are untouched
    strip = sheet[:strip_h]
    assert (strip > 200).mean() > 0.6  # a white strip ...
    cell_w = 3 * 32
    starts = [PADDING + c * (cell_w + PADDING) + j * 32 for c in range(2) for j in range(3)]
    assert all(_dark_columns(strip, starts, 32))  # ... with a label over each column of each cell


def test_narrow_columns_are_enlarged_until_the_labels_fit(tmp_path):
    images = torch.rand(2, 3, 16, 6 * 16) * 2 - 1
    path = save_grid(images, tmp_path / "s.png", labels=("A", "A->B", "A->B->A", "B", "B->A", "B->A->B"))
    with Image.open(path) as im:
        assert im.width > 2 * 6 * 16 + 3 * PADDING  # wider than the 16-pixel grid


@pytest.mark.parametrize(
    "model, labels",
    [("pix2pix", ("input", "output", "target")), ("cyclegan", ("A", "A->B", "A->B->A", "B", "B->A", "B->A->B"))],
)
def test_translation_run_sheets_carry_their_column_labels(tmp_path, model, labels):
    run = tmp_path / model
    run_smoke("images", model, run, ["trainer.max_steps=1", "metrics.n_samples=2"])
    _, module = load_module(run)
    sheet = module.sample(4)
    assert column_labels(sheet) == labels
    size = int(module.spec["size"])
    assert sheet.shape[3] == len(labels) * size  # one image per labelled column
    unlabelled = save_grid(sheet, tmp_path / "plain.png")
    with Image.open(run / "samples" / "final.png") as written, Image.open(unlabelled) as plain:
        # the run's sheet has the header strip (and is at least as large as the bare grid)
        assert written.height > plain.height and written.width >= plain.width
        top = np.asarray(written.convert("L"))[:6]
        assert (top > 200).mean() > 0.6 and (top < 100).any()


def test_with_column_labels_marks_the_tensor_it_returns():
    t = with_column_labels(torch.zeros(1, 1, 4, 8), ["a", "b"])
    assert column_labels(t) == ("a", "b") and column_labels(torch.zeros(1)) is None
