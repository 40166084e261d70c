"""Hydra integration: the primary config tree plus every installed plugin's config groups.

``register_plugin_search_path()`` registers every installed domain plugin's config
groups (its ``config_package``) in Hydra's ConfigStore, so a third-party plugin's
``domain/``, ``model/`` and ``smoke/`` groups compose exactly like built-in ones.

Model configs are namespaced per domain: two plugins may both ship ``model/mlp.yaml``.
Hydra's search path is global (the first ``model/mlp.yaml`` found would win for every
domain), so the ``model`` group the user selects from holds only empty *selectors*,
and the content comes from the hidden group ``ganforge_model``, option
``<domain>.<model>``, chosen by the defaults-list interpolation
``${domain}.${model}`` in conf/config.yaml. Because the choice is made per composed
job, ``-m domain=a,b model=x,y`` sweeps resolve each job's model in its own domain, and
``model=default`` picks each swept domain's default model.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files

import yaml
from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig

from ganforge._internal.registry import get_registry
from ganforge.cli.arguments import DEFAULT_MODEL_ALIAS

PRIMARY_CONFIG_MODULE = "ganforge.conf"
PRIMARY_CONFIG_NAME = "config"
HYDRA_VERSION_BASE = "1.3"
#: hidden config group holding each domain's model configs as ``<domain>.<model>``
MODEL_CONTENT_GROUP = "ganforge_model"


def _read_config(package: str, *parts: str) -> str | None:
    try:
        path = files(package).joinpath(*parts)
        return path.read_text() if path.is_file() else None
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return None


def _header_package(text: str) -> str | None:
    """The ``# @package X`` directive of a YAML config (Hydra reads it from the header)."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# @package"):
            words = stripped.split(None, 2)
            return words[2].strip() if len(words) > 2 else None
        if stripped and not stripped.startswith("#"):
            break
    return None


#: libyaml's parser when PyYAML has it (the same SafeLoader semantics, ~5x faster): every
#: command parses every installed plugin's configs at start-up.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _store(group: str, name: str, text: str, default_package: str) -> None:
    # A plain dict: ConfigStore.store converts it to a DictConfig itself (once).
    node = yaml.load(text, Loader=_YAML_LOADER) or {}  # a safe loader (no arbitrary objects)
    ConfigStore.instance().store(group=group, name=name, node=node, package=_header_package(text) or default_package)


def _yaml_files(package: str) -> list[tuple[str, str, str]]:
    """``(group, name, text)`` of every YAML config below a config package."""
    found: list[tuple[str, str, str]] = []

    def walk(node, group: tuple[str, ...]) -> None:
        for child in node.iterdir():
            if child.is_dir() and not child.name.startswith(("_", ".")):
                walk(child, (*group, child.name))
            elif child.name.endswith(".yaml") and group:
                found.append(("/".join(group), child.name[: -len(".yaml")], child.read_text()))

    try:
        walk(files(package), ())
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    return found


def _share_config_store_in_deep_copies() -> None:
    """Let deep copies of Hydra's config repository share the ConfigStore singleton.

    Hydra's ``CachingConfigRepository`` deep-copies its delegate repository (to keep
    ``initialize_sources`` from mutating it), and that copies the ConfigStore with every
    plugin config stored in it: ~0.2 s per copy for the built-in plugins' ~100 configs,
    three copies per ``gan-run``, growing with each installed plugin. The copy protects
    nothing here: ``ConfigStore.load`` already deep-copies the node it returns, so the
    stored configs are never mutated by their readers. Pickling (Hydra's joblib launcher
    ships the store to its workers) is not affected: it does not use ``__deepcopy__``.
    Hydra offers no option for this, hence the attribute on its class.
    """
    if "__deepcopy__" not in ConfigStore.__dict__:
        ConfigStore.__deepcopy__ = lambda self, memo: self  # type: ignore[attr-defined]


def store_plugin_configs() -> None:
    """Register every installed plugin's config groups in Hydra's ConfigStore.

    Groups other than ``model`` are stored as they are (``domain/<name>``, ``smoke/...``,
    any group a plugin adds). Model configs are namespaced: ``ganforge_model/<domain>.<model>``
    (read from the domain's own config package first, then from the packages of the
    plugins it builds on, as midi builds on sequence) plus an empty selector
    ``model/<model>`` for the name the user types.
    """
    _share_config_store_in_deep_copies()
    registry = get_registry()
    packages = registry.config_packages()
    cs = ConfigStore.instance()
    for package in packages:
        for group, name, text in _yaml_files(package):
            if group != "model":
                _store(group, name, text, group.replace("/", "."))  # Hydra's default package: the group path
    for domain in registry.names():
        plugin = registry.get(domain)
        order = [plugin.config_package, *(p for p in packages if p != plugin.config_package)]
        for model in [*plugin.models, DEFAULT_MODEL_ALIAS]:
            real = plugin.default_model if model == DEFAULT_MODEL_ALIAS else model
            text = next((t for p in order if (t := _read_config(p, "model", f"{real}.yaml")) is not None), None)
            if text is None:
                continue  # the conformance suite reports a missing model config
            _store(MODEL_CONTENT_GROUP, f"{domain}.{model}", text, "model")
            cs.store(group="model", name=model, node={}, package="model")
            if model == DEFAULT_MODEL_ALIAS:  # debug=smoke sizes of the default model too
                smoke = _read_config(plugin.config_package, "smoke", f"smoke_{domain}_{real}.yaml")
                if smoke is not None:
                    _store("smoke", f"smoke_{domain}_{DEFAULT_MODEL_ALIAS}", smoke, "_global_")


_registered = False


def register_plugin_search_path() -> None:
    """Make every installed plugin's config groups composable (idempotent).

    Plugin configs go through Hydra's ConfigStore rather than the search path so that
    model configs can be namespaced per domain (see :func:`store_plugin_configs`).
    """
    global _registered
    if not _registered:
        store_plugin_configs()
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
