"""Resume checks and records: validate a checkpoint before touching the run directory.

:func:`check_resume` reads ``checkpoints/last.ckpt`` and compares it with the module this
configuration builds: same domain and model, and the same parameter names and shapes.
A mismatch is one line naming both sides, raised before ``gan-run`` writes anything,
so a wrong ``resume=RUN model=...`` never damages RUN. It also tells whether the
checkpoint has already reached ``trainer.max_steps`` / the end of its phases (the
resume then only finishes the run instead of waiting on batches that all return -1).

:func:`record_resume` keeps the original run's ``.hydra/overrides.yaml`` and
``config.yaml`` as they were and records each resume under ``.hydra/resume-<n>/``
(its new overrides and the resolved config it ran with).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import yaml
from omegaconf import DictConfig, OmegaConf

from ganforge.errors import GanforgeError

log = logging.getLogger("ganforge")

RESUME_PREFIX = "resume-"
RUN_LOG_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"


@dataclass
class SavedRun:
    """What a resume starts from."""

    g_step: int
    finished: bool
    reason: str = ""


def _shape(t: Any) -> list[int] | None:
    return list(t.shape) if hasattr(t, "shape") else None


def check_resume(cfg: DictConfig, module: Any, ckpt_path: Path) -> SavedRun:
    """Validate ``ckpt_path`` against ``cfg`` and ``module`` (see the module docstring)."""
    where = f"resume={cfg.resume}"
    if not ckpt_path.is_file():
        raise GanforgeError(f"{where}: {ckpt_path} not found; the run saved no checkpoint to resume from")
    try:
        # mmap: only the pieces compared here are read (Lightning loads it again to train)
        ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False, mmap=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one line
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise GanforgeError(f"{where}: {ckpt_path} is not a readable checkpoint ({type(exc).__name__}: {line})") from None
    state = ckpt.get("ganforge") if isinstance(ckpt, dict) else None
    if not state or "state_dict" not in ckpt:
        raise GanforgeError(f"{where}: {ckpt_path} has no 'ganforge' section; expected a checkpoint written by gan-run")
    saved_cfg = state.get("cfg") or {}
    for key in ("domain", "model"):
        before = (saved_cfg.get(key) or {}).get("name")
        now = cfg[key].name
        if before is not None and before != now:
            raise GanforgeError(
                f"{where}: the run was trained with {key}={before}, this resume asks for {key}={now}; "
                f"a run cannot change its {key} (start a new run instead)"
            )
    module.build_ema()  # the EMA copy is part of the saved weights
    mine = module.state_dict()
    theirs = ckpt["state_dict"]
    missing = [k for k in mine if k not in theirs]
    unexpected = [k for k in theirs if k not in mine]
    changed = [k for k in mine if k in theirs and _shape(mine[k]) != _shape(theirs[k])]
    model = f"{cfg.domain.name}/{cfg.model.name}"
    if changed:
        k = changed[0]
        raise GanforgeError(
            f"{where}: architecture mismatch: the checkpoint's {k} has shape {_shape(theirs[k])}, this configuration of "
            f"{model} builds {_shape(mine[k])} ({len(changed)} tensor(s) differ); resume with the run's own model settings"
        )
    if missing or unexpected:
        k = (missing or unexpected)[0]
        side = "this configuration builds" if missing else "the checkpoint holds"
        raise GanforgeError(
            f"{where}: architecture mismatch: {side} {k} that the other side lacks "
            f"({len(missing)} missing, {len(unexpected)} unexpected tensor(s)); resume with the run's own model settings"
        )
    g_step = int(state.get("g_step", 0))
    phases = state.get("phases")
    if phases:
        module.phases.load_state_dict(phases)
    if module.max_steps is not None and g_step >= module.max_steps:
        return SavedRun(g_step, True, f"reached trainer.max_steps={module.max_steps}")
    if module.phases.finished:
        return SavedRun(g_step, True, "finished all its phases")
    return SavedRun(g_step, False)


def already_final(run_dir: Path, g_step: int) -> bool:
    """True when ``run_dir`` holds the finished run's ``metrics.json`` at ``g_step`` and status ok."""
    try:
        metrics = json.loads((run_dir / "metrics.json").read_text())
        status = json.loads((run_dir / "status.json").read_text())
    except (OSError, ValueError):
        return False
    return status.get("status") == "ok" and int(float(metrics.get("g_step", -1))) == g_step


def resume_entries(run_dir: Path) -> list[Path]:
    """The run's ``.hydra/resume-<n>`` directories in order."""
    hydra = Path(run_dir) / ".hydra"
    found = []
    for p in hydra.glob(f"{RESUME_PREFIX}*") if hydra.is_dir() else []:
        suffix = p.name[len(RESUME_PREFIX):]
        if p.is_dir() and suffix.isdigit():
            found.append((int(suffix), p))
    return [p for _, p in sorted(found)]


def recorded_overrides(run_dir: Path) -> list[str]:
    """The overrides added by earlier resumes, oldest first (re-applied by a later resume)."""
    out: list[str] = []
    for entry in resume_entries(run_dir):
        f = entry / "overrides.yaml"
        if f.is_file():
            out += [str(o) for o in (yaml.safe_load(f.read_text()) or [])]
    return out


def record_resume(run_dir: Path, cfg: DictConfig, overrides: list[str]) -> Path:
    """Write ``.hydra/resume-<n>/{overrides,config}.yaml`` for this resume and return the folder."""
    entries = resume_entries(run_dir)
    n = int(entries[-1].name[len(RESUME_PREFIX):]) + 1 if entries else 1
    folder = Path(run_dir) / ".hydra" / f"{RESUME_PREFIX}{n}"
    folder.mkdir(parents=True, exist_ok=False)
    (folder / "overrides.yaml").write_text(yaml.safe_dump(list(overrides), default_flow_style=False))
    (folder / "config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
    return folder


def log_to_run_log(run_dir: Path) -> logging.Handler | None:
    """Append this process's log to ``run_dir/run.log`` (a resume runs Hydra without its
    file log, so that a rejected resume leaves run.log untouched). ``None`` if some
    handler already writes there."""
    target = (Path(run_dir) / "run.log").resolve()
    for h in logging.getLogger().handlers:
        if isinstance(h, logging.FileHandler) and Path(h.baseFilename).resolve() == target:
            return None
    handler = logging.FileHandler(target, mode="a")
    handler.setFormatter(logging.Formatter(RUN_LOG_FORMAT))
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    return handler
