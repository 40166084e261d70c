"""gan-export (TorchScript, ONNX) and gan-sample's latent tools (interpolate=K,
truncation=PSI) on real smoke runs: the exported files are loaded back independently
of the tool and must reproduce the generator; sheets have the documented layout."""

from __future__ import annotations

import wave

import pytest
import torch
from PIL import Image

from ganforge import GanforgeError
from ganforge._internal.loading import load_module
from ganforge.export import export_generator
from ganforge.generation import interpolation_latents, slerp, truncate
from ganforge.testing.runs import run_smoke, sample_files

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images", "audio", "poetry")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Smoke runs of an unconditional image GAN, a conditional one, WaveGAN and SeqGAN."""
    root = tmp_path_factory.mktemp("export-runs")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        out = {}
        for key, domain, model, extra in [("dcgan", "images", "dcgan", []), ("cgan", "images", "cgan", []),
                                          ("wavegan", "audio", "wavegan", ["run.sample_count=4"]),
                                          ("seqgan", "poetry", "mle", ["run.sample_count=4"])]:
            run_smoke(domain, model, root / key, extra)
            out[key] = root / key
        return out
    finally:
        torch.set_num_threads(before)


def _reference(run_dir, *inputs):
    _, module = load_module(run_dir)
    with torch.no_grad():
        return module.sampling_generator().eval()(*inputs)


def test_gan_export_command_writes_a_verified_torchscript_file(runs, run_cli, tmp_path):
    out = tmp_path / "g.pt"
    res = run_cli("gan-export", str(runs["dcgan"]), "format=torchscript", f"out={out}")
    assert res.returncode == 0, res.stderr
    assert f"wrote {out} (torchscript, dcgan); verified" in res.stdout and "Warning" not in res.stderr


@pytest.mark.parametrize("run", ["dcgan", "cgan", "wavegan"])
def test_torchscript_export_reproduces_the_generator(runs, run, tmp_path):
    out, info = export_generator([str(runs[run]), "format=torchscript", f"out={tmp_path / 'g.pt'}"])
    assert info["verified_max_abs_diff"] <= 1e-4
    loaded = torch.jit.load(str(out))  # no ganforge needed to run it
    torch.manual_seed(3)
    shapes = [s["shape"][1:] for s in info["inputs"]]
    inputs = [torch.randn(7, *shapes[0])]
    if run == "cgan":
        assert info["inputs"][1]["dtype"] == "int64"
        inputs.append(torch.arange(7) % 10)
    got = loaded(*inputs)
    assert list(got.shape[1:]) == info["output_shape"][1:] and got.shape[0] == 7
    torch.testing.assert_close(got, _reference(runs[run], *inputs), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("run", ["dcgan", "wavegan"])
def test_onnx_export_runs_in_onnxruntime(runs, run):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    out, _ = export_generator([str(runs[run]), "format=onnx"])
    assert out == runs[run] / "export" / "generator.onnx"
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    z = torch.randn(3, session.get_inputs()[0].shape[1])
    got = torch.from_numpy(session.run(None, {session.get_inputs()[0].name: z.numpy()})[0])
    torch.testing.assert_close(got, _reference(runs[run], z), atol=1e-4, rtol=1e-3)


def test_export_errors_name_the_problem(runs, tmp_path):
    cases = [
        ([str(runs["seqgan"]), "format=onnx"], "model 'mle' of domain 'poetry' samples tokens one step at a time"),
        ([str(runs["dcgan"]), "format=keras"], r"format=keras: expected one of \['torchscript', 'onnx'\]"),
        ([str(runs["dcgan"]), "format=onnx", "direction=AtoB"], r"unknown gan-export option\(s\) \['direction'\]"),
        ([str(tmp_path / "nothing"), "format=onnx"], "does not exist"),
    ]
    for args, message in cases:
        with pytest.raises(GanforgeError, match=message):
            export_generator(args)


def test_interpolation_sheet_rows_are_paths(runs, tmp_path):
    files = sample_files(runs["dcgan"], tmp_path / "interp", n=3, options=["interpolate=5"])
    assert [f.name for f in files] == ["interpolation.png"]
    _, module = load_module(runs["dcgan"])
    size = int(module.spec["size"])
    width, height = Image.open(files[0]).size
    assert (width, height) == (5 * (size + 2) + 2, 3 * (size + 2) + 2)  # 5 steps across, 3 paths down
    # the same seed gives the same sheet; neighbouring steps differ (the latent moves)
    again = sample_files(runs["dcgan"], tmp_path / "again", n=3, options=["interpolate=5"])
    assert files[0].read_bytes() == again[0].read_bytes()


def test_audio_interpolation_is_a_sequence_of_clips(runs, tmp_path):
    files = sample_files(runs["wavegan"], tmp_path / "interp", n=2, options=["interpolate=4"])
    wavs = sorted(f for f in files if f.suffix == ".wav")
    assert [f.name for f in wavs] == ["interpolation_000.wav", "interpolation_001.wav"]
    _, module = load_module(runs["wavegan"])
    clip = module.sample(1).audio.shape[-1]
    with wave.open(str(wavs[0])) as fh:
        rate, frames = fh.getframerate(), fh.getnframes()
    assert frames == 4 * clip + 3 * int(0.25 * rate)  # 4 clips with 0.25 s gaps


def test_truncation_changes_samples_and_rejects_latent_free_models(runs, tmp_path):
    plain = sample_files(runs["cgan"], tmp_path / "plain", n=4, options=["label=3"])
    trunc = sample_files(runs["cgan"], tmp_path / "trunc", n=4, options=["label=3", "truncation=0.3"])
    assert len(trunc) == 4 and [f.read_bytes() for f in plain] != [f.read_bytes() for f in trunc]
    with pytest.raises(GanforgeError, match="model 'mle' has no continuous latent"):
        sample_files(runs["seqgan"], tmp_path / "seq", n=2, options=["truncation=0.5"])
    with pytest.raises(GanforgeError, match="interpolate=1: expected an integer"):
        sample_files(runs["dcgan"], tmp_path / "bad", n=2, options=["interpolate=1"])


def test_truncation_and_slerp_properties():
    torch.manual_seed(0)
    z = truncate(lambda n: torch.randn(n, 64), 500, 0.5)
    assert z.shape == (500, 64) and float(z.abs().max()) <= 0.5
    assert float(z.std()) < 0.35  # a truncated normal, not a rescaled one (std of N(0,1) cut at 0.5 ~ 0.28)
    u = truncate(lambda n: torch.rand(n, 8) * 2 - 1, 200, 0.25)  # uniform latent: U(-0.25, 0.25)
    assert float(u.abs().max()) <= 0.25 and float(u.abs().max()) > 0.2
    a, b = torch.randn(3, 16), torch.randn(3, 16)
    path = slerp(a, b, torch.linspace(0, 1, 7))
    torch.testing.assert_close(path[:, 0], a, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(path[:, -1], b, atol=1e-5, rtol=1e-5)
    lat = interpolation_latents(lambda n: torch.randn(n, 4, 2), paths=2, steps=5)
    assert lat.shape == (10, 4, 2)
