"""Discovery of domain plugins through the ``ganforge.domains`` entry-point group.

A plugin that fails to import or does not satisfy the contract is reported (a warning
and an entry in :attr:`Registry.broken`) and skipped, so one broken package never
blocks the others. Two installed distributions claiming the same domain name is a
configuration error and fails loudly.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from ganforge.errors import GanforgeError, choices_error
from ganforge.plugin import DomainPlugin

ENTRY_POINT_GROUP = "ganforge.domains"


@dataclass(frozen=True)
class DomainEntry:
    """A successfully loaded domain: its plugin instance and providing distribution."""

    name: str
    plugin: DomainPlugin
    distribution: str
    version: str


class PluginLoadWarning(UserWarning):
    """Emitted when an installed plugin cannot be loaded and is skipped."""


def _dist_of(ep: EntryPoint) -> tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "?", "?"
    return dist.metadata["Name"], dist.version


def _instantiate(ep: EntryPoint) -> DomainPlugin:
    obj = ep.load()
    plugin = obj() if isinstance(obj, type) else obj
    if not isinstance(plugin, DomainPlugin):
        raise TypeError(f"{ep.value} is a {type(plugin).__name__}, expected a ganforge.DomainPlugin subclass")
    if plugin.name != ep.name:
        raise ValueError(f"entry point '{ep.name}' loads a plugin whose name is '{plugin.name}'")
    for attr in ("models", "default_model", "config_package"):
        if not getattr(plugin, attr, None):
            raise ValueError(f"{type(plugin).__name__}.{attr} is not set")
    if plugin.default_model not in plugin.models:
        raise ValueError(f"default_model '{plugin.default_model}' is not one of models {list(plugin.models)}")
    return plugin


class Registry:
    """The installed domains, loaded once from entry points (or from a given list)."""

    def __init__(self, eps: Iterable[EntryPoint] | None = None):
        self.domains: dict[str, DomainEntry] = {}
        self.broken: dict[str, str] = {}
        eps = list(entry_points(group=ENTRY_POINT_GROUP) if eps is None else eps)
        seen: dict[str, str] = {}
        for ep in eps:
            dist, version = _dist_of(ep)
            if ep.name in seen and seen[ep.name] != dist:
                raise GanforgeError(
                    f"domain '{ep.name}' is provided by two installed distributions: "
                    f"{seen[ep.name]} and {dist}; uninstall one of them"
                )
            if ep.name in seen:  # same distribution seen twice (e.g. editable + egg-info): ignore
                continue
            seen[ep.name] = dist
            try:
                plugin = _instantiate(ep)
            except Exception as exc:  # noqa: BLE001 - any failure must not block other plugins
                reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
                self.broken[ep.name] = f"{dist}: {reason}"
                warnings.warn(
                    f"ganforge: skipping domain plugin '{ep.name}' from {dist} ({ep.value}): {reason}",
                    PluginLoadWarning,
                    stacklevel=2,
                )
                continue
            self.domains[ep.name] = DomainEntry(ep.name, plugin, dist, version)

    def names(self) -> list[str]:
        """Sorted names of the loadable domains."""
        return sorted(self.domains)

    def get(self, name: str) -> DomainPlugin:
        """The plugin for domain ``name``, or a one-line error listing installed domains."""
        if name not in self.domains:
            hint = f" (plugin failed to load: {self.broken[name]})" if name in self.broken else ""
            raise GanforgeError(str(choices_error("domain", name, self.names())) + hint)
        return self.domains[name].plugin

    def check_model(self, domain: str, model: str) -> None:
        """Raise a one-line error if ``model`` is not one of ``domain``'s models."""
        plugin = self.get(domain)
        if model not in plugin.models:
            raise choices_error(f"model for domain '{domain}'", model, plugin.models)

    def config_packages(self) -> list[str]:
        """Config packages of all loaded plugins, each once. Two packages may ship the
        same ``model/<name>.yaml``: model configs are namespaced per domain (see
        :func:`ganforge._internal.config.store_plugin_configs`)."""
        return list(dict.fromkeys(entry.plugin.config_package for _, entry in sorted(self.domains.items())))


_REGISTRY: Registry | None = None


def get_registry(refresh: bool = False) -> Registry:
    """The process-wide registry (loaded lazily; ``refresh=True`` re-reads entry points)."""
    global _REGISTRY
    if _REGISTRY is None or refresh:
        _REGISTRY = Registry()
    return _REGISTRY
