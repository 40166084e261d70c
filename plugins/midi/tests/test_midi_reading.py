"""Reading a folder of MIDI files: recursion, skipped files reported by name, clear errors."""

from __future__ import annotations

import logging

import pretty_midi
import pytest

from ganforge.errors import GanforgeError
from ganforge_midi.reading import find_midi_files, read_midi_folder


def _write_tune(path, pitches=(60, 62, 64)):
    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=0)
    inst.notes = [pretty_midi.Note(90, p, i * 0.5, i * 0.5 + 0.5) for i, p in enumerate(pitches)]
    pm.instruments.append(inst)
    path.parent.mkdir(parents=True, exist_ok=True)
    pm.write(str(path))
    return path


def test_reads_recursively_and_skips_bad_files_by_name(tmp_path, caplog):
    _write_tune(tmp_path / "a.mid")
    _write_tune(tmp_path / "sub" / "deeper" / "b.MIDI")
    (tmp_path / "corrupt.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01garbage")
    (tmp_path / "sub" / "notes.midi").write_text("this is a text file, not MIDI\n")
    (tmp_path / "readme.txt").write_text("ignored: not a .mid/.midi file")
    empty = pretty_midi.PrettyMIDI()
    empty.instruments.append(pretty_midi.Instrument(program=0))
    empty.write(str(tmp_path / "silent.mid"))

    with caplog.at_level(logging.WARNING, logger="ganforge_midi.reading"):
        corpus = read_midi_folder(tmp_path)

    assert [p.name for p in corpus.paths] == ["a.mid", "b.MIDI"]
    skipped = sorted(p.name for p, _ in corpus.skipped)
    assert skipped == ["corrupt.mid", "notes.midi", "silent.mid"]
    text = caplog.text
    for name in skipped:
        assert name in text
    assert "skipped 3 of 5 MIDI files" in text
    assert len(corpus.scores[0][1].instruments[0].notes) == 3


def test_find_is_sorted_and_case_insensitive(tmp_path):
    _write_tune(tmp_path / "z.mid")
    _write_tune(tmp_path / "A.MID")
    assert [p.name for p in find_midi_files(tmp_path)] == ["A.MID", "z.mid"]


def test_empty_folder_error_names_the_folder(tmp_path):
    folder = tmp_path / "no_tunes_here"
    folder.mkdir()
    with pytest.raises(GanforgeError, match="no .mid/.midi files found in folder '.*no_tunes_here'"):
        read_midi_folder(folder)


def test_folder_of_only_bad_files_names_folder_and_files(tmp_path):
    (tmp_path / "broken.mid").write_bytes(b"\x00\x01\x02")
    with pytest.raises(GanforgeError, match=r"none of the 1 MIDI files in folder .* \(skipped: broken.mid\)"):
        read_midi_folder(tmp_path)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(GanforgeError, match="does not exist"):
        read_midi_folder(tmp_path / "missing")


def test_max_files_caps_the_read(tmp_path):
    for i in range(3):
        _write_tune(tmp_path / f"t{i}.mid")
    assert len(read_midi_folder(tmp_path, max_files=2).scores) == 2
