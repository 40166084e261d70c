"""``RunDirCheckpointIO``: checkpoints written straight to their (temporary) path, then fsynced.

Lightning's default writer goes through ``fsspec`` transactions, which write the whole
checkpoint to the system temporary directory first and then move it: on a cluster node
whose ``/tmp`` is a small RAM disk that fails for large models even when the run
directory has room, it writes every checkpoint twice across file systems, and a full
disk reports the anonymous ``/tmp`` file instead of the run's path. ganforge already
writes each checkpoint under a per-process temporary name in ``checkpoints/`` and
renames it (see :meth:`ganforge._internal.callbacks.StepSchedule.save`), so the direct write is
just as atomic; ``fsync`` before the rename keeps a power loss from leaving a renamed
but empty file.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import torch
from lightning.pytorch.plugins.io import TorchCheckpointIO


class RunDirCheckpointIO(TorchCheckpointIO):
    """Save with a plain file write (errors keep their errno and the real path)."""

    def save_checkpoint(self, checkpoint: dict[str, Any], path: Any, storage_options: Any = None) -> None:
        """Serialise ``checkpoint`` and write it to ``path`` (local paths; others as Lightning does)."""
        if "://" in str(path):
            super().save_checkpoint(checkpoint, path, storage_options)
            return
        buffer = io.BytesIO()  # serialise first, as Lightning does: a failed write is an OSError
        torch.save(checkpoint, buffer)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(buffer.getbuffer())
            fh.flush()
            os.fsync(fh.fileno())
