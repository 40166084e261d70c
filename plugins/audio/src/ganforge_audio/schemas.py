"""Typed schemas of the audio domain's config groups (see :mod:`ganforge.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from ganforge.schema import open_schema, spec
from ganforge_audio.audio_io import LABEL_MODES, NORMALIZE_MODES, SLICING_MODES
from ganforge_audio.wavegan import UPSAMPLE_MODES


@open_schema
@dataclass
class AudioData:
    """``data`` of the audio domain."""

    sample_rate: int = spec(ge=1000)
    window: int = spec(ge=256)
    slicing: str = spec(choices=SLICING_MODES)
    labels: str = spec(choices=("auto", *LABEL_MODES))
    normalize: str = spec(choices=NORMALIZE_MODES)
    max_files: int | None = spec(ge=1)
    extensions: list = spec()
    spectrogram_moments: bool = spec()


@open_schema
@dataclass
class AudioModel:
    """``model`` keys of WaveGAN/SpecGAN."""

    d: int = spec(ge=1)
    phase_shuffle: int = spec(ge=0)
    batchnorm: bool = spec()
    upsample: str = spec(choices=UPSAMPLE_MODES)  # WaveGAN only
    upsample_last: str | None = spec(choices=UPSAMPLE_MODES, doc="WaveGAN: the output layer's upsampling; null: model.upsample")
    post_filter: int = spec(ge=0)  # WaveGAN only; 0 = off
    mbstd_group: int = spec(ge=0, doc="WaveGAN: D's minibatch-stddev group size; 0 = off")
    spec_critic: int = spec(ge=0, doc="WaveGAN: FFT size of D's spectrogram head; 0 = off")
    pack: int = spec(ge=1, doc="WaveGAN: clips the critic judges together (PacGAN); 1 = off")
    diffaugment: str | list | None = spec(doc="WaveGAN: critic-side transforms joined with + (gain+shift+cutout); null: off")
    augment_p: float = spec(ge=0, le=1, doc="WaveGAN: probability of each DiffAugment transform per clip")
    griffin_lim_iters: int = spec(ge=1)  # SpecGAN only


@open_schema
@dataclass
class AudioMetrics:
    """``metrics``: the drum/digit classifier's Inception score."""

    n_samples: int = spec(ge=0, doc="0 turns the metrics off")
    classifier_epochs: int = spec(ge=1)
    classifier: str | None = spec()


SCHEMAS = {"data": AudioData, "model": AudioModel, "metrics": AudioMetrics}
