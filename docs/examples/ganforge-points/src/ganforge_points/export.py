"""Writing generated rows: a CSV file, and a scatter plot PNG when rows are 2-D points."""

from __future__ import annotations

from pathlib import Path

import torch


def write_csv(rows: torch.Tensor, path: Path) -> Path:
    """Rows as CSV with a header ``x0,x1,...``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ",".join(f"x{i}" for i in range(rows.shape[1]))
    body = "\n".join(",".join(f"{v:.6g}" for v in row) for row in rows.tolist())
    path.write_text(header + "\n" + body + "\n")
    return path


def write_scatter(points: torch.Tensor, path: Path, reference: torch.Tensor | None = None) -> Path:
    """A scatter plot of 2-D points (optionally over reference points in grey)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    if reference is not None:
        ax.scatter(reference[:, 0], reference[:, 1], s=2, c="0.75", label="data")
    ax.scatter(points[:, 0], points[:, 1], s=3, c="tab:red", label="generated")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def export_rows(rows: torch.Tensor, out_dir: Path, stem: str) -> list[Path]:
    """``<stem>.csv`` plus ``<stem>.png`` for 2-column rows."""
    rows = rows.detach().cpu()
    paths = [write_csv(rows, out_dir / f"{stem}.csv")]
    if rows.shape[1] == 2:
        paths.append(write_scatter(rows, out_dir / f"{stem}.png"))
    return paths
