"""``trainer.precision=auto``: bfloat16 mixed precision where the device computes bfloat16
natively, full fp32 elsewhere.

Why a ganforge value and not Lightning's: Lightning takes an explicit precision, and
``bf16-mixed`` is a speed-up only where the hardware has bfloat16 arithmetic. On a CPU with
AVX512-BF16 or AMX, oneDNN runs the convolutions in bf16 (DCGAN's CPU step 1.60x, docs/
benchmarks.md "Speed options"); on a CPU without them bf16 is emulated, a speed-up nobody has
measured. So a config that wants the speed where it is free (DCGAN's, the README's main job)
says ``auto`` and the run picks per machine, logging what it picked. The weights, optimizer
state and checkpoints stay fp32 either way (autocast casts per operation), so a run may resume
on a machine that resolves ``auto`` the other way.
"""

from __future__ import annotations

import logging

import torch

log = logging.getLogger("ganforge")

AUTO = "auto"
MIXED, FULL = "bf16-mixed", "32-true"


def _cpu_has_native_bf16() -> tuple[bool, str]:
    """(whether this CPU has bfloat16 arithmetic, the feature found). torch exposes the checks
    only as private helpers of ``torch.cpu``; a torch without them counts as no."""
    for feature, check in (("AMX", "_is_amx_tile_supported"), ("AVX512-BF16", "_is_avx512_bf16_supported")):
        probe = getattr(torch.cpu, check, None)
        try:
            if probe is not None and probe():
                return True, feature
        except RuntimeError:  # a probe that cannot query the CPU answers "no"
            continue
    return False, "neither AVX512-BF16 nor AMX"


def device_kind(accelerator: str) -> str:
    """``cuda``, ``mps`` or ``cpu``: where ``trainer.accelerator`` puts the networks."""
    name = str(accelerator).lower()
    if name in ("gpu", "cuda"):
        return "cuda"
    if name == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    return name


def resolve_precision(precision: str | int, accelerator: str) -> str | int:
    """``precision`` unchanged, or for ``auto`` the choice for this machine (logged once)."""
    if str(precision) != AUTO:
        return precision
    kind = device_kind(accelerator)
    if kind == "cpu":
        native, why = _cpu_has_native_bf16()
    elif kind == "cuda":
        native = bool(torch.cuda.is_bf16_supported(including_emulation=False))
        why = "a CUDA GPU with bf16" if native else "a CUDA GPU without native bf16"
    else:  # MPS and others: autocast coverage varies; stay exact
        native, why = False, f"the {kind} accelerator"
    chosen = MIXED if native else FULL
    log.info("trainer.precision=auto -> %s (%s: %s)", chosen, kind, why)
    return chosen
