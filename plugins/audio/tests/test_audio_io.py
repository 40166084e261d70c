"""Folder reading (formats, mixdown, resampling, windows, labels, errors) and WAV writing."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import soundfile as sf
import torch

from ganforge.errors import GanforgeError
from ganforge_audio.audio_io import fit_to_window, load_audio_folder, read_mono, write_wav


def _tone(n, rate, freq=440.0, amp=0.5):
    return (amp * np.sin(2 * np.pi * freq * np.arange(n) / rate)).astype(np.float32)


def test_reads_wav_flac_ogg_recursively_with_folder_labels(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    sf.write(tmp_path / "a" / "x.wav", _tone(800, 8000), 8000)
    sf.write(tmp_path / "a" / "deep" / "y.flac", _tone(1600, 16000), 16000)
    sf.write(tmp_path / "b" / "z.ogg", _tone(4000, 16000), 16000)
    (tmp_path / "b" / "notes.txt").write_text("not audio")
    data = load_audio_folder(tmp_path, sample_rate=16000, window=1024, labels="folder")
    assert data.files == ["a/deep/y.flac", "a/x.wav", "b/z.ogg"]
    assert data.class_names == ["a", "b"] and data.labels == [0, 0, 1]
    assert all(c.shape == (1024,) and c.dtype == torch.float32 for c in data.clips)
    assert data.stacked().shape == (3, 1, 1024)


def test_stereo_is_mixed_down_and_resampled(tmp_path):
    left = _tone(8000, 8000)
    right = np.zeros_like(left)
    sf.write(tmp_path / "s.wav", np.stack([left, right], 1), 8000)
    mono = read_mono(tmp_path / "s.wav", 16000)
    assert mono.shape == (16000,)  # one second at the new rate
    assert mono.abs().max().item() == pytest.approx(0.25, abs=0.01)  # mean of the two channels


def test_fit_to_window_modes():
    x = torch.arange(10, dtype=torch.float32)
    assert torch.equal(fit_to_window(x, 4, "first")[0], x[:4])
    pieces = fit_to_window(x, 4, "all")  # 4 + 4 + 2 (half a window: kept, padded)
    assert [p.tolist() for p in pieces] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 0]]
    assert len(fit_to_window(torch.ones(9), 4, "all")) == 2  # a 1-sample tail is dropped
    assert fit_to_window(torch.ones(3), 8, "first")[0].tolist() == [1, 1, 1, 0, 0, 0, 0, 0]
    with pytest.raises(GanforgeError, match="slicing"):
        fit_to_window(x, 4, "middle")


def test_regex_labels_and_include_exclude(tmp_path):
    for name in ["3_theo_0.wav", "3_theo_7.wav", "10_ann_9.wav"]:
        sf.write(tmp_path / name, _tone(400, 8000), 8000)
    data = load_audio_folder(tmp_path, 8000, 512, labels="regex", label_pattern=r"^(\d+)_", exclude=r"_0\.wav$")
    assert data.files == ["10_ann_9.wav", "3_theo_7.wav"]
    assert data.class_names == ["3", "10"] and data.labels == [1, 0]
    with pytest.raises(GanforgeError, match="does not match file name '10_ann_9.wav'"):
        load_audio_folder(tmp_path, 8000, 512, labels="regex", label_pattern=r"^x(\d)")


def test_peak_normalisation_scales_each_file_after_resampling(tmp_path):
    # a quiet and a loud file, one long enough for two windows, and a silent one
    sf.write(tmp_path / "quiet.wav", _tone(1600, 16000, amp=0.02), 16000)
    sf.write(tmp_path / "loud.wav", np.concatenate([_tone(800, 8000, amp=0.9), _tone(800, 8000, amp=0.3)]), 8000)
    sf.write(tmp_path / "silent.wav", np.zeros(800, np.float32), 8000)
    plain = load_audio_folder(tmp_path, 8000, 800, slicing="all")
    peaked = load_audio_folder(tmp_path, 8000, 800, slicing="all", normalize="peak")
    assert plain.files == peaked.files == ["loud.wav", "loud.wav", "quiet.wav", "silent.wav"]
    peaks = [round(float(c.abs().max()), 3) for c in peaked.clips]
    # per file, not per window: the loud file's second window keeps its level relative to the first
    assert peaks[0] == pytest.approx(1.0, abs=1e-3) and peaks[1] == pytest.approx(1 / 3, abs=0.01)
    assert peaks[2] == pytest.approx(1.0, abs=1e-3) and peaks[3] == 0.0
    assert float(plain.clips[2].abs().max()) == pytest.approx(0.02, abs=2e-3)  # default: levels untouched
    with pytest.raises(GanforgeError, match="data.normalize.*valid choices: none, peak"):
        load_audio_folder(tmp_path, 8000, 800, normalize="rms")


def test_unreadable_files_are_reported_by_name_and_skipped(tmp_path, caplog):
    sf.write(tmp_path / "good.wav", _tone(400, 8000), 8000)
    (tmp_path / "broken.wav").write_bytes(b"RIFF\x00\x00garbage")
    with caplog.at_level(logging.WARNING, logger="ganforge_audio"):
        data = load_audio_folder(tmp_path, 8000, 512)
    assert data.files == ["good.wav"]
    assert [s[0] for s in data.skipped] == ["broken.wav"]
    assert "broken.wav" in caplog.text


def test_bad_paths_give_one_line_errors(tmp_path):
    with pytest.raises(GanforgeError, match="is not a directory"):
        load_audio_folder(tmp_path / "missing")
    (tmp_path / "only_bad.flac").write_bytes(b"nope")
    with pytest.raises(GanforgeError, match=r"no readable audio files \(wav/flac/ogg\).*only_bad.flac"):
        load_audio_folder(tmp_path)
    with pytest.raises(GanforgeError, match="valid choices: folder, none, regex"):
        load_audio_folder(tmp_path, labels="names")
    sf.write(tmp_path / "root.wav", _tone(400, 8000), 8000)
    with pytest.raises(GanforgeError, match="one sub-folder per class"):
        load_audio_folder(tmp_path, labels="folder")


def test_write_wav_reads_back_as_16_bit(tmp_path):
    x = torch.linspace(-1.5, 1.5, 3000)  # out of range values are clipped, not wrapped
    path = write_wav(tmp_path / "o" / "t.wav", x, 22050)
    info = sf.info(str(path))
    assert (info.samplerate, info.frames, info.channels, info.subtype) == (22050, 3000, 1, "PCM_16")
    back, rate = sf.read(str(path), dtype="int16")
    assert back.dtype == np.int16 and back.max() == 32767 and back.min() == -32768
    mid, _ = sf.read(str(path), dtype="float32")
    assert np.allclose(mid[1000:2000], x[1000:2000].numpy(), atol=1e-4)
