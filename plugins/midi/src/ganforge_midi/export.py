"""Write generated notes as Standard MIDI Files and piano-roll PNG sheets."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pretty_midi

from ganforge.errors import GanforgeError
from ganforge_midi.tokenizers.base import MidiTokenizer


def export_settings(cfg: Any) -> dict[str, Any]:
    """Validated ``{"tempo": float, "program": int}`` from a ``data.export``-style mapping
    (both keys required: their defaults live in the midi domain YAML)."""
    cfg = dict(cfg or {})
    unknown = sorted(set(cfg) - {"tempo", "program"})
    if unknown:
        raise GanforgeError(f"data.export: unknown key(s) {unknown}; valid: program, tempo")
    missing = sorted({"tempo", "program"} - set(cfg))
    if missing:
        raise GanforgeError(f"data.export: missing key(s) {missing}; expected tempo (bpm) and program (0..127)")
    try:
        tempo, program = float(cfg["tempo"]), int(cfg["program"])
    except (TypeError, ValueError):
        raise GanforgeError(f"data.export: tempo must be a number and program an integer, got {cfg}") from None
    if not tempo > 0:
        raise GanforgeError(f"export.tempo: {tempo} must be > 0 (beats per minute)")
    if not 0 <= program <= 127:
        raise GanforgeError(f"export.program: {program} must be a General MIDI program number in 0..127")
    return {"tempo": tempo, "program": program}


def notes_to_pretty_midi(
    notes: list[pretty_midi.Note], tempo: float = 120.0, program: int = 0, name: str = "ganforge"
) -> pretty_midi.PrettyMIDI:
    """A one-instrument PrettyMIDI with ``notes`` (seconds), ``tempo`` bpm and GM ``program``.

    Raises:
        GanforgeError: ``tempo`` is not positive or ``program`` is outside 0..127.
    """
    if not tempo > 0:
        raise GanforgeError(f"export.tempo: {tempo} must be > 0 (beats per minute)")
    if not 0 <= int(program) <= 127:
        raise GanforgeError(f"export.program: {program} must be a General MIDI program number in 0..127")
    # 960 ticks per beat keeps tick rounding of grid times under a millisecond
    pm = pretty_midi.PrettyMIDI(resolution=960, initial_tempo=float(tempo))
    inst = pretty_midi.Instrument(program=int(program), name=name)
    inst.notes = [
        pretty_midi.Note(velocity=int(n.velocity), pitch=int(n.pitch), start=float(n.start), end=float(n.end))
        for n in notes
        if n.end > n.start
    ]
    pm.instruments.append(inst)
    return pm


def write_midi(path: Path, notes: list[pretty_midi.Note], tempo: float = 120.0, program: int = 0) -> Path:
    """Write ``notes`` to ``path`` as a .mid file and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    notes_to_pretty_midi(notes, tempo, program).write(str(path))
    return path


def concatenate(samples: list[list[pretty_midi.Note]], lengths: list[float], gap: float) -> list[pretty_midi.Note]:
    """Samples played one after another, sample ``i`` lasting ``lengths[i]`` then ``gap`` seconds of silence."""
    out, offset = [], 0.0
    for notes, length in zip(samples, lengths, strict=True):
        for n in notes:
            out.append(pretty_midi.Note(velocity=n.velocity, pitch=n.pitch, start=n.start + offset, end=n.end + offset))
        offset += length + gap
    return out


def sample_length(notes: list[pretty_midi.Note], nominal: float | None) -> float:
    """A sample's duration: ``nominal`` when the tokenization fixes it, else its last note end."""
    end = max((n.end for n in notes), default=0.0)
    return max(end, nominal or 0.0)


def write_pianoroll_sheet(
    path: Path,
    samples: list[list[pretty_midi.Note]],
    duration: float | None = None,
    fs: float = 20.0,
    cols: int = 4,
    title: str | None = None,
    labels: list[str] | None = None,
) -> Path:
    """Draw one piano roll per sample in a grid and save it as a PNG.

    Rolls come from pretty_midi's ``get_piano_roll``; every panel shares the pitch range of
    the whole sheet (padded to at least an octave) and the time axis (``duration`` seconds,
    default the longest sample). ``labels`` titles the panels (default ``#i``).
    """
    # the object-oriented Figure API draws with Agg without touching pyplot's global backend
    from matplotlib.figure import Figure

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = max(len(samples), 1)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    pitches = [note.pitch for s in samples for note in s]
    lo, hi = (min(pitches), max(pitches)) if pitches else (60, 72)
    if hi - lo < 12:
        mid = (lo + hi) // 2
        lo, hi = mid - 6, mid + 6
    lo, hi = max(lo - 1, 0), min(hi + 1, 127)
    length = duration or max((note.end for s in samples for note in s), default=1.0)
    frames = max(int(math.ceil(length * fs)), 1)
    fig = Figure(figsize=(3.2 * cols, 2.0 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(samples):
            ax.axis("off")
            continue
        roll = np.zeros((128, frames))
        if samples[i]:
            r = notes_to_pretty_midi(samples[i]).get_piano_roll(fs=fs, times=np.arange(frames) / fs)
            roll[:, : r.shape[1]] = r[:, :frames]
        ax.imshow(
            roll[lo : hi + 1] > 0,
            aspect="auto",
            origin="lower",
            cmap="Greys",
            interpolation="nearest",
            extent=(0, frames / fs, lo - 0.5, hi + 0.5),
        )
        ax.set_yticks([lo, hi])
        ax.set_yticklabels([pretty_midi.note_number_to_name(lo), pretty_midi.note_number_to_name(hi)], fontsize=6)
        ax.set_title(labels[i] if labels and i < len(labels) else f"#{i}", fontsize=7)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def export_token_samples(
    tokens: Any,
    tokenizer: MidiTokenizer,
    out_dir: Path,
    stem: str,
    individual: bool = False,
    tempo: float = 120.0,
    program: int = 0,
    gap_seconds: float = 1.0,
) -> list[Path]:
    """Decode token sequences and write them as MIDI (+ a piano-roll sheet).

    ``individual=True``: ``<stem>_<i>.mid`` per sample (what ``gan-sample`` writes).
    ``individual=False``: ``<stem>.mid`` with the samples one after another (``gap_seconds``
    apart) and ``<stem>.png``, a piano-roll sheet of all samples.
    """
    out_dir = Path(out_dir)
    seqs = tokens.tolist() if hasattr(tokens, "tolist") else [list(s) for s in tokens]
    notes = [tokenizer.decode(s, tempo=tempo) for s in seqs]
    nominal = tokenizer.seconds_per_window(tempo)
    if individual:
        width = max(3, len(str(len(seqs) - 1)))
        return [write_midi(out_dir / f"{stem}_{i:0{width}d}.mid", n, tempo, program) for i, n in enumerate(notes)]
    lengths = [sample_length(n, nominal) for n in notes]
    mid = write_midi(out_dir / f"{stem}.mid", concatenate(notes, lengths, gap_seconds), tempo, program)
    cols = max(1, math.ceil(math.sqrt(len(notes))))
    png = write_pianoroll_sheet(out_dir / f"{stem}.png", notes, duration=max(lengths, default=1.0), cols=cols, title=stem)
    return [mid, png]
