"""Hydra integration: the primary config tree plus every installed plugin's config groups.

``register_plugin_search_path()`` registers a Hydra ``SearchPathPlugin`` that appends
``pkg://<config_package>`` of each installed domain plugin, so a third-party plugin's
``domain/``, ``model/`` and ``smoke/`` groups compose exactly like built-in ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra.core.config_search_path import ConfigSearchPath
from hydra.core.plugins import Plugins
from hydra.plugins.search_path_plugin import SearchPathPlugin
from omegaconf import DictConfig

from ganforge.registry import get_registry

PRIMARY_CONFIG_MODULE = "ganforge.conf"
PRIMARY_CONFIG_NAME = "config"
HYDRA_VERSION_BASE = "1.3"


class GanforgePluginSearchPath(SearchPathPlugin):
    """Adds each installed domain plugin's config package to Hydra's search path."""

    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        """Append ``pkg://<config_package>`` for every loaded domain plugin."""
        for package in get_registry().config_packages():
            search_path.append(provider=f"ganforge-plugin:{package}", path=f"pkg://{package}")


_registered = False


def register_plugin_search_path() -> None:
    """Register :class:`GanforgePluginSearchPath` with Hydra (idempotent)."""
    global _registered
    if not _registered:
        Plugins.instance().register(GanforgePluginSearchPath)
        _registered = True


def compose_config(overrides: Sequence[str] = (), return_hydra_config: bool = False) -> DictConfig:
    """Compose the run config in-process (as ``gan-run`` would) without running it.

    Uses Hydra's compose API; ``domain=``/``model=`` are validated first so unknown
    names give the same one-line error as the CLI.
    """
    from hydra import compose, initialize_config_module

    from ganforge.cli.arguments import prepare_overrides

    overrides = prepare_overrides(list(overrides))
    register_plugin_search_path()
    with initialize_config_module(PRIMARY_CONFIG_MODULE, version_base=HYDRA_VERSION_BASE):
        return compose(PRIMARY_CONFIG_NAME, overrides=list(overrides), return_hydra_config=return_hydra_config)
