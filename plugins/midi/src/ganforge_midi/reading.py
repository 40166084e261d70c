"""Read a folder of MIDI files (recursively) with pretty_midi, skipping unreadable ones."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pretty_midi

from ganforge.errors import GanforgeError
from ganforge.progress import track

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


#: Default ``data.max_seconds``: longer files are skipped (a corrupt tempo or tick value can make
#: a file last days, and the tokenizers emit tokens in proportion to its duration).
DEFAULT_MAX_SECONDS = 3600.0
#: Skipped files named one by one in warnings; the rest are only counted.
NAMED_SKIPS = 5


def unusable_reason(pm: pretty_midi.PrettyMIDI, max_seconds: float = DEFAULT_MAX_SECONDS) -> str | None:
    """Why a parsed file cannot be training data (no pitched notes, drums only, too long), or ``None``."""
    if not any(inst.notes for inst in pm.instruments if not inst.is_drum):
        if any(inst.notes for inst in pm.instruments):
            return "only drum notes (channel 10); expected pitched notes"
        return "no notes"
    end = pm.get_end_time()
    if not end < max_seconds:  # also catches NaN/inf from a broken tempo map
        return f"lasts {end:.0f} s; expected at most data.max_seconds={max_seconds:g} s"
    return None


def read_midi_folder(
    folder: str | Path, max_files: int | None = None, max_seconds: float = DEFAULT_MAX_SECONDS
) -> MidiCorpus:
    """Parse every MIDI file under ``folder`` with pretty_midi.

    A file that fails to parse, has no pitched notes (none, or drums only) or lasts more than
    ``max_seconds`` is logged by name as a warning and skipped; a summary line with the count follows. ``max_files`` caps how many files are
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
    for path in track(files, f"reading {len(files)} MIDI files"):
        try:
            with warnings.catch_warnings():
                # pretty_midi warns about odd-but-valid files (tempo/meta events on non-zero tracks)
                warnings.simplefilter("ignore")
                pm = pretty_midi.PrettyMIDI(str(path))
            reason = unusable_reason(pm, max_seconds)
        except Exception as exc:  # mido/pretty_midi raise many types for malformed files
            reason = f"not a readable MIDI file ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no detail'})"
        if reason is not None:
            corpus.skipped.append((path, reason))
            if len(corpus.skipped) <= NAMED_SKIPS:
                log.warning("skipping %s: %s", path, reason)
            continue
        corpus.scores.append((path, pm))
    if corpus.skipped:
        log.warning("skipped %d of %d MIDI files under %s", len(corpus.skipped), len(files), folder)
    if not corpus.scores:
        if not files:
            raise GanforgeError(f"data.path: no .mid/.midi files found in folder '{folder}' (searched recursively)")
        names = ", ".join(p.name for p, _ in corpus.skipped[:5])
        more = "" if len(corpus.skipped) <= 5 else f" and {len(corpus.skipped) - 5} more"
        first, why = corpus.skipped[0]
        raise GanforgeError(
            f"data.path: none of the {len(files)} MIDI files in folder '{folder}' could be used "
            f"(skipped: {names}{more}); e.g. {first.name}: {why}; expected Standard MIDI Files with pitched notes"
        )
    return corpus
