"""Rebuild a trained model from a run directory or checkpoint, without its data set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from omegaconf import OmegaConf

from ganforge.errors import GanforgeError
from ganforge.module import AdversarialModule
from ganforge.plugin import DomainPlugin
from ganforge.registry import get_registry


def find_checkpoint(path: str | Path, which: str = "last") -> Path:
    """The checkpoint file for ``path``: a ``.ckpt`` file, or ``<run dir>/checkpoints/<which>.ckpt``."""
    p = Path(path).expanduser()
    if p.is_file():
        return p
    if p.is_dir():
        ckpt = p / "checkpoints" / f"{which}.ckpt"
        if ckpt.is_file():
            return ckpt
        found = sorted(x.name for x in (p / "checkpoints").glob("*.ckpt")) if (p / "checkpoints").is_dir() else []
        raise GanforgeError(f"{ckpt} not found; checkpoints in {p}: {found or 'none'}")
    raise GanforgeError(f"{p} does not exist; expected a run directory or a .ckpt file")


def load_module(path: str | Path, which: str = "last", map_location: Any = "cpu") -> tuple[DomainPlugin, AdversarialModule]:
    """Load the plugin and trained module saved at ``path`` (run dir or checkpoint)."""
    ckpt_path = find_checkpoint(path, which)
    try:
        # our own checkpoints hold plain config/spec/RNG state next to tensors
        ckpt = torch.load(ckpt_path, map_location=map_location, weights_only=False)
    except Exception as exc:  # noqa: BLE001 - report any unreadable file in one line
        raise GanforgeError(f"{ckpt_path}: not a readable checkpoint ({type(exc).__name__}: {exc})") from None
    state = ckpt.get("ganforge") if isinstance(ckpt, dict) else None
    if state is None:
        raise GanforgeError(f"{ckpt_path}: no 'ganforge' section; expected a checkpoint written by gan-run")
    cfg = OmegaConf.create(state["cfg"])
    plugin = get_registry().get(cfg.domain.name)
    module = plugin.build_module(cfg, state["spec"])
    module.build_ema()
    module.load_state_dict(ckpt["state_dict"])
    module.on_load_checkpoint(ckpt)
    module.eval()
    return plugin, module
