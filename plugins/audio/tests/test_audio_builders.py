"""Audio models and data built two ways: from flat, typed arguments with no config anywhere
(a notebook), and by their ``from_config`` builders from a composed run config (the YAML's
values; no ``cfg`` kept on the module). Plus checkpoints written before the change (issue 13)
still sample, to the same audio."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import lightning.pytorch as pl
import numpy as np
import pytest
import soundfile as sf
import torch
from omegaconf import OmegaConf
from torch.utils.data import DataLoader, TensorDataset

import ganforge
from ganforge import GANSettings, compose_config, get_registry
from ganforge.errors import GanforgeError
from ganforge.testing import sample_files
from ganforge_audio.datamodule import AudioDataModule
from ganforge_audio.models import MODELS, AudioSamples, SpecGAN, WaveGAN

OLD = Path(__file__).parent / "data" / "checkpoints_before_13"


def _settings(**model) -> GANSettings:
    return GANSettings.defaults(latent_dim=8, loss="wgan", gp_weight=10.0, n_critic=1, max_steps=2, **model)


def flat_models() -> dict[str, ganforge.AdversarialModule]:
    """One model of each class, from keyword arguments only."""
    return {
        "wavegan": WaveGAN(sample_rate=8000, window=1024, channels=1, d=2, upsample="nearest", post_filter=16,
                           phase_shuffle=2, batchnorm=False, settings=_settings()),
        "specgan": SpecGAN(sample_rate=8000, window=4096, d=2, batchnorm=True, griffin_lim_iters=2,
                           spectrogram_mean=[0.0] * 128, spectrogram_std=[1.0] * 128, settings=_settings()),
    }


def test_every_model_class_is_covered():
    assert {type(m) for m in flat_models().values()} == set(MODELS.values())


@pytest.mark.parametrize("name", sorted(MODELS))
def test_flat_model_trains_two_steps_and_samples_without_any_config(name):
    torch.manual_seed(0)
    module = flat_models()[name]
    assert not hasattr(module, "cfg") and module.run_config is None
    window = 1024 if name == "wavegan" else 4096
    before = module.generator.state_dict()
    before = {k: v.clone() for k, v in before.items()}
    loader = DataLoader(TensorDataset(0.3 * torch.randn(8, 1, window)), batch_size=4, shuffle=True)
    trainer = pl.Trainer(accelerator="cpu", max_epochs=-1, max_steps=-1, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(module, train_dataloaders=loader)
    assert module.g_step == 2  # settings.max_steps
    assert any(not torch.equal(before[k], v) for k, v in module.generator.state_dict().items())
    samples = module.sample(3)
    assert isinstance(samples, AudioSamples) and samples.sample_rate == 8000
    assert samples.audio.shape == (3, 1, window) and samples.audio.abs().max() <= 1


def test_specgan_moments_must_have_one_value_per_bin():
    with pytest.raises(GanforgeError, match="expected 128 values per bin"):
        SpecGAN(sample_rate=8000, window=4096, d=2, batchnorm=False, griffin_lim_iters=2,
                spectrogram_mean=[0.0] * 3, spectrogram_std=[1.0] * 3, settings=_settings())


def _yaml(name: str):
    """A model's own YAML file, read directly (what the builder must reproduce)."""
    with resources.files("ganforge_audio.conf").joinpath(f"model/{name}.yaml").open(encoding="utf-8") as f:
        return OmegaConf.load(f).model


def _built(monkeypatch, cls, cfg, spec):
    """``plugin.make_module(cfg, spec)`` and the keyword arguments its builder passed."""
    seen: dict = {}
    init = cls.__init__

    def spy(self, **kwargs):
        seen.update(kwargs)
        init(self, **kwargs)

    monkeypatch.setattr(cls, "__init__", spy)
    return get_registry().get("audio").make_module(cfg, spec), seen


SPEC = {"sample_rate": 16000, "window": 16384, "channels": 1, "num_clips": 3, "class_names": []}
MOMENTS = {"spectrogram_mean": [0.5] * 128, "spectrogram_std": [2.0] * 128}


def test_wavegan_from_config_passes_the_yaml_values(monkeypatch):
    cfg = compose_config(["domain=audio", "model=wavegan"])
    module, args = _built(monkeypatch, WaveGAN, cfg, SPEC)
    yaml = _yaml("wavegan")
    assert not hasattr(module, "cfg")
    keys = ("d", "upsample", "upsample_last", "post_filter", "phase_shuffle", "batchnorm", "mbstd_group", "spec_critic",
            "pack")
    assert {k: args[k] for k in keys} == {k: yaml[k] for k in keys}
    assert (args["sample_rate"], args["window"], args["channels"]) == (16000, 16384, 1)
    s = args["settings"].model
    assert (s.loss, s.gp_weight, s.n_critic, s.latent_dim) == (yaml.loss, yaml.gp_weight, yaml.n_critic, yaml.latent_dim)
    assert module.sample_rate == 16000 and module.generator.project.in_features == yaml.latent_dim


