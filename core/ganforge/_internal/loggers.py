"""``StepCSVLogger``: CSV metrics keyed by generator step that survive ``resume=``.

Lightning's CSVLogger rewrites ``metrics.csv`` from memory when new columns appear,
which drops the rows of the run being resumed; this logger keeps them (and drops rows
past the resumed checkpoint, which will be redone), so one file holds the whole run.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment
from lightning.pytorch.utilities import rank_zero_only

from ganforge.utils import atomic_path, storage_error


class StepCSVLogger(Logger):
    """Append-style CSV logger writing ``<save_dir>/metrics.csv`` (column ``step`` = generator step)."""

    def __init__(self, save_dir: str | Path):
        super().__init__()
        self._dir = Path(save_dir)
        self._rows: list[dict[str, Any]] = []
        self._keys: list[str] = ["step"]
        # rows/columns already in the file: save() appends while the header is unchanged
        self._written_rows = 0
        self._written_keys: list[str] = []
        path = self.path
        if path.is_file():
            with path.open(newline="") as fh:
                reader = csv.DictReader(fh)
                self._keys = list(reader.fieldnames or ["step"])
                self._rows = [dict(r) for r in reader]
            self._written_rows, self._written_keys = len(self._rows), list(self._keys)

    @property
    def path(self) -> Path:
        """The CSV file."""
        return self._dir / "metrics.csv"

    @property
    def name(self) -> str:
        """Logger name (Lightning API)."""
        return "csv"

    @property
    def version(self) -> str:
        """Logger version (Lightning API; one file per run dir)."""
        return ""

    @property
    def save_dir(self) -> str:
        """Directory of the CSV file."""
        return str(self._dir)

    @property
    @rank_zero_experiment
    def experiment(self) -> StepCSVLogger:
        """This logger (there is no separate experiment object)."""
        return self

    def truncate_after(self, step: int) -> None:
        """Drop rows logged after ``step`` (they are redone after a resume)."""
        self._rows = [r for r in self._rows if float(r.get("step") or 0) <= step]
        self._written_rows = 0  # the file must be rewritten without the dropped rows

    @property
    def row_count(self) -> int:
        """Rows logged so far (stored in checkpoints: a resume keeps exactly these)."""
        return len(self._rows)

    def truncate_rows(self, count: int) -> None:
        """Keep the first ``count`` rows: those logged before the resumed checkpoint (rows
        logged at the same step but after it, e.g. by a phase that makes no generator
        step, are redone by the resumed run and must not appear twice)."""
        self._rows = self._rows[: int(count)]
        self._written_rows = 0

    @rank_zero_only
    def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
        """Hyper-parameters live in ``.hydra/``; nothing to do."""

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """Add one row."""
        row = {"step": step, **{k: (v.item() if hasattr(v, "item") else v) for k, v in metrics.items()}}
        for key in row:
            if key not in self._keys:
                self._keys.append(key)
        self._rows.append(row)

    @rank_zero_only
    def save(self) -> None:
        """Append the new rows; rewrite the file atomically when columns were added."""
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            if self._written_rows and self._keys == self._written_keys and self.path.is_file():
                with self.path.open("a", newline="") as fh:
                    csv.DictWriter(fh, fieldnames=self._keys).writerows(self._rows[self._written_rows :])
                self._written_rows = len(self._rows)
                return
        except OSError as exc:
            raise storage_error(exc, self.path) from exc
        # per-process temporary name; on failure it is removed and metrics.csv is unchanged
        with atomic_path(self.path) as tmp, tmp.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=self._keys)
            writer.writeheader()
            writer.writerows(self._rows)
        self._written_rows, self._written_keys = len(self._rows), list(self._keys)

    @rank_zero_only
    def finalize(self, status: str) -> None:
        """Flush at the end of training."""
        self.save()
