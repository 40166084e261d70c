"""``${run_id:}``: the unique, readable name of a default run directory.

``conf/config.yaml`` names runs ``outputs/<domain>/<model>/${run_id:}``, e.g.
``2026-11-26_11-41-10.123-4f2a9c``: the start time to the millisecond plus six random
hex digits, so two runs started in the same millisecond, or on different nodes of a
cluster sharing one file system, still get different directories (Hydra's ``${now:}``
alone changes once a second). The value is fixed once per process, so every
resolution of the config names the same directory.
"""

from __future__ import annotations

import secrets
import time

from omegaconf import OmegaConf

_RUN_ID: str | None = None


def run_id() -> str:
    """This process's run id (``YYYY-mm-dd_HH-MM-SS.mmm-xxxxxx``)."""
    global _RUN_ID
    if _RUN_ID is None:
        now = time.time()
        stamp = time.strftime("%Y-%m-%d_%H-%M-%S", time.localtime(now))
        _RUN_ID = f"{stamp}.{int(now * 1000) % 1000:03d}-{secrets.token_hex(3)}"
    return _RUN_ID


def register_resolvers() -> None:
    """Register ``${run_id:}`` with OmegaConf (idempotent)."""
    if not OmegaConf.has_resolver("run_id"):
        # use_cache: Hydra copies a resolver's cached value from the sweep's config into each
        # job's config, so jobs a launcher runs in other processes (joblib) name the same
        # sweep directory as the process that created it
        OmegaConf.register_new_resolver("run_id", run_id, use_cache=True)


register_resolvers()
