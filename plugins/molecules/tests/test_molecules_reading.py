"""SMILES files: CSV/SMI/TXT with header detection, invalid rows counted, one-line errors."""

from __future__ import annotations

import gzip
import logging

import pytest

from ganforge.errors import GanforgeError
from ganforge.testing.runs import run_cli_module
from ganforge_molecules.reading import read_smiles_file

ASPIRIN, ASPIRIN_CANON = "O=C(C)Oc1ccccc1C(=O)O", "CC(=O)Oc1ccccc1C(=O)O"


def read(path, tmp_path, **kw):
    return read_smiles_file(path, cache_dir=tmp_path / "cache", **kw)


def test_csv_header_column_and_canonical_form(tmp_path):
    p = tmp_path / "mols.csv"
    p.write_text(f"id,Smiles,score\n1,{ASPIRIN},0.5\n2,OCC,0.1\n")
    got = read(p, tmp_path)
    assert got.smiles == [ASPIRIN_CANON, "CCO"] and got.total == 2 and got.invalid == 0


def test_smi_with_names_txt_without_header_and_gzip(tmp_path):
    smi = tmp_path / "a.smi"
    smi.write_text("SMILES Name\nc1ccccc1 benzene\nCCN ethylamine\n")
    assert read(smi, tmp_path).smiles == ["c1ccccc1", "CCN"]
    txt = tmp_path / "b.txt"
    txt.write_text("CCO\n\nCCC\n")
    assert read(txt, tmp_path).smiles == ["CCO", "CCC"]
    gz = tmp_path / "c.csv.gz"
    gz.write_bytes(gzip.compress(b"structure\nCCO\nCCN\n"))  # a header with another name
    assert read(gz, tmp_path).smiles == ["CCO", "CCN"]


def test_invalid_rows_are_counted_and_summarised(tmp_path, caplog):
    p = tmp_path / "mixed.smi"
    p.write_text("CCO\nC1CC\nnot_a_smiles\nCCN\nc1cccc1\n")
    with caplog.at_level(logging.WARNING, logger="ganforge"):
        got = read(p, tmp_path)
    assert got.smiles == ["CCO", "CCN"] and got.invalid == 3 and got.total == 5
    lines = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(lines) == 1 and "skipped 3 of 5" in lines[0] and "C1CC" in lines[0]
    # the cached result reports the same
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ganforge"):
        assert read(p, tmp_path).smiles == ["CCO", "CCN"]
    assert any("skipped 3 of 5" in r.getMessage() for r in caplog.records)
    assert list((tmp_path / "cache" / "molecules").glob("smiles-*.json.gz"))


def test_limit_applies_to_rows(tmp_path):
    p = tmp_path / "m.txt"
    p.write_text("CCO\nCCN\nCCC\n")
    assert read(p, tmp_path, limit=2).smiles == ["CCO", "CCN"]


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("none.smi", "xx\nC1CC\n", "none of its 2 SMILES is a valid molecule"),
        ("empty.txt", "\n\n", "holds no SMILES"),
        ("mols.json", "[]", "unknown SMILES file type '.json'"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, name, content, text):
    p = tmp_path / name
    p.write_text(content)
    with pytest.raises(GanforgeError) as err:
        read(p, tmp_path)
    assert text in str(err.value) and "\n" not in str(err.value) and str(p) in str(err.value)
    with pytest.raises(GanforgeError, match="no such file"):
        read(tmp_path / "missing.smi", tmp_path)


def test_gan_run_on_a_file_without_valid_smiles_exits_2_with_one_line(tmp_path):
    p = tmp_path / "junk.smi"
    p.write_text("C1CC\nxyz\n")
    res = run_cli_module(
        "ganforge.cli.run",
        ["domain=molecules", "model=mle", "debug=smoke", f"data.path={p}", f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=tmp_path,
        timeout=300,
    )
    assert res.returncode == 2, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    errors = [line for line in res.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "none of its 2 SMILES is a valid molecule" in errors[0]
