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
from ganforge.progress import track

log = logging.getLogger("ganforge_audio")

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg")
SLICING_MODES = ("first", "all", "random")
LABEL_MODES = ("none", "folder", "regex")
# ``peak``: every decoded file scaled to full scale after resampling, as the official WaveGAN
# loader's ``--data_normalize`` does; quiet classes (hi-hats resampled to 8 kHz keep only the
# tail of their spectrum below the new Nyquist, ~-52 dBFS) then weigh in the critic's loss.
NORMALIZE_MODES = ("none", "peak")


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


#: Files below this sample rate are rejected: they are not audio, and resampling them to the
#: training rate would multiply their length by thousands.
MIN_SAMPLE_RATE = 1000
#: Skipped or clipped files named one by one in warnings; the rest are only counted.
NAMED_FILES = 5


def wav_truncation(path: Path) -> tuple[int, int] | None:
    """``(declared, present)`` bytes of a RIFF/WAVE ``data`` chunk cut short, else ``None``.

    libsndfile silently reads what is there, so a WAV cut during a copy would be zero-padded
    into a training window; the chunk walk is hand-written because neither soundfile nor the
    standard ``wave`` module exposes the declared chunk size. Streamed WAVs (size 0 or
    0xFFFFFFFF), RF64 and non-WAV files are not checked.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            offset = 12
            while offset + 8 <= size:
                fh.seek(offset)
                chunk = fh.read(8)
                declared = int.from_bytes(chunk[4:8], "little")
                if chunk[:4] == b"data":
                    present = size - offset - 8
                    if declared in (0, 0xFFFFFFFF) or present >= declared:
                        return None
                    return declared, present
                offset += 8 + declared + (declared & 1)
    except OSError:
        return None
    return None


@dataclass
class DecodedAudio:
    """One decoded file: ``mono`` float32 at the training rate, and what was done to it."""

    mono: torch.Tensor
    rate: int
    peak: float
    clipped: bool


def decode_audio(path: Path, sample_rate: int) -> DecodedAudio:
    """Decode ``path``, clip float samples to [-1, 1], mix down to mono and resample.

    Raises :class:`GanforgeError` naming the file when it cannot be decoded, holds no audio
    frames, has a ``data`` chunk shorter than its header declares (truncated), holds NaN/inf
    samples, or has a sample rate below :data:`MIN_SAMPLE_RATE`.
    """
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError, OSError) as exc:
        detail = getattr(exc, "error_string", None) or (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise GanforgeError(f"cannot decode audio file {path} ({detail}); expected WAV/FLAC/OGG audio") from None
    cut = wav_truncation(path)
    if cut is not None:
        raise GanforgeError(
            f"audio file {path} is truncated: its data chunk declares {cut[0]} bytes but the file holds {cut[1]}"
        )
    if data.shape[0] == 0:
        raise GanforgeError(f"audio file {path} has no audio frames")
    bad = int(np.count_nonzero(~np.isfinite(data)))
    if bad:
        raise GanforgeError(f"audio file {path} has {bad} NaN/inf sample(s); expected finite samples in [-1, 1]")
    if rate < MIN_SAMPLE_RATE:
        raise GanforgeError(f"audio file {path} has sample rate {rate} Hz; expected at least {MIN_SAMPLE_RATE} Hz")
    peak = float(np.abs(data).max())
    clipped = peak > 1.0
    if clipped:  # float WAV/FLAC may exceed full scale; the generators' tanh cannot
        np.clip(data, -1.0, 1.0, out=data)
    mono = torch.from_numpy(np.ascontiguousarray(data.mean(axis=1)))
    # band-limited resampling rings slightly past full scale near clipped peaks
    mono = resample(mono, rate, sample_rate).clamp_(-1.0, 1.0).contiguous()
    return DecodedAudio(mono, int(rate), peak, clipped)


def read_mono(path: Path, sample_rate: int) -> torch.Tensor:
    """Decode ``path`` to a 1-D float32 tensor at ``sample_rate`` (see :func:`decode_audio`)."""
    return decode_audio(path, sample_rate).mono


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
    normalize: str = "none",
) -> AudioFolder:
    """Decode every audio file under ``root`` into training windows.

    Files that cannot be used (undecodable, empty, truncated, NaN/inf samples, sample rate
    below :data:`MIN_SAMPLE_RATE`) are logged by name (logger ``ganforge_audio``) and skipped;
    float samples beyond [-1, 1] are clipped with one warning counting the files; a folder
    with no usable audio raises :class:`GanforgeError` naming the first rejected file.
    ``normalize="peak"`` scales each file (after resampling, before slicing) to a peak of 1;
    silent files stay silent.
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
    if normalize not in NORMALIZE_MODES:
        raise choices_error("normalisation", normalize, NORMALIZE_MODES, where="data.normalize")
    pattern = re.compile(label_pattern) if labels == "regex" else None
    files = find_audio_files(root, extensions, include, exclude)
    if max_files is not None:
        files = files[: int(max_files)]
    clips: list[torch.Tensor] = []
    names: list[str | None] = []
    sources: list[str] = []
    skipped: list[tuple[str, str]] = []
    clipped: list[tuple[str, float]] = []
    resampled: set[int] = set()
    for path in track(files, f"reading {len(files)} audio files"):
        rel = path.relative_to(root).as_posix()
        try:
            decoded = decode_audio(path, sample_rate)
        except GanforgeError as exc:
            skipped.append((rel, str(exc)))
            if len(skipped) <= NAMED_FILES:
                log.warning("skipping %s", exc)
            continue
        if decoded.clipped:
            clipped.append((rel, decoded.peak))
        if decoded.rate != sample_rate:
            resampled.add(decoded.rate)
        label = label_of(rel, labels, pattern)
        mono = decoded.mono
        if normalize == "peak":
            peak = float(mono.abs().max())
            if peak > 0:
                mono = mono / peak
        for piece in fit_to_window(mono, window, slicing):
            clips.append(piece)
            names.append(label)
            sources.append(rel)
    if skipped:
        log.warning("skipped %d of %d audio files under %s (unreadable, truncated, empty or non-finite)",
                    len(skipped), len(files), root)
    if not clips:
        exts = "/".join(e.lstrip(".") for e in extensions)
        if skipped:
            raise GanforgeError(
                f"data.path '{root}': no readable audio files ({exts}) found; {len(skipped)} of {len(files)} "
                f"rejected, e.g. {skipped[0][1]}"
            )
        raise GanforgeError(f"data.path '{root}': no audio files ({exts}) found (searched recursively)")
    if clipped:
        worst = max(clipped, key=lambda c: c[1])
        log.warning(
            "clipped %d of %d audio files to [-1, 1] (float samples beyond full scale; e.g. %s peaks at %.3g)",
            len(clipped), len(files) - len(skipped), root / worst[0], worst[1],
        )
    if resampled:
        log.info("resampled files at %s Hz to %d Hz", ", ".join(str(r) for r in sorted(resampled)), sample_rate)
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
