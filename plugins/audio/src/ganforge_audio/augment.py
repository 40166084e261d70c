"""DiffAugment for WaveGAN: waveform transforms in front of the critic (``model.diffaugment``).

A few hundred clips -- a drum kit, a folder of field recordings -- is the data a creative
coder brings, and with so few the critic memorises the clips (the embedded drums are 120:
a 30-minute run shows the critic each one hundreds of times). DiffAugment (Zhao et al. 2020)
is the standard remedy for small image sets; these are its waveform counterparts, applied
through :func:`ganforge.augment.attach_diffaugment` to real and fake clips alike:

* ``gain``: scale each clip by U(-6, +6) dB (images' ``color``);
* ``shift``: shift each clip by an integer number of samples in ``[-L/8, L/8]``, zero fill
  (images' ``translation``);
* ``cutout``: zero one segment of a quarter of the clip at a random position, clipped at
  the ends (images' ``cutout``).

``model.augment_p`` (1: DiffAugment's setting) applies each transform to each clip with that
probability. Hand-written because torchaudio's augmentations are not differentiable per-example
transforms of a batch (its ``Vol`` applies one gain to the whole batch; there is no shift).
WaveGAN only: SpecGAN's critic sees spectrograms, not waveforms.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ganforge.augment import DiffAugment, attach_diffaugment


def gain(x: torch.Tensor, max_db: float = 6.0) -> torch.Tensor:
    """Scale each clip ``[B, C, L]`` by a gain drawn uniformly in ``[-max_db, max_db]`` dB."""
    db = (torch.rand(x.shape[0], 1, 1, device=x.device, dtype=x.dtype) * 2 - 1) * max_db
    return x * torch.pow(10.0, db / 20)


def shift(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Shift each clip by an integer in ``[-s, s]`` samples (``s = round(ratio * L)``), zero fill."""
    n, c, length = x.shape
    s = int(length * ratio + 0.5)
    offsets = torch.randint(-s, s + 1, (n, 1, 1), device=x.device)
    source = torch.arange(length, device=x.device).reshape(1, 1, length) + offsets + s  # index into the padded clip
    padded = nn.functional.pad(x, [s, s])
    return padded.gather(2, source.expand(n, c, length))


def cutout(x: torch.Tensor, ratio: float = 0.25) -> torch.Tensor:
    """Zero one segment of ``round(ratio * L)`` samples per clip, centred anywhere (clipped at the ends)."""
    n, _, length = x.shape
    size = int(length * ratio + 0.5)
    start = torch.randint(0, length + (1 - size % 2), (n, 1, 1), device=x.device) - size // 2
    t = torch.arange(length, device=x.device).reshape(1, 1, length)
    inside = (t >= start) & (t < start + size)
    return x * (~inside).to(x.dtype)


TRANSFORMS = {"gain": (gain,), "shift": (shift,), "cutout": (cutout,)}


def attach_audio_diffaugment(module: nn.Module, policy: Any, p: float) -> DiffAugment | None:
    """Hook the waveform DiffAugment of ``policy`` (``"gain+shift+cutout"``, a list, or null: off)
    in front of ``module``'s critic; returns it (also ``module.diffaugment``) or None."""
    return attach_diffaugment(module, TRANSFORMS, policy, p=p)
