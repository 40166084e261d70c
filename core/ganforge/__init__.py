"""ganforge: adversarial generation of every kind, one command away.

Public API for plugins and users (everything else is internal):

* :class:`AdversarialModule` -- the Lightning training loop models subclass.
* :class:`DomainPlugin`, :class:`DataSpecMixin` -- the plugin contract.
* :func:`get_loss`, :class:`GANLoss`, :func:`gradient_penalty`, :func:`r1_penalty`.
* :class:`EMA`, :class:`Phase`, :class:`PhaseSchedule`.
* :class:`GANSettings` -- the loop's typed settings a model takes (``from_config``, ``defaults``).
* :class:`GanforgeError`, :func:`choices_error` -- one-line user-facing errors.
* :func:`compose_config`, :func:`train`, :func:`load_module` -- run from Python;
  :func:`make_trainer` -- a Trainer set up as ``gan-run`` does, for scripts that call ``fit``.
* :func:`exit_with_error` -- the one-line ``prog: error: ...`` exit of console scripts.
* :func:`get_registry` -- the installed domain plugins.
* :class:`MinibatchStd` -- the minibatch standard-deviation layer for discriminators.
* :class:`PackSamples` -- PacGAN packing: a critic that judges several samples at once.
* :func:`seeded` -- fixed-seed side computations that leave training RNG untouched.
* :func:`track` -- a progress bar (with ETA) for long set-up loops such as reading a data set.
* :func:`cache_dir` -- the one cache folder rule (``$GANFORGE_CACHE_DIR``) for every plugin.
* :mod:`ganforge.policy_gradient` -- batched Monte-Carlo rollouts, rewards, baselines,
  the REINFORCE loss and the delayed rollout policy for discrete sequences (SeqGAN).
"""

from ganforge import policy_gradient
from ganforge.augment import DiffAugment, attach_diffaugment
from ganforge.ema import EMA
from ganforge.errors import GanforgeError, choices_error, exit_with_error
from ganforge.layers import MinibatchStd, PackSamples
from ganforge.losses import GANLoss, get_loss
from ganforge.module import AdversarialModule
from ganforge.penalties import gradient_penalty, r1_penalty
from ganforge.phases import Phase, PhaseSchedule
from ganforge.plugin import DataSpecMixin, DomainPlugin
from ganforge.progress import track
from ganforge.settings import GANSettings
from ganforge.utils import cache_dir, seeded, write_json_atomic

__version__ = "0.2.0"


def compose_config(*args, **kwargs):
    """See :func:`ganforge._internal.config.compose_config` (imported lazily: Hydra is heavy)."""
    from ganforge._internal.config import compose_config as _compose

    return _compose(*args, **kwargs)


def train(*args, **kwargs):
    """See :func:`ganforge._internal.training.train`."""
    from ganforge._internal.training import train as _train

    return _train(*args, **kwargs)


def make_trainer(*args, **kwargs):
    """See :func:`ganforge._internal.training.make_trainer` (a Trainer set up as ``gan-run`` does)."""
    from ganforge._internal.training import make_trainer as _make

    return _make(*args, **kwargs)


def get_registry(*args, **kwargs):
    """See :func:`ganforge._internal.registry.get_registry` (the installed domain plugins)."""
    from ganforge._internal.registry import get_registry as _get

    return _get(*args, **kwargs)


def load_module(*args, **kwargs):
    """See :func:`ganforge._internal.loading.load_module`."""
    from ganforge._internal.loading import load_module as _load

    return _load(*args, **kwargs)


__all__ = [
    "AdversarialModule", "attach_diffaugment", "cache_dir", "choices_error", "compose_config", "DataSpecMixin",
    "DiffAugment", "DomainPlugin",
    "EMA", "exit_with_error", "GanforgeError", "GANLoss", "GANSettings", "get_loss", "get_registry", "gradient_penalty",
    "load_module", "make_trainer", "MinibatchStd", "PackSamples", "Phase", "PhaseSchedule", "policy_gradient", "r1_penalty", "seeded",
    "track", "train", "write_json_atomic", "__version__",
]
