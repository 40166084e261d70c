"""Bad-input corpus of the images domain: each malformed input is rejected with one line naming
the file, or converted with a warning (see docs/reliability.md, "Images")."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _bad_input_helpers import Case, assert_documented, check, ids  # noqa: E402

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images",)

DOMAIN = "images"


def texture(seed: int, size: int = 16, channels: int = 1) -> np.ndarray:
    """A non-constant uint8 image."""
    rng = np.random.default_rng(seed)
    shape = (size, size) if channels == 1 else (size, size, channels)
    return rng.integers(0, 256, shape, dtype=np.uint8)


def png_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    for name, content in files.items():
        (root / name).write_bytes(content)
    return root


def good_pngs(n: int = 9) -> dict[str, bytes]:
    return {f"good{i}.png": png_bytes(texture(i)) for i in range(n)}


def npz(tmp_path: Path, **arrays) -> Path:
    path = tmp_path / "images.npz"
    np.savez(path, **arrays)
    return path


# ----------------------------------------------------------------------------- builders
def tiny_pngs(tmp_path):
    return folder(tmp_path, {f"{i}.png": png_bytes(np.full((1, 1), 20 * i, np.uint8)) for i in range(10)}), []


def constant_pngs(tmp_path):
    return folder(tmp_path, {f"{i}.png": png_bytes(np.full((16, 16), 20 * i, np.uint8)) for i in range(10)}), []


def empty_folder(tmp_path):
    return folder(tmp_path, {}), []


def text_as_png(tmp_path):
    return folder(tmp_path, {f"{i}.png": b"this is not an image\n" * 3 for i in range(10)}), []


def truncated_pngs(tmp_path):
    return folder(tmp_path, {f"{i}.png": png_bytes(texture(i, 64))[:300] for i in range(10)}), []


def zero_byte_pngs(tmp_path):
    return folder(tmp_path, {f"{i}.png": b"" for i in range(10)}), []


def one_corrupt_among_good(tmp_path):
    return folder(tmp_path, {**good_pngs(), "broken.png": png_bytes(texture(99, 64))[:200]}), []


def one_small_among_good(tmp_path):
    return folder(tmp_path, {**good_pngs(), "tiny.png": png_bytes(texture(98, 4))}), []


def grey16(tmp_path):
    # a horizontal ramp over the full 16-bit range: mean 0.5 of full scale, never near white
    ramp = np.tile(np.linspace(0, 65535, 16).astype(np.uint16), (16, 1))
    files = {}
    for i in range(10):
        buf = io.BytesIO()
        Image.fromarray(np.roll(ramp, i, axis=1)).save(buf, format="PNG")
        files[f"g{i}.png"] = buf.getvalue()
    return folder(tmp_path, files), []


def verify_grey16(dm):
    x = dm.images
    assert x.shape[1] == 1
    assert abs(float(x.mean())) < 0.1, f"16-bit ramp should average mid-grey, got {float(x.mean())} in [-1, 1]"
    assert float((x > 0.95).float().mean()) < 0.2, "16-bit PNG read mostly white (clipped)"


def mixed_modes(tmp_path):
    files = {}
    modes = {"L": texture(1), "RGB": texture(2, channels=3), "RGBA": texture(3, channels=4)}
    for mode, arr in modes.items():
        files[f"{mode}.png"] = png_bytes(arr)
    palette = Image.fromarray(texture(4, channels=3)).convert("P")
    buf = io.BytesIO()
    palette.save(buf, format="PNG")
    files["P.png"] = buf.getvalue()
    files["I16.png"] = png_bytes(texture(5).astype(np.uint16) * 257)
    buf = io.BytesIO()
    Image.fromarray(texture(6, channels=3)).save(buf, format="JPEG")
    files["rgb.jpg"] = buf.getvalue()
    return folder(tmp_path, files), []


def verify_mixed(dm):
    assert dm.images.shape[:2] == (6, 3), dm.images.shape


def float_tiff_nan(tmp_path):
    files = {}
    for i in range(10):
        arr = np.random.default_rng(i).random((16, 16)).astype(np.float32)
        arr[3, 3] = np.nan
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, format="TIFF")
        files[f"f{i}.png"] = buf.getvalue()  # PIL reads by content, not suffix
    return folder(tmp_path, files), []


def npz_nan(tmp_path):
    x = np.random.default_rng(0).random((20, 16, 16)).astype(np.float32)
    x[3, 2, 2] = np.nan
    return npz(tmp_path, x_train=x), []


def npz_inf(tmp_path):
    x = np.random.default_rng(0).random((20, 16, 16))
    x[0, 0, 0] = np.inf
    return npz(tmp_path, images=x), []


def npz_range(tmp_path):
    x = np.random.default_rng(0).uniform(-1, 300, (20, 16, 16)).astype(np.float32)
    return npz(tmp_path, images=x), []


def npz_empty(tmp_path):
    return npz(tmp_path, images=np.zeros((0, 16, 16), np.uint8)), []


def npz_wrong_shape(tmp_path):
    return npz(tmp_path, images=np.zeros((20, 16), np.uint8)), []


def npz_tiny_images(tmp_path):
    return npz(tmp_path, images=np.random.default_rng(0).integers(0, 255, (20, 2, 2), dtype=np.uint8)), []


def npz_all_constant(tmp_path):
    x = np.repeat(np.arange(20, dtype=np.uint8)[:, None, None], 16, 1).repeat(16, 2)
    return npz(tmp_path, images=x), []


def npz_some_constant(tmp_path):
    x = np.random.default_rng(0).integers(0, 255, (20, 16, 16), dtype=np.uint8)
    x[4] = 7
    return npz(tmp_path, images=x, labels=np.arange(20) % 10), []


def verify_some_constant(dm):
    assert dm.images.shape[0] == 19 and dm.labels.shape[0] == 19


def npz_garbage(tmp_path):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"PK\x03\x04 not really a zip archive")
    return path, []


def npz_labels_mismatch(tmp_path):
    x = np.random.default_rng(0).integers(0, 255, (20, 16, 16), dtype=np.uint8)
    return npz(tmp_path, images=x, labels=np.arange(7)), []


def idx_files(tmp_path: Path, images: np.ndarray, code: int, cut: int = 0) -> Path:
    """An MNIST-style folder: ``train-images-idx3-ubyte`` (dtype ``code``) and matching labels."""
    root = tmp_path / "mnist"
    root.mkdir()
    header = bytes([0, 0, code, 3]) + b"".join(int(d).to_bytes(4, "big") for d in images.shape)
    data = header + images.astype(images.dtype.newbyteorder(">")).tobytes()
    (root / "train-images-idx3-ubyte").write_bytes(data[: len(data) - cut])
    labels = np.arange(images.shape[0], dtype=np.uint8) % 10
    (root / "train-labels-idx1-ubyte").write_bytes(bytes([0, 0, 8, 1]) + len(labels).to_bytes(4, "big") + labels.tobytes())
    return root


def idx_float_nan(tmp_path):
    x = np.random.default_rng(0).random((20, 16, 16)).astype(np.float32)
    x[5, 1, 1] = np.nan
    return idx_files(tmp_path, x, 0x0D), []


def idx_truncated(tmp_path):
    x = np.random.default_rng(0).integers(0, 255, (20, 16, 16), dtype=np.uint8)
    return idx_files(tmp_path, x, 0x08, cut=1000), []


def unknown_file(tmp_path):
    path = tmp_path / "pictures.csv"
    path.write_text("1,2,3\n")
    return path, []


CASES = [
    Case("tiny-pngs", "ten 1x1 PNGs", tiny_pngs, "rejected", ["1x1", "data.min_image_size"], name_file="0.png", cli=True),
    Case("constant-pngs", "ten 16x16 PNGs of one colour each", constant_pngs, "rejected", ["constant"], name_file="0.png"),
    Case("empty-folder", "an empty folder", empty_folder, "rejected", ["no image files"], cli=True),
    Case("text-as-png", "ten text files with a .png suffix", text_as_png, "rejected", ["not a readable image"], name_file="0.png"),
    Case("truncated-pngs", "ten PNGs cut after 300 bytes", truncated_pngs, "rejected", ["not a readable image"],
         name_file="0.png"),
    Case("zero-byte-pngs", "ten 0-byte .png files", zero_byte_pngs, "rejected", ["not a readable image"], name_file="0.png"),
    Case("one-corrupt-among-good", "nine good PNGs and one cut after 200 bytes", one_corrupt_among_good, "converted",
         ["skipped 1 of 10"], name_file="broken.png", cli=True),
    Case("one-small-among-good", "nine good PNGs and one 4x4 PNG", one_small_among_good, "converted", ["4x4"],
         name_file="tiny.png"),
    Case("grey16-png", "16-bit grey PNGs (a 0..65535 ramp)", grey16, "converted", [], warns=False, verify=verify_grey16),
    Case("mixed-modes", "grey, RGB, RGBA, palette, 16-bit grey and JPEG files in one folder", mixed_modes, "converted",
         [], warns=False, verify=verify_mixed),
    Case("float-nan-images", "float (mode F) images with a NaN pixel", float_tiff_nan, "rejected", ["NaN/inf"],
         name_file="f0.png"),
    Case("npz-nan", "float .npz with one NaN", npz_nan, "rejected", ["NaN/inf"], cli=True),
    Case("npz-inf", "float64 .npz with one inf", npz_inf, "rejected", ["NaN/inf"]),
    Case("npz-range", "float .npz spanning [-1, 300]", npz_range, "rejected", ["expected [0, 1] or [0, 255]"]),
    Case("npz-empty", "an .npz with zero images", npz_empty, "rejected", ["empty"]),
    Case("npz-wrong-shape", "an .npz holding a 2-D array", npz_wrong_shape, "rejected", ["expected images [N, H, W]"]),
    Case("npz-tiny-images", "an .npz of 2x2 images", npz_tiny_images, "rejected", ["2x2", "data.min_image_size"]),
    Case("npz-all-constant", "an .npz whose images are each one value", npz_all_constant, "rejected", ["constant"]),
    Case("npz-some-constant", "an .npz with one constant image of 20", npz_some_constant, "converted",
         ["dropped 1 constant"], verify=verify_some_constant),
    Case("npz-garbage", "a non-zip file with an .npz suffix", npz_garbage, "rejected", ["cannot read npz"]),
    Case("npz-labels-mismatch", "20 images with 7 labels", npz_labels_mismatch, "rejected", ["7 labels for 20 images"]),
    Case("idx-float-nan", "an MNIST IDX folder of float32 images with one NaN", idx_float_nan, "rejected", ["NaN/inf"]),
    Case("idx-truncated", "an MNIST IDX image file cut by 1,000 bytes", idx_truncated, "rejected",
         ["truncated IDX file"], name_file="train-images-idx3-ubyte"),
    Case("unknown-file", "data.path pointing at a .csv file", unknown_file, "rejected", ["unknown type"]),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_image_input(case, tmp_path, caplog):
    check(case, DOMAIN, tmp_path, caplog)


def test_reliability_table_lists_every_image_case():
    assert_documented("Images", CASES)
