"""Typed settings of the adversarial loop: what :class:`~ganforge.module.AdversarialModule`
takes instead of the run config.

The rule (torchtune's): a *builder* turns config into typed constructor arguments, once;
modules and networks never read a config. :meth:`GANSettings.from_config` is the core's
builder; each model's ``from_config(cfg, spec)`` is its own. So a model can be built in a
notebook without a DictConfig::

    from ganforge import GANSettings
    from ganforge_images.models.dcgan import DCGAN

    model = DCGAN(channels=1, size=32, g_width=64, d_width=64, d_norm="batch",
                  settings=GANSettings.defaults(latent_dim=64, optim={"lr_g": 1e-4}))

Defaults live once: in the YAML of the core's groups (``conf/config.yaml``: ``optim``,
``ema``) and in the schema for the model keys the core reads (``ModelCommonSchema``:
``loss``, ``n_critic`` ...). :meth:`GANSettings.defaults` reads exactly those, so a
notebook gets what ``gan-run`` would use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from ganforge.phases import Phase
from ganforge.schema import EMASchema, ModelCommonSchema, OptimSchema, build


@dataclass(frozen=True)
class GANSettings:
    """Everything the core's loop reads, typed: the model keys every adversarial model
    shares (``loss``, ``n_critic``, ``gp_weight``, ``r1_gamma``, ``latent_dim``,
    ``reuse_fake``), the training phases, ``max_steps`` (generator updates; ``None``:
    unbounded) and the ``optim`` and ``ema`` groups."""

    model: ModelCommonSchema
    optim: OptimSchema
    ema: EMASchema
    phases: tuple[Phase, ...] = ()
    max_steps: int | None = None

    @classmethod
    def from_config(cls, cfg: DictConfig | Mapping[str, Any]) -> GANSettings:
        """The builder: read ``model``/``optim``/``ema``/``trainer.max_steps`` of a
        composed run config once (one-line errors for bad or missing keys)."""
        cfg = cfg if isinstance(cfg, DictConfig) else OmegaConf.create(dict(cfg))
        model_node = cfg.get("model")
        common = {k: _plain(model_node[k]) for k in _model_keys() if model_node is not None and k in model_node}
        model = build(ModelCommonSchema, OmegaConf.create(common), "model")
        phases = tuple(Phase.from_config(dict(item), i) for i, item in enumerate(model.phases or ()))
        max_steps = OmegaConf.select(cfg, "trainer.max_steps", default=None)
        return cls(
            model=model,
            optim=build(OptimSchema, cfg.get("optim"), "optim"),
            ema=build(EMASchema, cfg.get("ema"), "ema"),
            phases=phases,
            max_steps=None if max_steps is None or int(max_steps) < 0 else int(max_steps),
        )

    @classmethod
    def defaults(cls, optim: Mapping[str, Any] | None = None, ema: Mapping[str, Any] | None = None,
                 max_steps: int | None = None, phases: Sequence[Mapping[str, Any]] | None = None,
                 **model: Any) -> GANSettings:
        """Settings as ``gan-run`` would use them (``conf/config.yaml``'s ``optim`` and
        ``ema``, the schema's model defaults), with the given changes -- for notebooks and
        tests that build a model without composing a config. ``model`` keys go in as
        keywords (``latent_dim=64``), ``optim``/``ema`` as partial mappings."""
        base = OmegaConf.load(resources.files("ganforge.conf").joinpath("config.yaml").open(encoding="utf-8"))
        cfg = OmegaConf.create({
            "model": {"name": model.pop("name", "notebook"), **model, **({"phases": list(phases)} if phases else {})},
            "optim": OmegaConf.merge(base.optim, optim or {}),
            "ema": OmegaConf.merge(base.ema, ema or {}),
            "trainer": {"max_steps": max_steps},
        })
        return cls.from_config(cfg)

    def with_model(self, **changes: Any) -> GANSettings:
        """A copy with some model keys changed (e.g. ``reuse_fake=False``)."""
        return replace(self, model=replace(self.model, **changes))


def _model_keys() -> list[str]:
    from dataclasses import fields

    return [f.metadata.get("key") or f.name for f in fields(ModelCommonSchema)]


def _plain(value: Any) -> Any:
    # resolved while still attached to the run config (``${model.mle.epochs}`` in phases)
    return OmegaConf.to_container(value, resolve=True) if isinstance(value, (DictConfig, ListConfig)) else value
