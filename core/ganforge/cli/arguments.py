"""Validation and expansion of ``gan-run`` overrides before Hydra composes them.

Hydra alone would report an unknown ``domain=``/``model=`` as a missing config file;
ganforge answers with one line that lists what is installed, fills in the domain's
default model, and turns ``resume=<run dir>`` into the original run's overrides.
"""

from __future__ import annotations

from pathlib import Path

import yaml

import ganforge._internal.runid  # noqa: F401 - registers ${run_id:}, used by the default hydra.run.dir
from ganforge._internal.registry import get_registry
from ganforge.errors import GanforgeError

#: ``model=default`` selects each domain's default model (used by sweeps over domains)
DEFAULT_MODEL_ALIAS = "default"

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


def saved_run_overrides(run_dir: str | Path) -> list[str]:
    """The overrides that recreate the run in ``run_dir``: its original ones, then those
    added by each earlier resume (``.hydra/resume-<n>/overrides.yaml``), oldest first."""
    from ganforge._internal.resume import recorded_overrides

    path = Path(run_dir).expanduser().resolve()
    saved = path / ".hydra" / "overrides.yaml"
    original = [str(o) for o in (yaml.safe_load(saved.read_text()) or [])] if saved.is_file() else []
    keep = [o for o in original + recorded_overrides(path) if not _key(o).startswith(("resume", "hydra."))]
    return keep


def _key(override: str) -> str:
    return override.split("=", 1)[0].lstrip("+~")


def resume_overrides(run_dir: str, overrides: list[str]) -> list[str]:
    """Overrides that recreate the run in ``run_dir`` (its saved ones, then the new ones).

    Checked here, before Hydra writes anything: the run directory, its saved overrides
    and checkpoint exist, and the new overrides keep the run's domain and model. Hydra
    is told to write neither ``.hydra/`` nor ``run.log`` for the resume: ganforge records
    the resume under ``.hydra/resume-<n>/`` once the checkpoint has been validated
    against the composed config, so a rejected resume leaves the run untouched.
    """
    path = Path(run_dir).expanduser().resolve()
    saved = path / ".hydra" / "overrides.yaml"
    ckpt = path / "checkpoints" / "last.ckpt"
    if not saved.is_file():
        raise GanforgeError(f"resume={run_dir}: {saved} not found; expected a run directory written by gan-run")
    if not ckpt.is_file():
        raise GanforgeError(f"resume={run_dir}: {ckpt} not found; the run saved no checkpoint to resume from")
    previous = saved_run_overrides(path)
    new = [o for o in overrides if _key(o) != "resume" and not _key(o).startswith("hydra.")]
    hydra_new = [o for o in overrides if _key(o).startswith("hydra.") and _key(o) != "hydra.run.dir"]
    for key in ("domain", "model"):
        before = [o.split("=", 1)[1] for o in previous if _key(o) == key]
        asked = [o.split("=", 1)[1] for o in new if _key(o) == key]
        if before and asked and asked[-1] != before[-1]:
            raise GanforgeError(
                f"resume={run_dir}: the run was trained with {key}={before[-1]}, this resume asks for "
                f"{key}={asked[-1]}; a run cannot change its {key} (start a new run instead)"
            )
    return previous + new + hydra_new + [
        f"resume={path}",
        f"hydra.run.dir={path}",
        "hydra.output_subdir=null",  # keep the run's own .hydra/ files as they are
        "~hydra.job_logging.handlers.file",  # run.log is appended once the resume is accepted
        "hydra.job_logging.root.handlers=[console]",
    ]


#: config group choices that need an optional extra: (group, choice) -> (Hydra plugin module, extra)
OPTIONAL_EXTRAS = {
    ("search", "optuna"): ("hydra_plugins.hydra_optuna_sweeper", "sweeps"),
    ("launcher", "joblib"): ("hydra_plugins.hydra_joblib_launcher", "sweeps"),
    ("launcher", "slurm"): ("hydra_plugins.hydra_submitit_launcher", "sweeps"),
}


def check_optional_extras(overrides: list[str]) -> None:
    """One line with the install command when an override needs an extra that is missing
    (instead of Hydra's multi-line "Could not find 'hydra/sweeper/optuna'")."""
    import importlib.util

    for item in overrides:
        if "=" not in item:
            continue
        key, value = item.split("=", 1)
        needed = OPTIONAL_EXTRAS.get((key.lstrip("+~"), value.strip()))
        if needed is None:
            continue
        module, extra = needed
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            raise GanforgeError(f'{item} needs the optional extra [{extra}]: pip install "ganforge[{extra}]"')


def prepare_overrides(overrides: list[str]) -> list[str]:
    """Validate ``domain``/``model`` against installed plugins and expand ``resume``.

    Returns the overrides to hand to Hydra. Raises :class:`GanforgeError` with one line
    listing the installed choices when a name is unknown.
    """
    overrides = list(overrides)
    check_optional_extras(overrides)
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
        # one domain (or domains sharing it): name the default model; a sweep over
        # domains with different defaults selects each job's own via model=default
        overrides.insert(di + 1, f"model={defaults.pop() if len(defaults) == 1 else DEFAULT_MODEL_ALIAS}")
        mi = di + 1
    models = _values(overrides[mi])
    if models is None:
        return overrides
    for d in domains:
        for m in models:
            if m != DEFAULT_MODEL_ALIAS:
                registry.check_model(d, m)
    return overrides
