"""Rebuild a trained model from a run directory or checkpoint, without its data set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from omegaconf import OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError

import ganforge
from ganforge._internal.registry import get_registry
from ganforge.errors import GanforgeError
from ganforge.module import AdversarialModule
from ganforge.plugin import DomainPlugin


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
    module = rebuild(plugin, cfg, state, ckpt_path)
    module.build_ema()
    try:
        module.load_state_dict(ckpt["state_dict"])
    except RuntimeError as exc:  # renamed or reshaped weights
        raise GanforgeError(f"{ckpt_path}: {_written_by(state)}; its weights do not fit this version's "
                            f"{type(module).__name__} ({str(exc).splitlines()[0]})") from None
    module.on_load_checkpoint(ckpt)
    module.eval()
    return plugin, module


def _written_by(state: dict) -> str:
    return f"written by ganforge {state.get('version') or '0.1.0 or older'} (this is {ganforge.__version__})"


def rebuild(plugin: DomainPlugin, cfg: Any, state: dict, ckpt_path: Path) -> AdversarialModule:
    """The module a checkpoint's config describes. A checkpoint from an older version may
    lack keys that version defaulted in code (they are in the YAML now): on a missing key
    the stored config is laid over this version's composition of the same domain and
    model, and if that fails too the error is one line naming the versions."""
    try:
        return plugin.make_module(cfg, state["spec"])
    except (GanforgeError, ConfigAttributeError, ConfigKeyError, KeyError, TypeError) as first:
        try:
            from ganforge._internal.config import compose_config

            fresh = compose_config([f"domain={cfg.domain.name}", f"model={cfg.model.name}"])
            merged = OmegaConf.merge(fresh, cfg)
            return plugin.make_module(merged, state["spec"])
        except Exception:  # noqa: BLE001 - the first error is the one to report
            raise GanforgeError(f"{ckpt_path}: {_written_by(state)}; cannot rebuild its model: "
                                f"{str(first).splitlines()[0]}") from None
