"""Bad-input corpus of the molecules domain: each malformed SMILES file is rejected with one line
naming the file, or read with a warning that counts what was skipped (docs/reliability.md, "Molecules")."""

from __future__ import annotations

import gzip
import sys
from importlib.resources import files
from pathlib import Path

import pytest

pytest.importorskip("rdkit")
sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _bad_input_helpers import Case, assert_documented, check, ids  # noqa: E402

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("molecules",)

DOMAIN = "molecules"


def real_smiles(n: int = 200) -> list[str]:
    """The first ``n`` molecules of the embedded MOSES training subset."""
    data = files("ganforge_molecules") / "data" / "moses_train_50k.smi.gz"
    with gzip.open(str(data), "rt") as fh:
        return [next(fh).split()[0] for _ in range(n)]


def smi(tmp_path: Path, lines: list[str], name: str = "mols.smi") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- builders
def missing_file(tmp_path):
    return tmp_path / "nothing.smi", []


def folder_path(tmp_path):
    (tmp_path / "mols").mkdir()
    return tmp_path / "mols", []


def unknown_suffix(tmp_path):
    return smi(tmp_path, real_smiles(50), name="mols.xyz"), []


def empty_file(tmp_path):
    path = tmp_path / "mols.smi"
    path.write_bytes(b"")
    return path, []


def blank_and_comments(tmp_path):
    return smi(tmp_path, ["", "# a comment", "   ", "# another"]), []


def binary_file(tmp_path):
    path = tmp_path / "mols.smi"
    path.write_bytes(bytes(range(128, 256)) * 16)
    return path, []


def latin1_line(tmp_path):
    path = tmp_path / "mols.smi"
    path.write_bytes(("\n".join(real_smiles(3)) + "\n").encode() + "Café\n".encode("latin-1"))
    return path, []


def nul_bytes(tmp_path):
    path = tmp_path / "mols.smi"
    path.write_bytes(("\n".join(real_smiles(5)) + "\n").encode() + b"\x00" * 32)
    return path, []


def corrupt_gzip(tmp_path):
    path = tmp_path / "mols.smi.gz"
    path.write_bytes(gzip.compress(("\n".join(real_smiles(50)) + "\n").encode())[:40])
    return path, []


def none_valid(tmp_path):
    return smi(tmp_path, ["C1CC", "c1cccc", "N(=O)(=O)(=O)=O", "((C", "Xx"] * 20), []


def some_invalid(tmp_path):
    return smi(tmp_path, ["C1CC", "((C", "c1cccc"] + real_smiles(200)), []


def csv_with_header(tmp_path):
    path = tmp_path / "mols.csv"
    rows = ["id,SMILES,qed"] + [f"m{i},{s},0.5" for i, s in enumerate(real_smiles(200))]
    path.write_text("\n".join(rows) + "\n")
    return path, []


#: the smoke profile reads the first data.limit rows
SMOKE_LIMIT = 48


def verify_csv(dm):
    assert len(dm.train_smiles) + len(dm.test_smiles) == SMOKE_LIMIT
    assert set(dm.train_smiles + dm.test_smiles) <= set(real_smiles(200))


def renamed_header(tmp_path):
    return smi(tmp_path, ["structure"] + real_smiles(200)), []


def verify_header_dropped(dm):
    assert "structure" not in dm.train_smiles + dm.test_smiles
    assert len(dm.train_smiles) + len(dm.test_smiles) == SMOKE_LIMIT


def too_few(tmp_path):
    return smi(tmp_path, real_smiles(1)), []


def tiny_max_tokens(tmp_path):
    return smi(tmp_path, real_smiles(200)), ["data.max_tokens=3"]


CASES = [
    Case("no-such-file", "data.path names nothing", missing_file, "rejected", ["no such file"]),
    Case("folder-path", "data.path is a folder", folder_path, "rejected", ["is a folder"]),
    Case("unknown-suffix", "SMILES in a .xyz file", unknown_suffix, "rejected", ["valid choices"]),
    Case("empty-file", "a 0-byte .smi", empty_file, "rejected", ["holds no SMILES"], cli=True),
    Case("blank-and-comments", "only blank and # lines", blank_and_comments, "rejected", ["holds no SMILES"]),
    Case("binary-file", "2 KiB of bytes 128..255", binary_file, "rejected", ["line 1 is not valid UTF-8"], cli=True),
    Case("latin1-line", "three SMILES then a Latin-1 line", latin1_line, "rejected", ["line 4 is not valid UTF-8"]),
    Case("nul-bytes", "five SMILES then 32 NUL bytes", nul_bytes, "rejected", ["NUL byte"]),
    Case("corrupt-gzip", "a .smi.gz cut after 40 bytes", corrupt_gzip, "rejected", ["not a readable gzip file"]),
    Case("none-valid", "100 strings RDKit cannot parse", none_valid, "rejected",
         ["SMILES is a valid molecule", "'C1CC'"], cli=True),
    Case("some-invalid", "200 molecules and 3 broken SMILES", some_invalid, "converted",
         ["skipped 3 of 48"], cli=True),
    Case("csv-header", "a CSV with id,SMILES,qed columns", csv_with_header, "converted", [], warns=False,
         verify=verify_csv),
    Case("renamed-header", "a .smi whose first line is the header 'structure'", renamed_header, "converted", [],
         warns=False, verify=verify_header_dropped),
    Case("single-molecule", "one molecule (nothing to hold out)", too_few, "rejected", ["too few to hold out"]),
    Case("tiny-max-tokens", "data.max_tokens=3", tiny_max_tokens, "rejected", ["every training molecule is longer"],
         name_file="data.max_tokens=3"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_molecules_input(case, tmp_path, caplog):
    check(case, DOMAIN, tmp_path, caplog)


def test_reliability_table_lists_every_molecules_case():
    assert_documented("Molecules", CASES)
