"""Differentiable augmentation in front of a discriminator (DiffAugment, Zhao et al. 2020), with
ADA's adaptive probability (Karras et al. 2020b), for any domain.

A domain supplies its transforms -- ``{name: (fn, ...)}``, each ``fn`` mapping a batch
``[B, ...]`` to an augmented batch of the same shape, differentiably and independently per
example -- and :func:`attach_diffaugment` hooks a :class:`DiffAugment` in front of the
module's discriminator network(s): D sees augmented real and fake examples alike, in the D
step, the G step and inside gradient penalties, and G gets gradients through the transforms,
so it learns the un-augmented distribution. The model code is unchanged. The images domain's
``color``, ``translation`` and ``cutout`` and the audio domain's ``gain``, ``shift`` and
``cutout`` are built on this.

The hook is the mechanism rather than a training-loop option because every domain's
discriminator is called from several places (loss, penalties, model-specific steps): a
forward pre-hook covers them all.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import torch
from torch import nn

from ganforge.errors import GanforgeError, choices_error

Transform = Callable[[torch.Tensor], torch.Tensor]
Transforms = Mapping[str, Sequence[Transform]]


def parse_policy(value: Any, transforms: Transforms, where: str = "model.diffaugment") -> list[str]:
    """``"a,b"``, ``"a+b"`` or a list -> names of ``transforms``; empty, ``none`` or null -> []."""
    if value is None or value is False:
        return []
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        value = str(value).replace("+", ",").split(",")
    names = [str(v).strip() for v in value]
    names = [n for n in names if n and n.lower() not in ("none", "null", "false")]
    for name in names:
        if name not in transforms:
            raise choices_error("DiffAugment transform", name, transforms, where=where)
    return names


class DiffAugment(nn.Module):
    """The augmentation applied in front of the discriminator.

    Args:
        transforms: the domain's ``{name: (fn, ...)}``.
        policy: names of ``transforms`` to apply, in this order.
        p: probability of each transform per example (ignored with ``ada_target``: p starts at 0).
        ada_target: ADA's target for ``r_t = E[sign(D(real))]``; None: fixed ``p``.
        ada_interval: D steps between ADA's adjustments of p.
        ada_kimg: thousands of examples for p to go from 0 to 1.

    ``p`` is a buffer, so a resumed run continues with the adapted probability.
    """

    def __init__(self, transforms: Transforms, policy: list[str], p: float = 1.0, ada_target: float | None = None,
                 ada_interval: int = 4, ada_kimg: float = 500.0):
        super().__init__()
        self.transforms = dict(transforms)
        self.policy = list(policy)
        self.ada_target = None if ada_target is None else float(ada_target)
        self.ada_interval, self.ada_kimg = int(ada_interval), float(ada_kimg)
        self.register_buffer("p", torch.tensor(0.0 if self.ada_target is not None else float(p)))
        self.register_buffer("ada_stats", torch.zeros(3))  # sum of signs, count of logits, D steps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` with each transform applied to each example with probability ``p``."""
        p = float(self.p)
        if p <= 0:
            return x
        for name in self.policy:
            for fn in self.transforms[name]:
                y = fn(x)
                if p < 1:
                    keep = torch.rand((x.shape[0],) + (1,) * (x.dim() - 1), device=x.device) < p
                    y = torch.where(keep, y, x)
                x = y
        return x

    @torch.no_grad()
    def observe(self, real_logits: torch.Tensor, batch_size: int) -> None:
        """ADA: accumulate ``sign(D(real))`` of one D step; adjust ``p`` every ``ada_interval`` steps."""
        if self.ada_target is None:
            return
        self.ada_stats += torch.stack([
            real_logits.sign().sum().to(self.ada_stats), torch.tensor(float(real_logits.numel())).to(self.ada_stats),
            torch.ones((), device=self.ada_stats.device),
        ])
        if int(self.ada_stats[2]) >= self.ada_interval:
            r_t = float(self.ada_stats[0] / self.ada_stats[1].clamp(min=1))
            diff = r_t - self.ada_target
            sign = 0.0 if abs(diff) < 1e-6 else (1.0 if diff > 0 else -1.0)  # np.sign, robust to float32 sums
            step = sign * batch_size * self.ada_interval / (self.ada_kimg * 1000)
            self.p.copy_((self.p + step).clamp(0.0, 1.0))
            self.ada_stats.zero_()

    def r_t(self) -> float:
        """The overfitting heuristic over the steps seen since the last adjustment (0 if none)."""
        return float(self.ada_stats[0] / self.ada_stats[1].clamp(min=1))


def _discriminator_nets(module: nn.Module) -> list[nn.Module]:
    d = getattr(module, "discriminator", None)
    if d is None:
        return []
    return list(d.values()) if isinstance(d, nn.ModuleDict) else [d]


def _model_name(module: nn.Module) -> str:
    # the configured name (``model.name``) for messages; the class name for a module built without one
    settings = getattr(module, "settings", None)
    name = getattr(getattr(settings, "model", None), "name", None)
    return name or type(module).__name__


def attach_diffaugment(module: nn.Module, transforms: Transforms, policy: Any, *, p: float,
                       ada_target: float | None = None, ada_interval: int = 4,
                       ada_kimg: float = 500.0) -> DiffAugment | None:
    """Hook a :class:`DiffAugment` of ``policy`` (names of ``transforms`` joined with ``+`` or
    ``,``, a list, or null/empty: nothing) in front of ``module``'s discriminator(s), active only
    while they are in training mode; sets and returns ``module.diffaugment``.

    Errors name the ``model`` keys a domain's config uses for these arguments (``model.diffaugment``,
    ``model.augment_p``, ``model.ada_target``). ADA needs ``module.reports_real_logits`` (the
    module calls ``module.diffaugment.observe`` from its D step).
    """
    names = parse_policy(policy, transforms)
    if not names:
        if ada_target is not None:
            raise GanforgeError("model.ada_target is set but model.diffaugment is empty; expected e.g. "
                                f"model.diffaugment={'+'.join(transforms)}")
        return None
    if ada_target is not None and not getattr(module, "reports_real_logits", False):
        raise GanforgeError(f"model.ada_target: the adaptive probability needs D(real) from the training step; "
                            f"model '{_model_name(module)}' does not report it; use model.augment_p instead")
    if not 0.0 <= float(p) <= 1.0:
        raise GanforgeError(f"model.augment_p={p}: expected a probability in [0, 1]")
    aug = DiffAugment(transforms, names, float(p), ada_target, int(ada_interval), float(ada_kimg))
    nets = _discriminator_nets(module)
    if not nets:
        raise GanforgeError(f"model.diffaugment: model '{_model_name(module)}' has no discriminator to augment for")

    def pre_hook(net, args):
        if not net.training:
            return None
        return (aug(args[0]), *args[1:])

    for net in nets:
        net.register_forward_pre_hook(pre_hook)
    module.diffaugment = aug
    return aug
