"""Bad-input corpus of the audio domain: each malformed input is rejected with one line naming
the file, or converted with a warning (see docs/reliability.md, "Audio")."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

sys.path.insert(0, str(Path(__file__).parent))  # the helper module beside this file (importlib mode)

from _bad_input_helpers import Case, assert_documented, check, ids  # noqa: E402

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("audio",)

DOMAIN = "audio"
RATE = 8000  # debug=smoke trains at 8 kHz on 4096-sample windows


def tone(n: int = 4096, amplitude: float = 0.5, freq: float = 440.0, rate: int = RATE) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * freq * np.arange(n) / rate)).astype(np.float32)


def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir(exist_ok=True)
    return root


def write(root: Path, name: str, audio: np.ndarray, rate: int = RATE, subtype: str = "PCM_16") -> Path:
    path = root / name
    sf.write(str(path), audio, rate, subtype=subtype, format="WAV")
    return path


def with_good(root: Path, n: int = 3) -> None:
    for i in range(n):
        write(root, f"good{i}.wav", tone(freq=300.0 + 100 * i))


# ----------------------------------------------------------------------------- builders
def nan_float_wav(tmp_path):
    root = data_dir(tmp_path)
    x = tone()
    x[100] = np.nan
    write(root, "nan.wav", x, subtype="FLOAT")
    return root, []


def inf_float_wav(tmp_path):
    root = data_dir(tmp_path)
    x = tone().astype(np.float64)
    x[7] = -np.inf
    write(root, "inf.wav", x, subtype="DOUBLE")
    return root, []


def one_nan_among_good(tmp_path):
    root = data_dir(tmp_path)
    with_good(root)
    x = tone()
    x[:10] = np.nan
    write(root, "bad_nan.wav", x, subtype="FLOAT")
    return root, []


def loud_float_wavs(tmp_path):
    root = data_dir(tmp_path)
    with_good(root, 1)
    for i in range(3):
        write(root, f"loud{i}.wav", tone(amplitude=1.5, freq=200.0 + 50 * i), subtype="FLOAT")
    return root, []


def loud_float64_wav(tmp_path):
    root = data_dir(tmp_path)
    with_good(root, 2)
    write(root, "loud64.wav", tone(amplitude=3.0).astype(np.float64), subtype="DOUBLE")
    return root, []


def verify_clipped(dm):
    x = dm.training_waves()
    assert float(x.abs().max()) <= 1.0 and float(x.abs().max()) > 0.99


def truncated_wav(tmp_path):
    root = data_dir(tmp_path)
    full = write(root, "cut.wav", tone(8000))
    data = full.read_bytes()
    full.write_bytes(data[: len(data) // 3])
    return root, []


def header_only_wav(tmp_path):
    root = data_dir(tmp_path)
    full = write(root, "header.wav", tone(8000))
    full.write_bytes(full.read_bytes()[:44])
    return root, []


def zero_frame_wav(tmp_path):
    root = data_dir(tmp_path)
    write(root, "silent.wav", np.zeros(0, np.float32))
    return root, []


def empty_file(tmp_path):
    root = data_dir(tmp_path)
    (root / "empty.wav").write_bytes(b"")
    return root, []


def text_as_wav(tmp_path):
    root = data_dir(tmp_path)
    (root / "notes.wav").write_text("not audio\n" * 20)
    return root, []


def random_flac(tmp_path):
    root = data_dir(tmp_path)
    (root / "noise.flac").write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return root, []


def empty_folder(tmp_path):
    return data_dir(tmp_path), []


def path_is_a_file(tmp_path):
    return write(data_dir(tmp_path), "single.wav", tone()), []


def low_rate_wav(tmp_path):
    root = data_dir(tmp_path)
    write(root, "slow.wav", tone(400, rate=100, freq=10.0), rate=100)
    return root, []


def other_rate_wav(tmp_path):
    root = data_dir(tmp_path)
    write(root, "cd.wav", tone(44100, rate=44100), rate=44100)
    return root, []


def verify_resampled(dm):
    x = dm.training_waves()
    assert x.shape == (1, 1, 4096)
    # 440 Hz at 8 kHz after resampling: about 2 * 440 * 4096 / 8000 = 450 zero crossings
    crossings = int((np.diff(np.sign(x[0, 0].numpy())) != 0).sum())
    assert 400 < crossings < 500, crossings


def stereo_wav(tmp_path):
    root = data_dir(tmp_path)
    write(root, "stereo.wav", np.stack([tone(), -tone()], axis=1) + np.stack([tone(freq=300.0)] * 2, axis=1))
    return root, []


def verify_stereo(dm):
    x = dm.training_waves()
    # the opposite-phase 440 Hz cancels in the mix; the common 300 Hz tone stays
    assert x.shape == (1, 1, 4096) and 0.3 < float(x.abs().max()) < 0.6


def short_wav(tmp_path):
    root = data_dir(tmp_path)
    write(root, "short.wav", tone(1000))
    return root, []


def verify_padded(dm):
    x = dm.training_waves()
    assert x.shape == (1, 1, 4096) and float(x[0, 0, 1000:].abs().max()) == 0.0


CASES = [
    Case("nan-float-wav", "a float WAV with one NaN sample", nan_float_wav, "rejected", ["NaN/inf"], name_file="nan.wav",
         cli=True),
    Case("inf-float64-wav", "a float64 WAV with one -inf sample", inf_float_wav, "rejected", ["NaN/inf"],
         name_file="inf.wav"),
    Case("one-nan-among-good", "three good WAVs and one float WAV starting with NaNs", one_nan_among_good, "converted",
         ["skipped 1 of 4"], name_file="bad_nan.wav"),
    Case("loud-float-wavs", "three float WAVs at amplitude 1.5 beside a normal one", loud_float_wavs, "converted",
         ["clipped 3 of 4"], name_file="loud", cli=True),
    Case("loud-float64-wav", "a float64 WAV at amplitude 3", loud_float64_wav, "converted", ["clipped 1 of 3"],
         name_file="loud64.wav", verify=verify_clipped),
    Case("truncated-wav", "a WAV whose data chunk is cut to a third", truncated_wav, "rejected", ["truncated"],
         name_file="cut.wav", cli=True),
    Case("header-only-wav", "a WAV cut right after its 44-byte header", header_only_wav, "rejected", ["truncated"],
         name_file="header.wav"),
    Case("zero-frame-wav", "a valid WAV with no frames", zero_frame_wav, "rejected", ["no audio frames"],
         name_file="silent.wav"),
    Case("empty-file", "a 0-byte .wav", empty_file, "rejected", ["cannot decode"], name_file="empty.wav"),
    Case("text-as-wav", "a text file named .wav", text_as_wav, "rejected", ["cannot decode"], name_file="notes.wav"),
    Case("random-flac", "4 KiB of random bytes named .flac", random_flac, "rejected", ["cannot decode"],
         name_file="noise.flac"),
    Case("empty-folder", "an empty folder", empty_folder, "rejected", ["no audio files"]),
    Case("path-is-a-file", "data.path naming one WAV file instead of a folder", path_is_a_file, "rejected",
         ["not a directory"]),
    Case("low-rate-wav", "a WAV at 100 Hz", low_rate_wav, "rejected", ["100 Hz", "at least 1000 Hz"], name_file="slow.wav"),
    Case("other-rate-wav", "a 44.1 kHz WAV (training at 8 kHz)", other_rate_wav, "converted", [], warns=False,
         verify=verify_resampled),
    Case("stereo-wav", "a stereo WAV", stereo_wav, "converted", [], warns=False, verify=verify_stereo),
    Case("short-wav", "a WAV shorter than one window", short_wav, "converted", [], warns=False, verify=verify_padded),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_audio_input(case, tmp_path, caplog):
    check(case, DOMAIN, tmp_path, caplog)


def test_reliability_table_lists_every_audio_case():
    assert_documented("Audio", CASES)
