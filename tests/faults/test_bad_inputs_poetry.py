"""Bad-input corpus of the poetry domain: each malformed input is rejected with one line naming
the file, or converted with a warning (see docs/reliability.md, "Poetry")."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _bad_input_helpers import Case, assert_documented, check, ids  # noqa: E402

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("poetry",)

DOMAIN = "poetry"
CHARS = "春眠不觉晓处闻啼鸟夜来风雨声花落知多少床前明月光疑是地上霜举头望山低思故乡"


def quatrain(seed: int) -> str:
    """Four verses of five characters, each with a mark: 24 tokens (the smoke discriminator needs 24)."""
    rng = random.Random(seed)
    return "".join("".join(rng.choice(CHARS) for _ in range(5)) + mark for mark in "，。，。")


def poems_file(tmp_path: Path, lines: list[str], name: str = "poems.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def giant(n: int = 200_000, seed: int = 1) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(CHARS) for _ in range(n))


# ----------------------------------------------------------------------------- builders
def giant_poem(tmp_path):
    return poems_file(tmp_path, [quatrain(i) for i in range(30)] + [giant()]), []


def giant_poem_truncate(tmp_path):
    return poems_file(tmp_path, [quatrain(i) for i in range(30)] + [giant()]), ["data.too_long=truncate",
                                                                                "model=mle"]


def verify_truncated(dm):
    # the giant is cut to data.max_len whichever side of the split it lands on
    assert max(len(p) for p in dm.train_texts + dm.test_texts) == 512


def all_too_long(tmp_path):
    return poems_file(tmp_path, [giant(1000, seed=i) for i in range(5)]), []


def empty_file(tmp_path):
    path = tmp_path / "poems.txt"
    path.write_bytes(b"")
    return path, []


def blank_lines(tmp_path):
    return poems_file(tmp_path, ["", "   ", "\t", ""]), []


def binary_file(tmp_path):
    path = tmp_path / "poems.txt"
    path.write_bytes(bytes(range(128, 256)) * 16)
    return path, []


def latin1_file(tmp_path):
    path = tmp_path / "poems.txt"
    path.write_bytes((quatrain(0) + "\n" + quatrain(1) + "\n").encode("utf-8") + "Café déjà vu\n".encode("latin-1"))
    return path, []


def nul_bytes(tmp_path):
    path = tmp_path / "poems.txt"
    path.write_bytes(("\n".join(quatrain(i) for i in range(5)) + "\n").encode("utf-8") + b"\x00" * 64)
    return path, []


def single_poem(tmp_path):
    return poems_file(tmp_path, [quatrain(0)]), []


def empty_folder(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "README.md").write_text("no poems here\n")
    return root, []


def bad_too_long_mode(tmp_path):
    return poems_file(tmp_path, [quatrain(i) for i in range(10)]), ["data.too_long=cut"]


def one_char_poems(tmp_path):
    return poems_file(tmp_path, list(CHARS[:10])), ["model=mle"]


def utf8_bom(tmp_path):
    path = tmp_path / "poems.txt"
    path.write_bytes("\ufeff".encode("utf-8") + ("\n".join(quatrain(i) for i in range(20)) + "\n").encode("utf-8"))
    return path, []


def verify_no_bom(dm):
    assert "\ufeff" not in dm.tokenizer.tokens


def long_test_poem(tmp_path):
    test = poems_file(tmp_path, [quatrain(100 + i) for i in range(5)] + [giant(5000)], name="test.txt")
    return poems_file(tmp_path, [quatrain(i) for i in range(20)]), [f"data.test_path={test}"]


CASES = [
    Case("giant-poem", "30 quatrains and one 200,000-character line", giant_poem, "converted",
         ["skipped 1 of 31", "data.max_len=512"], cli=True),
    Case("giant-poem-truncate", "the same with data.too_long=truncate", giant_poem_truncate, "converted",
         ["truncated 1 of 31"], verify=verify_truncated),
    Case("all-poems-too-long", "five 1,000-character lines", all_too_long, "rejected",
         ["all 5 poem(s) are longer than data.max_len=512"], cli=True),
    Case("empty-file", "a 0-byte file", empty_file, "rejected", ["holds no poem"]),
    Case("blank-lines", "a file of blank lines", blank_lines, "rejected", ["holds no poem"]),
    Case("binary-file", "2 KiB of bytes 128..255", binary_file, "rejected", ["line 1 is not valid UTF-8"], cli=True),
    Case("latin1-line", "two poems then a Latin-1 line", latin1_file, "rejected", ["line 3 is not valid UTF-8"]),
    Case("nul-bytes", "five poems then 64 NUL bytes", nul_bytes, "rejected", ["NUL byte"]),
    Case("single-poem", "one poem (nothing to hold out)", single_poem, "rejected", ["1 poem(s) cannot be split"]),
    Case("no-txt-in-folder", "a folder with no .txt file", empty_folder, "rejected", ["has no .txt file"]),
    Case("bad-too-long-mode", "data.too_long=cut", bad_too_long_mode, "rejected", ["data.too_long='cut': expected one of skip, truncate"],
         name_file="data.too_long"),
    Case("one-char-poems", "ten one-character poems", one_char_poems, "rejected", ["too short"]),
    Case("utf8-bom", "a UTF-8 file starting with a byte-order mark", utf8_bom, "converted", [], warns=False,
         verify=verify_no_bom),
    Case("long-test-poem", "a data.test_path file with one 5,000-character line", long_test_poem, "converted",
         ["skipped 1 of 6"], name_file="test.txt"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_poetry_input(case, tmp_path, caplog):
    check(case, DOMAIN, tmp_path, caplog)


def test_reliability_table_lists_every_poetry_case():
    assert_documented("Poetry", CASES)
