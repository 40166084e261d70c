"""Edge cases of the image input checks: exact 16-bit scaling, degenerate images, mixed folders."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ganforge_images.data.folder import decode_image, degenerate_reason, detect_channels, load_folder


def test_16_bit_grey_is_scaled_not_clipped(tmp_path):
    values = np.array([[0, 257, 32896, 65535]], dtype=np.uint16).repeat(4, 0)
    Image.fromarray(values).save(tmp_path / "g.png")
    assert Image.open(tmp_path / "g.png").mode == "I;16"
    grey = decode_image(tmp_path / "g.png", 1)[..., 0]
    assert grey[0].tolist() == [0, 1, 128, 255]  # convert("L") would give 0, 255, 255, 255
    rgb = decode_image(tmp_path / "g.png", 3)
    assert rgb.shape == (4, 4, 3) and rgb[0, 2].tolist() == [128, 128, 128]


def test_degenerate_reasons():
    assert "1x1" in degenerate_reason(np.zeros((1, 1, 1), np.uint8))
    assert "constant" in degenerate_reason(np.full((16, 16, 3), 9, np.uint8))
    assert degenerate_reason(np.arange(256, dtype=np.uint8).reshape(16, 16, 1)) is None
    assert degenerate_reason(np.zeros((1, 1, 1), np.uint8), min_size=0) is not None  # constant still
    assert degenerate_reason(np.array([[[0]], [[1]]], np.uint8), min_size=1) is None


def test_colour_anywhere_in_a_folder_makes_it_colour(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(40):
        Image.fromarray(rng.integers(0, 255, (8, 8), dtype=np.uint8)).save(tmp_path / f"a{i:02d}.png")
    Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(tmp_path / "z_colour.png")
    files = sorted(tmp_path.glob("*.png"))
    assert detect_channels(files) == 3
    images, kept = load_folder(tmp_path, 8)
    assert images.shape == (41, 3, 8, 8) and len(kept) == 41


def test_min_image_size_zero_keeps_small_images(tmp_path):
    Image.fromarray(np.array([[0, 255], [255, 0]], np.uint8)).save(tmp_path / "tiny.png")
    images, _ = load_folder(tmp_path, 8, min_size=0)
    assert images.shape == (1, 1, 8, 8)
