"""The ``audio`` domain plugin: WaveGAN and SpecGAN over folders of audio files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import torch

from ganforge import DomainPlugin
from ganforge.errors import GanforgeError
from ganforge_audio.datamodule import AudioDataModule
from ganforge_audio.export import export_audio
from ganforge_audio.level import rms_dbfs, warn_if_quiet
from ganforge_audio.models import MODELS, AudioSamples

log = logging.getLogger("ganforge_audio")


def _metrics_cfg(module: Any) -> Any:
    """The ``metrics`` node of the config the run used (attached by the core's
    ``make_module``; the module itself holds no config)."""
    if module.run_config is None:
        raise GanforgeError("audio evaluate: the module has no run config; build it with plugin.make_module(cfg, spec)")
    return module.run_config.metrics


class AudioDomain(DomainPlugin):
    """Audio GANs: ``wavegan`` (raw waveforms) and ``specgan`` (spectrograms + Griffin-Lim)."""

    name = "audio"
    models = tuple(MODELS)
    model_classes = MODELS
    default_model = "wavegan"
    config_package = "ganforge_audio.conf"
    description = "Audio GANs: WaveGAN, SpecGAN (WAV/FLAC/OGG folders; embedded synthesised drums)"

    def build_datamodule(self, cfg: Any) -> AudioDataModule:
        """Clips from ``cfg.data`` (``data.path: null`` = embedded drums)."""
        return AudioDataModule.from_config(cfg.data)

    def build_module(self, cfg: Any, spec: Any):
        """The model for ``cfg.model.name``, with the waveform DiffAugment in front of WaveGAN's
        critic when ``model.diffaugment`` is set (see :mod:`ganforge_audio.augment`)."""
        policy = cfg.model.get("diffaugment")  # only WaveGAN's YAML has the key
        if policy and cfg.model.name != "wavegan":
            raise GanforgeError(f"model.diffaugment: waveform transforms are for wavegan; model '{cfg.model.name}' "
                                "has a spectrogram critic")
        module = super().build_module(cfg, spec)
        if policy:
            from ganforge_audio.augment import attach_audio_diffaugment

            attach_audio_diffaugment(module, policy, p=float(cfg.model.augment_p))
        return module

    def export_samples(self, samples: Any, out_dir: Path, stem: str, individual: bool = False) -> list[Path]:
        """16-bit WAVs: one per sample (``individual``) or one strip plus a spectrogram PNG sheet."""
        if not isinstance(samples, AudioSamples):
            raise GanforgeError(f"audio export: expected AudioSamples (audio + sample rate), got {type(samples).__name__}")
        paths = export_audio(samples.audio, Path(out_dir), stem, samples.sample_rate, individual)
        warn_if_quiet(samples.audio, f"'{stem}' ({len(samples)} clips)")
        return paths

    def evaluate(self, module: Any, datamodule: Any) -> dict[str, float]:
        """Inception score (samples and real data), nearest-neighbour diversity, the log-spectrum
        distance to the real clips (``spectrum/l1_to_real``) and loudness.

        The classifier is ``metrics.classifier`` (a file from ``gan-audio-classifier``) or,
        for labelled training data, one trained on that data and cached under the ganforge
        cache (``$GANFORGE_CACHE_DIR``/``~/.cache/ganforge/audio/classifiers``). Without
        either, only the nearest-neighbour distances are reported.
        """
        from ganforge_audio.classifier import evaluation_classifier
        from ganforge_audio.metrics import (
            classifier_features,
            inception_score,
            log_spectrum_distance,
            nearest_neighbour_distances,
        )

        mc = _metrics_cfg(module)
        n = int(mc.n_samples)
        if n == 1:  # the schema allows 0 (off); statistics of one clip are meaningless
            raise GanforgeError("metrics.n_samples=1: expected 0 (metrics off) or at least 2 clips")
        if n < 2 or datamodule is None or getattr(datamodule, "folder", None) is None:  # 0: metrics off
            return {}
        classifier = evaluation_classifier(mc.classifier, datamodule.folder, int(mc.classifier_epochs))
        samples = module.sample(n)
        rate = samples.sample_rate
        real = datamodule.training_waves(limit=n)
        out: dict[str, float] = {}
        if classifier is None:
            from ganforge_audio.classifier import LogMel

            # No classifier (unlabelled data): plain log-mel features still give a
            # perceptually meaningful space for the nearest-neighbour distances.
            feat = LogMel(rate, samples.audio.shape[-1])
            with torch.no_grad():
                f_gen, f_real = (feat(x.float()).flatten(1) for x in (samples.audio, real))
        else:
            with torch.no_grad():
                is_gen, is_gen_std = inception_score(classifier, samples.audio, rate)
                is_real, _ = inception_score(classifier, real, rate)
            out.update({"is/samples": is_gen, "is/samples_std": is_gen_std, "is/real": is_real})
            f_gen = classifier_features(classifier, samples.audio, rate)
            f_real = classifier_features(classifier, real, rate)
        nn_gen = nearest_neighbour_distances(f_gen, f_real)
        nn_real = nearest_neighbour_distances(f_real, f_real)
        out.update({"nn/self": nn_gen["self"], "nn/train": nn_gen["train"], "nn/real_self": nn_real["self"]})
        out["spectrum/l1_to_real"] = log_spectrum_distance(samples.audio, real)
        # loudness beside the real clips' (the export path warns when samples are near-silent)
        # warned here too, not only when sample files are written: a run with run.sample_every=0
        # (or between sample steps) would otherwise never say that it generates silence
        level = warn_if_quiet(samples.audio, f"at the evaluation of step {module.g_step} ({n} clips)")
        out.update({"level/samples_dbfs": level, "level/real_dbfs": rms_dbfs(real)})
        return out

    def config_schemas(self, model):
        """Typed schemas of this domain's groups (checked by ``gan-run`` before training)."""
        from ganforge_audio.schemas import SCHEMAS

        return SCHEMAS

    def sample_options(self):
        """No extra ``gan-sample`` options: samples are unconditional."""
        return ()

    def export_interpolation(self, samples: Any, out_dir: Path, stem: str, steps: int) -> list[Path]:
        """``gan-sample interpolate=K``: one WAV per path (its K clips in sequence) and a
        spectrogram sheet with one path per row."""
        from ganforge_audio.export import spectrogram_sheet, write_concatenated

        audio, rate = samples.audio, samples.sample_rate
        paths = [write_concatenated(audio[i : i + steps], Path(out_dir) / f"{stem}_{i // steps:03d}.wav", rate)
                 for i in range(0, len(audio), steps)]
        return paths + [spectrogram_sheet(audio, Path(out_dir) / f"{stem}_spectrograms.png", ncol=steps)]

    def report_section(self, run_dir: Path, assets_dir: Path):
        """Players with labelled waveform + spectrogram figures per sample step."""
        from ganforge_audio.report import audio_report_section

        return audio_report_section(Path(run_dir), Path(assets_dir))
