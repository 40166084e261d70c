"""Console noise the user did not ask for, silenced by the console entry points only.

Importing ganforge changes no process-wide warning or logging filter (a library must
not hide torch's or Lightning's messages from the programs that embed it); ``gan-run``
and ``gan-sample`` call :func:`quiet_known_noise` first thing instead.
"""

from __future__ import annotations

import logging
import warnings

#: warnings that say nothing about the user's run
NOISY_WARNINGS = (
    r".*module\(s\) in eval mode.*",  # the EMA copy is in eval mode on purpose
    r".*isinstance\(treespec, LeafSpec\).*",  # a Lightning/torch deprecation inside Lightning
    r".*weights_only.*",  # Lightning loads its own checkpoints
    r".*does not have many workers.*",  # small in-memory data sets need none
    r".*torch\.jit\.script.*",  # PyG's FutureWarning about TorchScript at import
)

#: Lightning log lines that advertise or restate what ganforge already reports
NOISY_LOG_FRAGMENTS = ("Tip:", "weights_only", "Trainer.fit` stopped", "Trainer.fit stopped",
                       "GPU available: False", "TPU available:", "HPU available:",
                       # the precision is in the run's config, and ganforge logs what precision=auto picked
                       "Automatic Mixed Precision (AMP)")


class _DropNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(fragment in message for fragment in NOISY_LOG_FRAGMENTS)


def quiet_known_noise() -> None:
    """Install the filters for this process (console entry points only)."""
    for pattern in NOISY_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"torch_geometric\..*")
    drop = _DropNoise()
    for name in ("lightning.pytorch", "lightning.pytorch.utilities.rank_zero", "lightning.fabric",
                 "lightning.pytorch.trainer.connectors.checkpoint_connector"):
        logging.getLogger(name).addFilter(drop)
