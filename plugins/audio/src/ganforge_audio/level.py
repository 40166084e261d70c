"""Loudness check of generated audio: warn when a generator outputs near-silence.

A generator whose output sits far below the training data's level (SpecGAN's smoke
output is about -65 dBFS) writes WAVs that play as silence, and nothing else in the
run log says so; one WARNING line with the measured level makes it visible.
"""

from __future__ import annotations

import logging
import math

import torch

log = logging.getLogger("ganforge_audio")

#: below this RMS level (dB relative to full scale) generated audio is reported as near-silent
QUIET_DBFS = -50.0


def rms_dbfs(waves: torch.Tensor) -> float:
    """RMS level of all samples in ``waves`` (floats, full scale = 1.0) in dBFS.

    0 dBFS is a full-scale square wave (a full-scale sine is about -3 dBFS); pure
    silence gives the floor, -200 dBFS (finite, so metrics files stay valid JSON). Hand-written (two lines): torchaudio's loudness
    (ITU-R BS.1770) needs clips of at least 400 ms and a perceptual weighting this
    check does not want.
    """
    rms = float(waves.detach().double().pow(2).mean().sqrt())
    return 20.0 * math.log10(max(rms, 1e-10))


def warn_if_quiet(waves: torch.Tensor, where: str, threshold: float = QUIET_DBFS) -> float:
    """Log one WARNING when ``waves`` is quieter than ``threshold`` dBFS; return the level."""
    level = rms_dbfs(waves)
    if level < threshold:
        log.warning(
            "generated audio %s is near-silent: RMS %.1f dBFS (below %.0f dBFS; typical "
            "recordings sit around -30 to -10 dBFS), so its WAVs will sound empty. The generator "
            "has not learnt the data's level yet (early in training) or has collapsed to silence.",
            where, level, threshold,
        )
    return level
