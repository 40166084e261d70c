"""Rows of numbers from a CSV file (or the embedded default) as a LightningDataModule."""

from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path

import lightning.pytorch as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from ganforge import DataSpecMixin, GanforgeError


def read_rows(path: Path) -> torch.Tensor:
    """A numeric CSV as a float tensor ``[rows, columns]``; a header line is skipped.

    Any other non-numeric cell is an error naming the file, line and column.
    """
    try:
        lines = list(csv.reader(path.read_text().splitlines()))
    except (OSError, UnicodeDecodeError) as exc:
        raise GanforgeError(f"data.path={path}: cannot read ({exc})") from None
    rows: list[list[float]] = []
    for number, line in enumerate(lines, start=1):
        if not line or all(not cell.strip() for cell in line):
            continue
        try:
            rows.append([float(cell) for cell in line])
        except ValueError:
            if number == 1:  # a header
                continue
            bad = next(c for c in line if not _is_number(c))
            raise GanforgeError(f"{path}:{number}: '{bad}' is not a number; expected numeric CSV columns") from None
        if len(rows[-1]) != len(rows[0]):
            raise GanforgeError(f"{path}:{number}: {len(rows[-1])} columns, expected {len(rows[0])} like the first row")
    if not rows:
        raise GanforgeError(f"data.path={path}: no numeric rows; expected a CSV of numbers")
    return torch.tensor(rows, dtype=torch.float32)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def default_data_path() -> Path:
    """The embedded default data (``default.csv`` inside this package)."""
    return Path(str(files("ganforge_points").joinpath("default.csv")))


class RowsDataModule(DataSpecMixin, pl.LightningDataModule):
    """Standardised rows (zero mean, unit variance per column); the moments go in the spec
    so samples are mapped back to data units without the data set.

    Args:
        path: a numeric CSV file; ``None``: the embedded default (``default.csv``).
        batch_size: rows per batch (at most the number of rows).

    ``PointsDomain.build_datamodule`` is its builder (``data.path``, ``data.batch_size``).
    """

    def __init__(self, *, path: str | None, batch_size: int):
        super().__init__()
        self.path = default_data_path() if path is None else Path(str(path)).expanduser()
        self.batch_size = batch_size
        self.rows: torch.Tensor | None = None

    def setup(self, stage: str | None = None) -> None:
        """Read and standardise the data once."""
        if self.rows is not None:
            return
        if not self.path.is_file():
            raise GanforgeError(f"data.path={self.path}: file not found; expected a CSV of numbers")
        raw = read_rows(self.path)
        mean, std = raw.mean(0), raw.std(0).clamp_min(1e-6)
        self.rows = (raw - mean) / std
        self._spec = {"columns": int(raw.shape[1]), "mean": mean.tolist(), "std": std.tolist(), "rows": int(raw.shape[0])}

    def train_dataloader(self) -> DataLoader:
        """Shuffled batches of standardised rows."""
        batch = min(self.batch_size, len(self.rows))
        return DataLoader(TensorDataset(self.rows), batch_size=batch, shuffle=True, drop_last=True)
