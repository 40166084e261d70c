"""The MIDI domain's part of the run report: per sample step the piano-roll sheet, an
audio preview of the .mid and the .mid itself.

The preview is synthesised with FluidSynth and a General-MIDI soundfont when both are
available (``pyfluidsynth`` plus ``$GANFORGE_SOUNDFONT`` or a system soundfont such as
Debian's ``fluid-soundfont-gm``), so it sounds like the instrument the file names;
otherwise with pretty_midi's own synthesis (one sine per note: pitches and rhythm, no
timbre). The report says which one was used.
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np
import pretty_midi

from ganforge.report import Audio, Figure, Link, ReportGroup, ReportSection, is_stale, sample_steps, thin_steps

PREVIEW_RATE = 22050
#: longest preview rendered (a sheet of 64 melodies can run for minutes)
MAX_PREVIEW_SECONDS = 60.0
SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
)


def find_soundfont() -> Path | None:
    """A General-MIDI soundfont: ``$GANFORGE_SOUNDFONT`` or a usual system location."""
    for candidate in (os.environ.get("GANFORGE_SOUNDFONT"), *SOUNDFONTS):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def synthesize(pm: pretty_midi.PrettyMIDI, rate: int = PREVIEW_RATE) -> tuple[np.ndarray, str]:
    """Audio of ``pm`` and the method used (``fluidsynth (<soundfont>)`` or ``sine``)."""
    soundfont = find_soundfont()
    if soundfont is not None:
        try:
            return pm.fluidsynth(fs=rate, sf2_path=str(soundfont)), f"FluidSynth ({soundfont.name})"
        except (ImportError, ValueError, OSError):
            pass  # pyfluidsynth or its library missing: fall back to the sine synthesis
    return pm.synthesize(fs=rate), "pretty_midi sine synthesis (no FluidSynth/GM soundfont found)"


def write_wav16(path: Path, audio: np.ndarray, rate: int) -> Path:
    """A mono float signal as 16-bit PCM WAV, peak-normalised to -1 dBFS."""
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    data = audio / peak * 0.89 if peak > 0 else audio
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes((np.clip(data, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def midi_preview(mid: Path, assets_dir: Path) -> tuple[Path, str]:
    """The WAV preview of ``mid`` under ``assets_dir/midi`` (rendered when missing or stale)."""
    out = Path(assets_dir) / "midi" / f"{mid.stem}.wav"
    method_file = out.with_suffix(".method")
    if is_stale(out, [mid]) or not method_file.is_file():
        pm = pretty_midi.PrettyMIDI(str(mid))
        audio, method = synthesize(pm)
        write_wav16(out, audio[: int(MAX_PREVIEW_SECONDS * PREVIEW_RATE)], PREVIEW_RATE)
        method_file.write_text(method)
    return out, method_file.read_text()


def midi_report_section(run_dir: Path, assets_dir: Path) -> ReportSection:
    """Piano rolls, audio previews and .mid links by sample step."""
    groups, thumbnail, methods = [], None, set()
    for step in thin_steps(sample_steps(run_dir)):
        blocks = []
        for path in step.files:
            suffix = path.suffix.lower()
            if suffix == ".png":
                blocks.append(Figure(path, f"{step.label}: piano roll (pitch over time, one panel per sample)"))
                thumbnail = path
            elif suffix == ".mid":
                preview, method = midi_preview(path, assets_dir)
                methods.add(method)
                with wave.open(str(preview)) as fh:
                    cut = fh.getnframes() >= int(MAX_PREVIEW_SECONDS * PREVIEW_RATE)
                caption = f"{step.label}: audio preview" + (f" (the first {MAX_PREVIEW_SECONDS:.0f} s)" if cut else "")
                blocks.append(Audio(preview, caption, link=path, link_label=f"{path.name} (MIDI)"))
            else:
                blocks.append(Link(path, path.name))
        groups.append(ReportGroup(step.label, blocks, step.step))
    note = "Previews rendered with " + "; ".join(sorted(methods)) + "." if methods else ""
    return ReportSection("Samples (midi)", groups, thumbnail=thumbnail, note=note)
