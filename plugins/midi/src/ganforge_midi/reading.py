"""Read a folder of MIDI files (recursively) with pretty_midi, skipping unreadable ones."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pretty_midi

from ganforge.errors import GanforgeError

log = logging.getLogger(__name__)

MIDI_SUFFIXES = (".mid", ".midi")


@dataclass
class MidiCorpus:
    """The MIDI files read from a folder.

    Attributes:
        folder: the folder that was scanned.
        scores: ``(path, PrettyMIDI)`` pairs of the files that parsed and hold notes,
            sorted by path.
        skipped: ``(path, reason)`` pairs of the files that were skipped.
    """

    folder: Path
    scores: list[tuple[Path, pretty_midi.PrettyMIDI]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        """Paths of the files that were read."""
        return [p for p, _ in self.scores]


def find_midi_files(folder: str | Path) -> list[Path]:
    """All ``.mid``/``.midi`` files under ``folder`` (any depth, any letter case), sorted.

    Raises:
        GanforgeError: ``folder`` does not exist or is not a directory.
    """
    folder = Path(folder).expanduser()
    if not folder.exists():
        raise GanforgeError(f"data.path: MIDI folder '{folder}' does not exist; expected a folder of .mid/.midi files")
    if not folder.is_dir():
        raise GanforgeError(f"data.path: '{folder}' is not a folder; expected a folder of .mid/.midi files")
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in MIDI_SUFFIXES)


def _has_notes(pm: pretty_midi.PrettyMIDI) -> bool:
    return any(inst.notes for inst in pm.instruments if not inst.is_drum)


def read_midi_folder(folder: str | Path, max_files: int | None = None) -> MidiCorpus:
    """Parse every MIDI file under ``folder`` with pretty_midi.

    A file that fails to parse, or has no pitched notes, is logged by name as a warning and
    skipped; a summary line with the count follows. ``max_files`` caps how many files are
    read (the first ones in sorted order), which keeps quick runs quick on big corpora.

    Raises:
        GanforgeError: the folder is missing, or no file in it could be used (the message
            names the folder and, when files were skipped, the first few of them).
    """
    folder = Path(folder).expanduser()
    files = find_midi_files(folder)
    if max_files is not None:
        files = files[: int(max_files)]
    corpus = MidiCorpus(folder=folder)
    for path in files:
        try:
            with warnings.catch_warnings():
                # pretty_midi warns about odd-but-valid files (tempo/meta events on non-zero tracks)
                warnings.simplefilter("ignore")
                pm = pretty_midi.PrettyMIDI(str(path))
        except Exception as exc:  # mido/pretty_midi raise many types for malformed files
            reason = f"not a readable MIDI file ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no detail'})"
            corpus.skipped.append((path, reason))
            log.warning("skipping %s: %s", path, reason)
            continue
        if not _has_notes(pm):
            corpus.skipped.append((path, "no pitched notes"))
            log.warning("skipping %s: no pitched notes", path)
            continue
        corpus.scores.append((path, pm))
    if corpus.skipped:
        log.warning("skipped %d of %d MIDI files under %s", len(corpus.skipped), len(files), folder)
    if not corpus.scores:
        if not files:
            raise GanforgeError(f"data.path: no .mid/.midi files found in folder '{folder}' (searched recursively)")
        names = ", ".join(p.name for p, _ in corpus.skipped[:5])
        more = "" if len(corpus.skipped) <= 5 else f" and {len(corpus.skipped) - 5} more"
        raise GanforgeError(
            f"data.path: none of the {len(files)} MIDI files in folder '{folder}' could be used "
            f"(skipped: {names}{more}); expected Standard MIDI Files with notes"
        )
    return corpus
