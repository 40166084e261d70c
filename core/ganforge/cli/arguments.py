"""Validation and expansion of ``gan-run`` overrides before Hydra composes them.

Hydra alone would report an unknown ``domain=``/``model=`` as a missing config file;
ganforge answers with one line that lists what is installed, fills in the domain's
default model, and turns ``resume=<run dir>`` into the original run's overrides.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ganforge.errors import GanforgeError
from ganforge.registry import get_registry

_SWEEP_MARKERS = ("(", "[", "{", "$")


def _values(override: str) -> list[str] | None:
    """Simple values of ``key=a,b,c`` overrides; ``None`` for sweep functions we cannot expand."""
    value = override.split("=", 1)[1].strip()
    if any(m in value for m in _SWEEP_MARKERS):
        return None
    return [v.strip().strip("'\"") for v in value.split(",") if v.strip()]


def _find(overrides: list[str], key: str) -> int | None:
    for i, item in enumerate(overrides):
        name = item.split("=", 1)[0].lstrip("+~")
        if "=" in item and name == key:
            return i
    return None


def resume_overrides(run_dir: str, overrides: list[str]) -> list[str]:
    """Overrides that recreate the run in ``run_dir`` (its saved ones, then the new ones)."""
    path = Path(run_dir).expanduser().resolve()
    saved = path / ".hydra" / "overrides.yaml"
    ckpt = path / "checkpoints" / "last.ckpt"
    if not saved.is_file():
        raise GanforgeError(f"resume={run_dir}: {saved} not found; expected a run directory written by gan-run")
    if not ckpt.is_file():
        raise GanforgeError(f"resume={run_dir}: {ckpt} not found; the run saved no checkpoint to resume from")
    original = [o for o in (yaml.safe_load(saved.read_text()) or []) if not o.startswith(("resume=", "hydra.run.dir="))]
    new = [o for o in overrides if not o.startswith("resume=")]
    return original + new + [f"resume={path}", f"hydra.run.dir={path}"]


def prepare_overrides(overrides: list[str]) -> list[str]:
    """Validate ``domain``/``model`` against installed plugins and expand ``resume``.

    Returns the overrides to hand to Hydra. Raises :class:`GanforgeError` with one line
    listing the installed choices when a name is unknown.
    """
    overrides = list(overrides)
    i = _find(overrides, "resume")
    if i is not None:
        value = overrides[i].split("=", 1)[1]
        if value not in ("", "null", "None"):
            overrides = resume_overrides(value, overrides)
    registry = get_registry()
    di = _find(overrides, "domain")
    if di is None:
        raise GanforgeError(
            "no domain given; add domain=NAME (installed domains: "
            f"{', '.join(registry.names()) or 'none - install a ganforge plugin'})"
        )
    domains = _values(overrides[di])
    if domains is None:
        return overrides
    for d in domains:
        registry.get(d)
    mi = _find(overrides, "model")
    if mi is None:
        defaults = {registry.get(d).default_model for d in domains}
        if len(defaults) != 1:
            raise GanforgeError(f"domains {domains} have different default models; add model=NAME")
        overrides.insert(di + 1, f"model={defaults.pop()}")
        mi = di + 1
    models = _values(overrides[mi])
    if models is None:
        return overrides
    for d in domains:
        for m in models:
            registry.check_model(d, m)
    return overrides