def test_overrides_reach_the_arguments(monkeypatch):
    cfg = compose_config(["domain=audio", "model=wavegan", "model.upsample=nearest", "model.post_filter=512",
                          "model.d=8", "model.phase_shuffle=0", "model.upsample_last=transpose", "model.mbstd_group=4",
                          "model.spec_critic=256", "model.pack=2"])
    module, args = _built(monkeypatch, WaveGAN, cfg, SPEC)
    assert (args["upsample"], args["post_filter"], args["d"], args["phase_shuffle"]) == ("nearest", 512, 8, 0)
    assert (args["upsample_last"], args["mbstd_group"]) == ("transpose", 4)
    assert module.generator.post_filter.conv.kernel_size == (512,)
    assert isinstance(module.generator.body[-2].conv, torch.nn.ConvTranspose1d)
    assert module.discriminator.mbstd.group_size == 4
    assert args["spec_critic"] == 256 and module.discriminator.spectral.n_fft == 256
    assert args["pack"] == 2 and module.discriminator.packing.pack == 2
    assert module.discriminator.body[0].in_channels == 2 and module.discriminator.spectral.body[0].in_channels == 2


def test_specgan_from_config_passes_the_yaml_values_and_needs_moments(monkeypatch):
    cfg = compose_config(["domain=audio", "model=specgan"])
    module, args = _built(monkeypatch, SpecGAN, cfg, {**SPEC, **MOMENTS})
    yaml = _yaml("specgan")
    assert not hasattr(module, "cfg")
    assert (args["d"], args["batchnorm"], args["griffin_lim_iters"]) == (yaml.d, yaml.batchnorm, yaml.griffin_lim_iters)
    assert module.codec.griffin_lim_iters == yaml.griffin_lim_iters
    assert torch.equal(module.codec.std, torch.full((128,), 2.0))
    with pytest.raises(GanforgeError, match="data.spectrogram_moments=true"):
        get_registry().get("audio").make_module(cfg, SPEC)


def test_datamodule_from_config_takes_the_domain_yaml():
    cfg = compose_config(["domain=audio"])
    dm = AudioDataModule.from_config(cfg.data)
    assert (dm.path, dm.sample_rate, dm.window, dm.slicing, dm.labels) == (None, 16000, 16384, "first", "auto")
    assert (dm.extensions, dm.max_files, dm.batch_size, dm.num_workers) == ([".wav", ".flac", ".ogg"], None, 64, 0)
    assert dm.spectrogram_moments is False
    assert AudioDataModule.from_config(compose_config(["domain=audio", "model=specgan"]).data).spectrogram_moments


def test_evaluate_reads_the_run_config_the_core_attached():
    module = flat_models()["wavegan"]  # built in a notebook: no run config to read metrics from
    with pytest.raises(GanforgeError, match="make_module"):
        get_registry().get("audio").evaluate(module, object())


#: (sum of |int16 samples|, first samples) of ``gan-sample n=2 seed=0`` by the code that
#: wrote these checkpoints (ganforge 0.1.0, commit 5af4f5c)
OLD_SAMPLES = {
    "wavegan": [(14946417, [-3817, -3457, -3507]), (14936271, [-3930, -3441, -3395])],
    "specgan": [(82321, [-68, 41, -19]), (81004, [-110, -3, -61])],
}


@pytest.mark.parametrize("name", sorted(OLD_SAMPLES))
def test_checkpoint_written_before_issue_13_samples_the_same_audio(name, tmp_path):
    path = OLD / f"audio-{name}.ckpt"
    assert "version" not in torch.load(path, map_location="cpu", weights_only=False)["ganforge"]
    files = sample_files(path, tmp_path, n=2, seed=0)  # gan-sample, in-process
    wavs = sorted(f for f in files if f.suffix == ".wav")
    assert len(wavs) == 2
    for wav, (total, head) in zip(wavs, OLD_SAMPLES[name]):
        x, rate = sf.read(str(wav), dtype="int16")
        assert rate == 8000 and x.shape == (4096,)
        # same weights and noise: the same audio, up to a rounding step of other BLAS builds
        assert abs(int(np.abs(x.astype(np.int64)).sum()) - total) <= 0.001 * total
        assert np.abs(x[:3].astype(np.int64) - head).max() <= 2
    _, module = ganforge.load_module(path)
    assert not hasattr(module, "cfg") and module.settings.model.name == name
