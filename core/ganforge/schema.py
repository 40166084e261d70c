"""Typed configuration: one declaration of each config group's keys, types and ranges.

A schema is a dataclass whose fields name the keys of one config node (``trainer``,
``run``, ``data`` ...). Defaults stay in the YAML files (one place); the schema says
what a value must be. :func:`validate_config` checks a composed config against the
core's schemas and the installed domain's (``DomainPlugin.config_schemas``) before
anything is built, so ``trainer.max_steps=abc`` or ``data.batch_size=-1`` is one line::

    trainer.max_steps='abc': expected an integer >= 1 or null

Range and choice constraints go in the field's metadata via :func:`spec`::

    @dataclass
    class ImagesData:
        size: int = spec(ge=8)
        format: str = spec(choices=("auto", "folder", "idx", "npz"))

A schema marked ``strict`` (the default) also rejects keys it does not declare, with
close-match suggestions (``+model.lattent_dim=8`` -> "did you mean model.latent_dim?").
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any, Union

from omegaconf import DictConfig, ListConfig, OmegaConf

from ganforge.errors import GanforgeError


def spec(
    *, ge: float | None = None, gt: float | None = None, le: float | None = None,
    choices: Sequence[Any] | None = None, doc: str = "", key: str | None = None, default: Any = MISSING,
) -> Any:
    """A schema field with constraints: ``ge``/``gt``/``le`` bounds, ``choices``; ``key``
    names the config key when it cannot be a Python name (``lambda_`` for ``lambda``).

    ``default`` is for keys the YAML does not carry (the schema is then their one place);
    a key the YAML sets has its default there and none here."""
    meta = {"ge": ge, "gt": gt, "le": le, "choices": choices, "doc": doc, "key": key}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


def build(schema: type, node: Any, where: str) -> Any:
    """An instance of ``schema`` from a config node: the builder's half of "config in,
    typed arguments out". Keys are checked (:func:`check_node`), absent keys take the
    schema's default, and a key with neither is one line naming it. Nested dataclass
    fields are built the same way; lists stay lists, mappings become plain dicts."""
    check_node(node, schema, where)
    values: dict[str, Any] = {}
    hints = typing.get_type_hints(schema)
    for f in fields(schema):
        key = f.metadata.get("key") or f.name
        present = node is not None and key in node
        if not present:
            if f.default is MISSING and f.default_factory is MISSING:
                raise GanforgeError(f"{where}.{key}: missing; expected {_describe(hints[f.name], f.metadata)}")
            continue
        value = node[key]
        if is_dataclass(hints[f.name]):
            value = build(hints[f.name], value, f"{where}.{key}")
        elif isinstance(value, (DictConfig, ListConfig)):
            value = OmegaConf.to_container(value, resolve=True)
        values[f.name] = value
    return schema(**values)


#: schema class attribute: reject keys the schema does not declare
STRICT_ATTR = "__ganforge_strict__"


def open_schema(cls: type) -> type:
    """Class decorator: the node may hold keys the schema does not declare (checked ones
    are still typed). For groups whose keys vary by model, e.g. ``model``."""
    setattr(cls, STRICT_ATTR, False)
    return cls


# ---------------------------------------------------------------- the core's groups
@dataclass
class TrainerSchema:
    """``trainer``: Lightning settings; ``max_steps`` counts generator updates."""

    accelerator: str = spec(choices=("auto", "cpu", "gpu", "cuda", "mps", "tpu"))
    devices: Union[int, str, list] = spec()
    num_nodes: int = spec(ge=1)
    strategy: str = spec()
    precision: Union[str, int] = spec(choices=("auto", 64, 32, 16, "64", "32", "16", "bf16", "64-true", "32-true", "16-true",
                                               "16-mixed", "bf16-true", "bf16-mixed", "transformer-engine"))
    max_steps: int | None = spec(ge=1)
    max_time: str | None = spec()
    deterministic: bool = spec()
    model_summary: bool = spec()
    num_threads: int | None = spec(ge=1)
    compile: bool = spec()
    channels_last: bool = spec()


@dataclass
class RunSchema:
    """``run``: logging, sampling, evaluation and checkpoint cadence (generator steps)."""

    log_every: int = spec(ge=0)
    sample_every: int = spec(ge=0)
    sample_count: int = spec(ge=0)
    eval_every: int = spec(ge=0)
    checkpoint_every: int = spec(ge=0)
    monitor: str | None = spec()
    monitor_mode: str = spec(choices=("min", "max"))
    progress_bar: bool = spec()
    on_nonfinite: str = spec(choices=("stop", "skip"))
    report: bool = spec()


@dataclass
class OptimSchema:
    """``optim``: the optimizers of G and D."""

    name: str = spec(choices=("adam", "adamw", "rmsprop", "sgd"))
    lr_g: float = spec(gt=0)
    lr_d: float = spec(gt=0)
    betas: list = spec()
    weight_decay_g: float = spec(ge=0)
    weight_decay_d: float = spec(ge=0)
    clip_g: float | None = spec(gt=0)
    clip_d: float | None = spec(gt=0)
    decay_start: int | None = spec(ge=0)
    fused: Union[bool, str] = spec(choices=(True, False, "auto"))


@dataclass
class EMASchema:
    """``ema``: the averaged generator."""

    decay: float = spec(ge=0, le=1)
    start_step: int = spec(ge=0)
    use_for_sampling: bool = spec()


@dataclass
class LoggerSchema:
    """``logger``: CSV always; TensorBoard auto/true/false."""

    tensorboard: Union[bool, str] = spec(choices=(True, False, "auto"))
    # logger=mlflow / logger=wandb (conf/logger/*.yaml; checked by ganforge.report.trackers)
    mlflow: dict | None = spec(default=None)
    wandb: dict | None = spec(default=None)


@open_schema
@dataclass
class ModelCommonSchema:
    """Keys every adversarial model reads (``model`` also holds model-specific keys)."""

    name: str = spec(default="")
    loss: str = spec(choices=("bce", "nonsaturating", "dcgan", "hinge", "lsgan", "wgan"), default="bce")
    n_critic: int = spec(ge=1, default=1)
    gp_weight: float = spec(ge=0, default=0.0)
    r1_gamma: float = spec(ge=0, default=0.0)
    latent_dim: int = spec(ge=1, default=100)
    reuse_fake: bool | str = spec(choices=(True, False, "auto"), default="auto")
    phases: list | None = spec(default=None)


@open_schema
@dataclass
class DataCommonSchema:
    """Keys every domain's ``data`` node shares."""

    path: str | None = spec()
    batch_size: int = spec(ge=1)
    num_workers: int = spec(ge=0)
    limit: int | None = spec(ge=1)


