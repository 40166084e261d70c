"""Writing image samples as PNG files (grids for run dirs, one file each for gan-sample).

Comparison sheets (pix2pix ``input | output | target``, CycleGAN ``A | A->B | A->B->A |
B | B->A | B->A->B``) are batches of side-by-side cells; :func:`with_column_labels` attaches
the column names to such a batch and :func:`save_grid` then draws them on a header strip
above the grid, so a sheet says which image is which without the report's caption.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import torch
from PIL import Image, ImageDraw, ImageFont
from torchvision.utils import make_grid, save_image

from ganforge_images.data.folder import from_model_range

PADDING = 2
#: attribute of a sample-sheet tensor naming its columns (see :func:`with_column_labels`)
COLUMNS_ATTR = "sheet_columns"


def with_column_labels(cells: torch.Tensor, labels: Sequence[str]) -> torch.Tensor:
    """Mark ``cells`` ``[N, C, H, k*W]`` (``k`` images side by side) as having columns ``labels``.

    The labels ride on the tensor itself because the domain's ``export_samples`` receives
    only the samples, not the model that made them.
    """
    setattr(cells, COLUMNS_ATTR, tuple(str(label) for label in labels))
    return cells


def column_labels(samples: object) -> tuple[str, ...] | None:
    """The column labels :func:`with_column_labels` attached to ``samples``, if any."""
    return getattr(samples, COLUMNS_ATTR, None)


def _font_fitting(labels: Sequence[str], width: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    # the largest size (12 px down to MIN_LABEL_SIZE) of Pillow's bundled font at which every label fits
    # its column; Pillow < 10.1 has only the fixed bitmap font
    for size in range(12, MIN_LABEL_SIZE - 1, -1):
        try:
            font = ImageFont.load_default(size=size)
        except TypeError:
            return ImageFont.load_default()
        if max(font.getbbox(label)[2] for label in labels) <= width - 2:
            return font
    return font


#: smallest font size (px) of column labels; narrower columns are enlarged until it fits
MIN_LABEL_SIZE = 8


def labelled_grid(images: torch.Tensor, nrow: int, labels: Sequence[str]) -> Image.Image:
    """The grid of ``images`` (in [0, 1]) with a white header strip naming each cell's columns.

    Columns too narrow for the labels at :data:`MIN_LABEL_SIZE` (e.g. 16-pixel smoke
    images) are enlarged by an integer factor, nearest neighbour, so the pixels stay exact.
    """
    try:
        widest = max(ImageFont.load_default(size=MIN_LABEL_SIZE).getbbox(label)[2] for label in labels) + 2
    except TypeError:  # Pillow < 10.1: the fixed bitmap font
        widest = max(ImageFont.load_default().getbbox(label)[2] for label in labels) + 2
    factor = math.ceil(widest / (images.shape[3] / len(labels)))
    if factor > 1:
        images = images.repeat_interleave(factor, dim=2).repeat_interleave(factor, dim=3)
    grid = make_grid(images, nrow=nrow, padding=PADDING)
    # the same conversion as torchvision's save_image, so the pixels match an unlabelled grid
    array = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8).numpy()
    body = Image.fromarray(array).convert("RGB")
    cell_w = images.shape[3]
    col_w = cell_w / len(labels)
    font = _font_fitting(labels, int(col_w))
    strip = max(font.getbbox(label)[3] for label in labels) + 4
    sheet = Image.new("RGB", (body.width, body.height + strip), "white")
    sheet.paste(body, (0, strip))
    draw = ImageDraw.Draw(sheet)
    for c in range(min(nrow, images.shape[0])):
        x0 = PADDING + c * (cell_w + PADDING)
        for j, label in enumerate(labels):
            centre = x0 + (j + 0.5) * col_w
            draw.text((centre, strip / 2), label, fill="black", font=font, anchor="mm")
    return sheet


def save_grid(
    images: torch.Tensor, path: Path, nrow: int | None = None, labels: Sequence[str] | None = None
) -> Path:
    """Save ``[N, C, H, W]`` images in [-1, 1] as one PNG grid (square-ish by default).

    With ``labels`` (one per image column inside each cell) a header strip above the grid
    names the columns of every cell.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    nrow = nrow or max(1, int(math.ceil(math.sqrt(images.shape[0]))))
    images = from_model_range(images.detach().cpu())
    if labels:
        labelled_grid(images, nrow, labels).save(path)
    else:
        save_image(images, str(path), nrow=nrow, padding=PADDING)
    return path


def save_individual(images: torch.Tensor, out_dir: Path, stem: str) -> list[Path]:
    """Save each image of ``[N, C, H, W]`` (in [-1, 1]) as ``<stem>_<i>.png``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    width = max(4, len(str(images.shape[0] - 1)))
    for i, img in enumerate(from_model_range(images.cpu())):
        p = out_dir / f"{stem}_{i:0{width}d}.png"
        save_image(img, str(p))
        paths.append(p)
    return paths


def export_images(images: torch.Tensor, out_dir: Path, stem: str, individual: bool) -> list[Path]:
    """Grid ``<stem>.png`` (with a column header for comparison sheets) or one PNG per image."""
    if individual:
        return save_individual(images, out_dir, stem)
    return [save_grid(images, out_dir / f"{stem}.png", labels=column_labels(images))]
