"""Whether state synchronisation may reach the other ranks: the rank-0-only scope.

Under DDP, :class:`~ganforge._internal.callbacks.StepSchedule` evaluates on global rank 0 while
the other ranks wait for the broadcast of the result. Code that synchronises state
across ranks during an evaluation would wait for ranks that never answer, so it asks
:func:`distributed_available`, which is false inside :func:`local_only`.

The one such code in ganforge's domains is torchmetrics: ``Metric.compute`` gathers the
metric states of every rank when its ``distributed_available_fn`` says so. Plugins pass
``distributed_available_fn=ganforge.distributed.distributed_available`` to every metric
they build (the images and audio plugins do); torchmetrics' own default is left alone, as
is ``torch.distributed``: Lightning and the strategy still see the
real process group during an evaluation.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import torch

_LOCAL_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("ganforge_local_only", default=False)


def distributed_available() -> bool:
    """True when collective calls reach the other ranks: ``torch.distributed`` is
    initialised and the caller is not inside :func:`local_only`."""
    if _LOCAL_ONLY.get():
        return False
    return torch.distributed.is_available() and torch.distributed.is_initialized()


@contextlib.contextmanager
def local_only() -> Iterator[None]:
    """Within this block, code that consults :func:`distributed_available` computes on
    this process's data alone (rank 0's evaluation; the other ranks are not evaluating)."""
    token = _LOCAL_ONLY.set(True)
    try:
        yield
    finally:
        _LOCAL_ONLY.reset(token)