@dataclass
class TopSchema:
    """Top-level scalars."""

    seed: int = spec(ge=0)
    resume: str | None = spec()


CORE_SCHEMAS: dict[str, type] = {
    "trainer": TrainerSchema, "run": RunSchema, "optim": OptimSchema, "ema": EMASchema,
    "logger": LoggerSchema, "model": ModelCommonSchema, "data": DataCommonSchema,
}


# ---------------------------------------------------------------- checking
def _describe(tp: Any, meta: Mapping[str, Any]) -> str:
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string", list: "a list"}
    args = typing.get_args(tp) if _is_union(tp) else (tp,)
    words = [names.get(a, getattr(a, "__name__", str(a))) for a in args if a is not type(None)]
    text = " or ".join(dict.fromkeys(words))
    bounds = [f">= {meta['ge']:g}" if meta.get("ge") is not None else "",
              f"> {meta['gt']:g}" if meta.get("gt") is not None else "",
              f"<= {meta['le']:g}" if meta.get("le") is not None else ""]
    text += " " + " and ".join(b for b in bounds if b) if any(bounds) else ""
    if meta.get("choices"):
        text = "one of " + ", ".join(dict.fromkeys(_show(c) for c in meta["choices"]))
    if type(None) in args:
        text += " or null"
    return text


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) is Union or isinstance(tp, types.UnionType)


