"""``gan-run``'s check of a command line before Hydra runs it: every job it would run
is composed and validated against the typed schemas (:mod:`ganforge.schema`), so a bad
value or an unknown key is one line and nothing is created or trained.

Sweeps are expanded with Hydra's own override parser (the basic sweeper's cartesian
product); a sweep of more than :data:`MAX_CHECKED_JOBS` jobs is checked on the first
ones and each job checks itself again when it starts.
"""

from __future__ import annotations

import difflib
import itertools
import re

from omegaconf import DictConfig, OmegaConf

from ganforge.errors import GanforgeError

#: jobs of a sweep composed up front (the rest validate when they start)
MAX_CHECKED_JOBS = 64

_NOT_IN_STRUCT = re.compile(r"Could not override '([^']+)'")
_APPEND_EXISTS = re.compile(r"Could not append to config. An item is already at '([^']+)'")


def expand_sweep(overrides: list[str]) -> list[list[str]]:
    """The override lists of the jobs a basic-sweeper multirun would run (cartesian
    product of comma lists and ranges; search-space functions are left to the sweeper)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    choices = []
    for item in parsed:
        if item.is_sweep_override() and not item.is_hydra_override():
            try:
                values = list(item.sweep_string_iterator())
            except Exception:  # noqa: BLE001 - interval()/tag() search spaces belong to the sweeper
                values = []
            key = item.get_key_element()
            choices.append([f"{key}={v}" for v in values] or [None])
        else:
            choices.append([item.input_line])
    return [[o for o in combo if o is not None] for combo in itertools.product(*choices)]


def _known_keys(cfg: DictConfig, path: str) -> list[str]:
    parent, _, _ = path.rpartition(".")
    node = cfg.get(parent) if parent else cfg
    keys = [str(k) for k in node.keys()] if isinstance(node, DictConfig) else []
    return [f"{parent}.{k}" if parent else k for k in keys]


def compose_job(overrides: list[str]) -> DictConfig:
    """Compose one job's config as ``gan-run`` would, Hydra errors as one line."""
    from hydra import compose, initialize_config_module
    from hydra.errors import HydraException

    from ganforge._internal.config import HYDRA_VERSION_BASE, PRIMARY_CONFIG_MODULE, PRIMARY_CONFIG_NAME

    job = [o for o in overrides if not o.lstrip("+~").startswith("hydra.")]
    with initialize_config_module(PRIMARY_CONFIG_MODULE, version_base=HYDRA_VERSION_BASE):
        try:
            return compose(PRIMARY_CONFIG_NAME, overrides=job)
        except HydraException as exc:
            text = str(exc)
            missing = _NOT_IN_STRUCT.search(text)
            if missing:
                key = missing.group(1)
                base = compose(PRIMARY_CONFIG_NAME, overrides=[o for o in job if not o.startswith(key + "=")])
                close = difflib.get_close_matches(key, _known_keys(base, key), n=1)
                hint = f"; did you mean {close[0]}?" if close else f"; to add a new key use +{key}=..."
                raise GanforgeError(f"{key}: unknown key{hint}") from None
            exists = _APPEND_EXISTS.search(text)
            if exists:
                raise GanforgeError(f"+{exists.group(1)}: the key exists already; drop the '+' to override it") from None
            raise GanforgeError(" ".join(text.split())) from None


def validate_command(overrides: list[str], multirun: bool) -> None:
    """Compose and validate every job of the command line (one line on the first error)."""
    from ganforge._internal.registry import get_registry
    from ganforge.schema import validate_config

    jobs = expand_sweep(overrides) if multirun else [overrides]
    registry = get_registry()
    for job in jobs[:MAX_CHECKED_JOBS]:
        cfg = compose_job(job)
        domain = OmegaConf.select(cfg, "domain.name") if isinstance(cfg.get("domain"), DictConfig) else None
        plugin = registry.get(domain) if domain in registry.names() else None
        added = [o for o in job if o.startswith("+") and not o.startswith("++")]
        if "search" in cfg and not OmegaConf.select(cfg, "run.monitor"):
            raise GanforgeError("search=...: run.monitor is not set; the search needs the metric to optimise "
                                "(e.g. 'run.monitor=fid/classifier/*', see docs/sweeps.md)")
        try:
            validate_config(cfg, plugin, added)
        except GanforgeError as exc:
            if multirun and len(jobs) > 1:
                raise GanforgeError(f"{exc} (sweep job: {' '.join(job)})") from None
            raise
