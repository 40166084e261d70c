"""The atom-level SMILES tokenizer: round trips over the training molecules, layout, errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ganforge_molecules.reading import EMBEDDED_TRAIN, embedded_path
from ganforge_molecules.tokenizer import SmilesTokenizationError, SmilesTokenizer, tokenize
from ganforge_sequence.tokenizer import tokenizer_from_spec

SHARED_TRAIN = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "molecules" / "train.csv.gz"


def embedded_smiles() -> list[str]:
    with gzip.open(embedded_path(EMBEDDED_TRAIN), "rt") as fh:
        return [line.strip() for line in fh if line.strip()]


def test_atom_level_tokens():
    assert tokenize("C[C@@H](Br)c1ccc(Cl)cc1") == ["C", "[C@@H]", "(", "Br", ")", "c", "1", "c", "c", "c", "(", "Cl", ")", "c", "c", "1"]
    assert tokenize("[nH]1cc%10C%10") == ["[nH]", "1", "c", "c", "%10", "C", "%10"]
    assert tokenize("O=[N+]([O-])c1ccccc1") == ["O", "=", "[N+]", "(", "[O-]", ")", "c", "1", "c", "c", "c", "c", "c", "1"]
    with pytest.raises(SmilesTokenizationError, match="'X'"):
        tokenize("CCX")


def test_round_trip_over_the_embedded_training_smiles():
    smiles = embedded_smiles()
    assert len(smiles) == 50_000
    tok = SmilesTokenizer.build(smiles)
    longest = max(tok.length_of(s) for s in smiles)
    for s in smiles:
        ids = tok.encode(s, longest)
        assert len(ids) == longest and ids[len(tokenize(s))] == tok.end_id
        assert tok.decode(ids) == s
    # the vocabulary is small and has no <unk> use on its own data
    assert tok.vocab_size < 40 and all(tok.unk_id not in tok.encode(s) for s in smiles[:2000])


@pytest.mark.skipif(not SHARED_TRAIN.is_file(), reason="../shared/data/molecules not available")
def test_round_trip_over_moses_train_rows():
    with gzip.open(SHARED_TRAIN, "rt") as fh:
        rows = [next(fh).strip() for _ in range(20_001)][1:]
    tok = SmilesTokenizer.build(rows)
    assert all(tok.decode(tok.encode(s)) == s for s in rows)


def test_layout_decode_and_spec():
    tok = SmilesTokenizer.build(["CCO", "c1ccccc1"])
    ids = tok.encode("CCO", 6)
    assert ids[:3] == [tok.index["C"], tok.index["C"], tok.index["O"]] and ids[3:] == [tok.end_id, 0, 0]
    assert tok.decode([*ids[:3], tok.end_id, tok.index["C"]]) == "CCO"  # stops at <end>
    assert tok.decode([tok.index["C"], tok.start_id, tok.unk_id]) == "C??"
    assert tok.encode("CCN")[2] == tok.unk_id  # N is not in this vocabulary
    again = tokenizer_from_spec(tok.to_spec())
    assert isinstance(again, SmilesTokenizer) and again.tokens == tok.tokens
    with pytest.raises(ValueError):
        SmilesTokenizer(["C", "O"])