def _matches(value: Any, tp: Any) -> bool:
    if tp is Any:
        return True
    if _is_union(tp):
        return any(_matches(value, t) for t in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(float(value))
    if tp in (list, Sequence):
        return isinstance(value, (list, tuple, ListConfig))
    if tp in (dict, Mapping):
        return isinstance(value, (dict, DictConfig))
    return isinstance(value, tp) if isinstance(tp, type) else True


def _in_range(value: Any, meta: Mapping[str, Any]) -> bool:
    if meta.get("choices") and value is not None and value not in meta["choices"]:  # null: the type decides
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if meta.get("ge") is not None and not value >= meta["ge"]:
            return False
        if meta.get("gt") is not None and not value > meta["gt"]:
            return False
        if meta.get("le") is not None and not value <= meta["le"]:
            return False
    return True


def _fields(schemas: Sequence[type]) -> tuple[dict[str, tuple[Any, Mapping[str, Any]]], bool]:
    """Declared keys of a group (type, constraints; later schemas win) and whether any
    of its schemas is strict."""
    declared: dict[str, tuple[Any, Mapping[str, Any]]] = {}
    for schema in schemas:
        if not is_dataclass(schema):
            raise TypeError(f"{schema!r} is not a dataclass schema")
        hints = typing.get_type_hints(schema)
        declared.update({f.metadata.get("key") or f.name: (hints[f.name], f.metadata) for f in fields(schema)})
    return declared, any(getattr(s, STRICT_ATTR, True) for s in schemas)


def check_node(node: Any, schemas: type | Sequence[type], where: str) -> None:
    """Check one config node against its schema dataclass(es); raise a one-line
    :class:`GanforgeError` naming the key, the value and what was expected."""
    declared, strict = _fields([schemas] if isinstance(schemas, type) else list(schemas))
    if node is None:
        return
    if not isinstance(node, (DictConfig, dict)):
        raise GanforgeError(f"{where}={node!r}: expected a group of keys ({', '.join(declared)})")
    for key in [str(k) for k in node.keys()]:
        if key not in declared:
            if strict:
                close = difflib.get_close_matches(key, declared, n=1)
                hint = f"; did you mean {where}.{close[0]}?" if close else f"; valid keys: {', '.join(declared)}"
                raise GanforgeError(f"{where}.{key}: unknown key{hint}")
            continue
        value = OmegaConf.select(node, key, throw_on_missing=False) if isinstance(node, DictConfig) else node[key]
        tp, meta = declared[key]
        if is_dataclass(tp):  # a nested group (e.g. model.organ): checked key by key
            check_node(value, tp, f"{where}.{key}")
            continue
        if isinstance(value, (DictConfig, ListConfig)):
            value = OmegaConf.to_container(value, resolve=True)
        if not (_matches(value, tp) and _in_range(value, meta)):
            raise GanforgeError(f"{where}.{key}={value!r}: expected {_describe(tp, meta)}")


def schemas_for(plugin: Any, model: str | None) -> dict[str, list[type]]:
    """Schemas that apply to each group: the core's plus the domain's for its ``data``
    and other groups and the model's for ``model`` (``DomainPlugin.config_schemas``)."""
    out: dict[str, list[type]] = {k: [v] for k, v in CORE_SCHEMAS.items()}
    if plugin is not None:
        for group, schema in (plugin.config_schemas(model) or {}).items():
            out.setdefault(group, []).append(schema)
    return out


def validate_config(cfg: DictConfig, plugin: Any = None, added: Sequence[str] = ()) -> None:
    """Check a composed run config: every group against its schemas (types, ranges,
    choices; unknown keys in strict groups) and ``+group.key`` overrides (``added``)
    against what the schemas and YAML declare. Raises a one-line :class:`GanforgeError`."""
    check_node({k: cfg.get(k) for k in ("seed", "resume") if k in cfg}, TopSchema, "config")
    added_paths = [a.lstrip("+").split("=", 1)[0] for a in added]
    for group, schemas in schemas_for(plugin, OmegaConf.select(cfg, "model.name", default=None)).items():
        node = cfg.get(group)
        check_node(node, schemas, group)
        declared, _ = _fields(schemas)
        yaml_keys = {str(k) for k in node.keys()} if isinstance(node, DictConfig) else set()
        known = set(declared) | (yaml_keys - {p.partition(".")[2] for p in added_paths if p.startswith(group + ".")})
        for path in added_paths:
            top, _, key = path.partition(".")
            if top == group and key and "." not in key and key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean {group}.{close[0]}?" if close else ""
                raise GanforgeError(f"+{path}: unknown key (nothing reads {path}){hint}")
