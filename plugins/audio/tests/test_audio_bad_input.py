"""Edge cases of the audio input checks: truncation detection must not flag valid or streamed WAVs."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from ganforge_audio.audio_io import decode_audio, wav_truncation


def _wav(path, n=1000, subtype="PCM_16"):
    sf.write(str(path), (0.5 * np.sin(np.arange(n) / 7)).astype(np.float32), 8000, subtype=subtype, format="WAV")
    return path


def test_complete_wav_with_extra_chunks_is_not_truncated(tmp_path):
    path = _wav(tmp_path / "ok.wav")
    assert wav_truncation(path) is None
    # a trailing LIST chunk after the data chunk (as many editors write) is still complete
    path.write_bytes(path.read_bytes() + b"LIST\x04\x00\x00\x00INFO")
    assert wav_truncation(path) is None


def test_cut_wav_reports_declared_and_present_bytes(tmp_path):
    path = _wav(tmp_path / "cut.wav")
    data = path.read_bytes()
    path.write_bytes(data[:-500])
    declared, present = wav_truncation(path)
    assert declared == 2000 and present == 1500


def test_streamed_wav_with_unknown_size_is_not_flagged(tmp_path):
    path = _wav(tmp_path / "stream.wav")
    data = bytearray(path.read_bytes())
    i = data.index(b"data")
    data[i + 4 : i + 8] = b"\xff\xff\xff\xff"  # what a WAV written to a pipe declares
    path.write_bytes(bytes(data))
    assert wav_truncation(path) is None


def test_non_wav_files_are_not_checked(tmp_path):
    flac = tmp_path / "x.flac"
    sf.write(str(flac), np.zeros(100, np.float32), 8000, format="FLAC")
    assert wav_truncation(flac) is None


def test_clipping_is_reported_and_bounded_after_resampling(tmp_path):
    path = _wav(tmp_path / "loud.wav", 4000, subtype="FLOAT")
    x, rate = sf.read(str(path), dtype="float32")
    sf.write(str(path), 1.5 * x / np.abs(x).max(), rate, subtype="FLOAT")
    decoded = decode_audio(path, 16000)  # upsampling rings past full scale near clipped peaks
    assert decoded.clipped and abs(decoded.peak - 1.5) < 1e-4
    assert float(decoded.mono.abs().max()) <= 1.0
