"""Reading folders of audio files into fixed-length mono windows, and writing WAVs.

Decoding is done by ``soundfile`` (libsndfile: WAV, FLAC, OGG/Vorbis ...) because
torchaudio 2.11 no longer ships file I/O; resampling uses ``torchaudio``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torchaudio.functional as AF

from ganforge.errors import GanforgeError, choices_error

log = logging.getLogger("ganforge_audio")

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg")
SLICING_MODES = ("first", "all", "random")
LABEL_MODES = ("none", "folder", "regex")


@dataclass
class AudioFolder:
    """Clips decoded from a folder, all mono at ``sample_rate``.

    Attributes:
        clips: one 1-D float32 tensor per example. For slicing ``first``/``all`` every clip
            is exactly ``window`` samples; for ``random`` clips are at least ``window`` long
            and a window is cropped at random each time the clip is used.
        labels: class index per clip, or ``None`` when the folder is unlabelled.
        class_names: sorted label names (index = class id); empty when unlabelled.
        files: source file of each clip, relative to the root.
        skipped: ``(file, reason)`` for every file that could not be decoded.
    """

    clips: list[torch.Tensor]
    labels: list[int] | None
    class_names: list[str]
    files: list[str]
    sample_rate: int
    window: int
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def stacked(self) -> torch.Tensor:
        """All clips as one ``[N, 1, window]`` tensor (the first window of longer clips)."""
        return torch.stack([c[: self.window] for c in self.clips]).unsqueeze(1)


def find_audio_files(
    root: Path,
    extensions: Iterable[str] = AUDIO_EXTENSIONS,
    include: str | None = None,
    exclude: str | None = None,
) -> list[Path]:
    """Audio files under ``root`` (recursive, sorted), filtered by regexes on the relative path.

    ``include``/``exclude`` are matched with ``re.search`` against the POSIX path relative
    to ``root`` (e.g. ``exclude="_[0-4]\\.wav$"`` drops the FSDD test split).
    """
    root = Path(root)
    exts = {e.lower() if e.startswith(".") else "." + e.lower() for e in extensions}
    inc = re.compile(include) if include else None
    exc = re.compile(exclude) if exclude else None
    found = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in exts:
            continue
        rel = p.relative_to(root).as_posix()
        if inc is not None and not inc.search(rel):
            continue
        if exc is not None and exc.search(rel):
            continue
        found.append(p)
    return found


def resample(audio: torch.Tensor, orig_rate: int, new_rate: int) -> torch.Tensor:
    """Band-limited resampling of ``audio`` (last dim = time) with torchaudio."""
    if orig_rate == new_rate:
        return audio
    return AF.resample(audio, int(orig_rate), int(new_rate))


def read_mono(path: Path, sample_rate: int) -> torch.Tensor:
    """Decode ``path``, mix down to mono and resample to ``sample_rate``.

    Returns a 1-D float32 tensor. Raises :class:`GanforgeError` naming the file if it
    cannot be decoded or holds no audio frames.
    """
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError, OSError) as exc:
        raise GanforgeError(f"cannot decode audio file {path}: {exc}") from exc
    if data.shape[0] == 0:
        raise GanforgeError(f"audio file {path} has no audio frames")
    mono = torch.from_numpy(np.ascontiguousarray(data.mean(axis=1)))
    return resample(mono, rate, sample_rate).contiguous()


def fit_to_window(audio: torch.Tensor, window: int, slicing: str = "first") -> list[torch.Tensor]:
    """Cut or zero-pad a 1-D signal to training windows.

    ``first``: the first ``window`` samples (zero-padded at the end if shorter).
    ``all``: consecutive non-overlapping windows; the last partial window is kept
    (zero-padded) only when it holds at least half a window, so a short clip still
    gives one example.
    ``random``: the whole signal (zero-padded to at least ``window``); the data set
    crops a random window every time it is read.
    """
    if slicing not in SLICING_MODES:
        raise choices_error("slicing mode", slicing, SLICING_MODES, where="data.slicing")
    n = audio.shape[-1]
    if n < window:
        audio = torch.nn.functional.pad(audio, (0, window - n))
    if slicing == "first":
        return [audio[:window]]
    if slicing == "random":
        return [audio]
    pieces = []
    for start in range(0, n, window):
        piece = audio[start : start + window]
        if piece.shape[-1] < window:
            if pieces and piece.shape[-1] < window // 2:
                break
            piece = torch.nn.functional.pad(piece, (0, window - piece.shape[-1]))
        pieces.append(piece)
    return pieces or [audio[:window]]


def label_of(rel_path: str, mode: str, pattern: re.Pattern | None) -> str | None:
    """The label of a file from its path relative to the data root.

    ``folder``: the first directory component; ``regex``: group 1 of ``pattern``
    (or the whole match when it has no group) searched in the file name.
    """
    if mode == "none":
        return None
    if mode == "folder":
        parts = rel_path.split("/")
        if len(parts) < 2:
            raise GanforgeError(
                f"data.labels=folder: file '{rel_path}' is directly under the data root; "
                "expected one sub-folder per class (root/<label>/<file>)"
            )
        return parts[0]
    name = rel_path.rsplit("/", 1)[-1]
    m = pattern.search(name) if pattern is not None else None
    if m is None:
        raise GanforgeError(
            f"data.label_pattern '{pattern.pattern if pattern else None}' does not match file name '{name}'"
        )
    return m.group(1) if m.groups() else m.group(0)


def load_audio_folder(
    root: str | Path,
    sample_rate: int = 16000,
    window: int = 16384,
    slicing: str = "first",
    labels: str = "none",
    label_pattern: str | None = None,
    include: str | None = None,
    exclude: str | None = None,
    extensions: Sequence[str] = AUDIO_EXTENSIONS,
    max_files: int | None = None,
) -> AudioFolder:
    """Decode every audio file under ``root`` into training windows.

    Unreadable files are logged by name (logger ``ganforge_audio``) and skipped; a folder
    with no readable audio raises :class:`GanforgeError`.
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise GanforgeError(f"data.path '{root}' is not a directory; expected a folder of audio files")
    if labels not in LABEL_MODES:
        raise choices_error("label mode", labels, LABEL_MODES, where="data.labels")
    if labels == "regex" and not label_pattern:
        raise GanforgeError("data.labels=regex needs data.label_pattern (e.g. '^(\\d+)_' for '7_theo_3.wav')")
    if slicing not in SLICING_MODES:
        raise choices_error("slicing mode", slicing, SLICING_MODES, where="data.slicing")
    pattern = re.compile(label_pattern) if labels == "regex" else None
    files = find_audio_files(root, extensions, include, exclude)
    if max_files is not None:
        files = files[: int(max_files)]
    clips: list[torch.Tensor] = []
    names: list[str | None] = []
    sources: list[str] = []
    skipped: list[tuple[str, str]] = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        try:
            audio = read_mono(path, sample_rate)
        except GanforgeError as exc:
            log.warning("skipping unreadable audio file %s: %s", path, exc)
            skipped.append((rel, str(exc)))
            continue
        label = label_of(rel, labels, pattern)
        for piece in fit_to_window(audio, window, slicing):
            clips.append(piece)
            names.append(label)
            sources.append(rel)
    if not clips:
        exts = "/".join(e.lstrip(".") for e in extensions)
        detail = f" ({len(skipped)} unreadable, e.g. {skipped[0][0]})" if skipped else ""
        raise GanforgeError(f"data.path '{root}': no readable audio files ({exts}) found{detail}")
    if labels == "none":
        return AudioFolder(clips, None, [], sources, sample_rate, window, skipped)
    class_names = sorted(set(names), key=_natural_key)
    index = {name: i for i, name in enumerate(class_names)}
    return AudioFolder(clips, [index[n] for n in names], class_names, sources, sample_rate, window, skipped)


def _natural_key(s: str):
    # "2" before "10" for numeric labels such as spoken digits.
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def write_wav(path: str | Path, audio: torch.Tensor, sample_rate: int) -> Path:
    """Write a mono signal in [-1, 1] as a 16-bit PCM WAV (values outside are clipped)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = audio.detach().float().cpu().reshape(-1).clamp(-1.0, 1.0).numpy()
    sf.write(str(path), data, int(sample_rate), subtype="PCM_16", format="WAV")
    return path
