"""Bad-input corpus of the MIDI domain: each malformed input is rejected with one line naming
the file, or converted with a warning (see docs/reliability.md, "MIDI")."""

from __future__ import annotations

import sys
from pathlib import Path

import mido
import pretty_midi
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _bad_input_helpers import Case, assert_documented, check, ids  # noqa: E402

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("midi",)

DOMAIN = "midi"


def tune(path: Path, n_notes: int = 100, drum: bool = False, note_seconds: float = 0.4, seed: int = 0,
         last_end: float | None = None) -> Path:
    """A one-instrument MIDI file of ``n_notes`` consecutive notes (a scale walk)."""
    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=0, is_drum=drum)
    for i in range(n_notes):
        pitch = 60 + (3 * i + seed) % 12
        inst.notes.append(pretty_midi.Note(velocity=90, pitch=pitch, start=i * note_seconds,
                                           end=(i + 1) * note_seconds))
    if last_end is not None:
        inst.notes[-1].end = last_end
    pm.instruments.append(inst)
    path.parent.mkdir(parents=True, exist_ok=True)
    pm.write(str(path))
    return path


def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir(exist_ok=True)
    return root


def with_good(root: Path, n: int = 3) -> None:
    for i in range(n):
        tune(root / f"good{i}.mid", seed=i)


# ----------------------------------------------------------------------------- builders
def corrupt_mid(tmp_path):
    root = data_dir(tmp_path)
    for i in range(3):
        (root / f"broken{i}.mid").write_bytes(b"MThd\x00\x00\x00\x06garbage" + bytes(range(i, 60)))
    return root, []


def empty_folder(tmp_path):
    return data_dir(tmp_path), []


def one_corrupt_among_good(tmp_path):
    root = data_dir(tmp_path)
    with_good(root)
    (root / "broken.mid").write_bytes(b"not a midi file at all")
    return root, []


def drum_only(tmp_path):
    root = data_dir(tmp_path)
    tune(root / "drums.mid", drum=True)
    return root, []


def one_drum_among_good(tmp_path):
    root = data_dir(tmp_path)
    with_good(root)
    tune(root / "drums.mid", drum=True)
    return root, []


def no_notes(tmp_path):
    root = data_dir(tmp_path)
    tune(root / "silent.mid", n_notes=0)
    return root, []


def zero_byte(tmp_path):
    root = data_dir(tmp_path)
    (root / "empty.mid").write_bytes(b"")
    return root, []


def text_as_mid(tmp_path):
    root = data_dir(tmp_path)
    (root / "readme.midi").write_text("this is a text file\n" * 10)
    return root, []


def truncated_mid(tmp_path):
    root = data_dir(tmp_path)
    path = tune(root / "cut.mid")
    path.write_bytes(path.read_bytes()[:40])
    return root, []


def absurd_length(tmp_path):
    root = data_dir(tmp_path)
    tune(root / "forever.mid", n_notes=10, last_end=5_000.0)
    return root, []


def huge_tick(tmp_path):
    root = data_dir(tmp_path)
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    track.append(mido.Message("note_on", note=60, velocity=90, time=0))
    track.append(mido.Message("note_off", note=60, velocity=0, time=200_000_000))
    mid.tracks.append(track)
    mid.save(str(root / "ticks.mid"))
    return root, []


def too_short_pieces(tmp_path):
    root = data_dir(tmp_path)
    for i in range(3):
        tune(root / f"tiny{i}.mid", n_notes=3, seed=i)
    return root, []


def bad_max_seconds(tmp_path):
    root = data_dir(tmp_path)
    with_good(root)
    return root, ["data.max_seconds=-1"]


def path_is_a_file(tmp_path):
    return tune(data_dir(tmp_path) / "single.mid"), []


CASES = [
    Case("corrupt-mid", "three files with a MIDI header and garbage after it", corrupt_mid, "rejected",
         ["not a readable MIDI file"], name_file="broken0.mid", cli=True),
    Case("empty-folder", "an empty folder", empty_folder, "rejected", ["no .mid/.midi files found"], cli=True),
    Case("one-corrupt-among-good", "three tunes and one text file named .mid", one_corrupt_among_good, "converted",
         ["skipped 1 of 4"], name_file="broken.mid", cli=True),
    Case("drum-only", "a file whose only notes are drums", drum_only, "rejected", ["only drum notes"],
         name_file="drums.mid"),
    Case("one-drum-among-good", "three tunes and a drum-only file", one_drum_among_good, "converted",
         ["only drum notes"], name_file="drums.mid"),
    Case("no-notes", "a file with an instrument and no notes", no_notes, "rejected", ["no notes"], name_file="silent.mid"),
    Case("zero-byte", "a 0-byte .mid", zero_byte, "rejected", ["not a readable MIDI file"], name_file="empty.mid"),
    Case("text-as-midi", "a text file named .midi", text_as_mid, "rejected", ["not a readable MIDI file"],
         name_file="readme.midi"),
    Case("truncated-mid", "a tune cut after 40 bytes", truncated_mid, "rejected", ["not a readable MIDI file"],
         name_file="cut.mid"),
    Case("absurd-length", "a note held for 5,000 s", absurd_length, "rejected", ["lasts 5000 s", "data.max_seconds=3600"],
         name_file="forever.mid"),
    Case("huge-tick", "an event at tick 200,000,000 (pretty_midi refuses > 1e7)", huge_tick, "rejected", ["not a readable MIDI file"],
         name_file="ticks.mid"),
    Case("too-short-pieces", "three tunes of three notes", too_short_pieces, "rejected", ["gave no training window"],
         name_file="data"),
    Case("bad-max-seconds", "data.max_seconds=-1", bad_max_seconds, "rejected", ["expected a positive number"],
         name_file="data.max_seconds=-1"),
    Case("path-is-a-file", "data.path naming one .mid file", path_is_a_file, "rejected", ["is not a folder"]),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_midi_input(case, tmp_path, caplog):
    check(case, DOMAIN, tmp_path, caplog)


def test_reliability_table_lists_every_midi_case():
    assert_documented("MIDI", CASES)
