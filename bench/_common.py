"""Shared helpers for benchmark scripts: write JSON results and a docs/benchmarks.md section.

Each benchmark owns one section of ``docs/benchmarks.md`` delimited by
``<!-- bench:NAME:start -->`` / ``<!-- bench:NAME:end -->`` so that benchmarks can be
re-run independently without clobbering each other's figures.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
DOC = REPO / "docs" / "benchmarks.md"


def machine_info() -> dict:
    """Describe the machine a benchmark ran on (recorded next to every figure)."""
    import os

    import torch

    info = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "date": time.strftime("%Y-%m-%d"),
    }
    return info


def write_results(name: str, payload: dict, markdown: str) -> Path:
    """Write ``bench/results/NAME.json`` and replace NAME's section in docs/benchmarks.md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine_info(), **payload}
    out.write_text(json.dumps(payload, indent=2, default=float) + "\n")
    write_section(name, markdown)
    return out


def command_line(script: str, argv: list[str]) -> str:
    """``python bench/<script> <args>`` as run, less ``--out DIR``: where the runs were written
    is not part of the protocol a reader repeats."""
    shown = [a for i, a in enumerate(argv) if a != "--out" and (i == 0 or argv[i - 1] != "--out")]
    return " ".join(["python", f"bench/{script}", *shown])


def save_figure(fig, path: Path) -> Path:
    """Lay out, save (110 dpi) and close a matplotlib figure; returns ``path``."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


class Reseed:
    """Lightning callback: re-seed every RNG when training starts (after a resume restored them).

    A resumed stage continues the checkpoint's random streams exactly (that is what resume
    is for). Benchmarks that branch several seeds from one shared pretrained checkpoint
    need the opposite: the same weights, a different random stream per seed.
    """

    def __new__(cls, seed: int):
        import lightning.pytorch as pl

        class _Reseed(pl.Callback):
            def on_train_start(self, trainer, pl_module) -> None:
                pl.seed_everything(seed, workers=True, verbose=False)

        return _Reseed()


def write_section(name: str, markdown: str) -> None:
    """Replace (or append) NAME's ``<!-- bench:NAME:start/end -->`` section of docs/benchmarks.md."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\nFigures written by the scripts in `bench/`.\n"
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)


def train_stage(cfg, run_dir: Path, resume: Path | None, seed: int | None = None,
                callbacks: tuple = ()) -> tuple[dict, float]:
    """Train one stage into ``run_dir``; returns its final metrics and wall seconds.

    With ``seed``, every RNG is re-seeded once the (resumed) training starts, so stages
    branched from one checkpoint with different seeds differ only by their random stream.
    """
    from omegaconf import open_dict

    from ganforge import train

    if resume is not None:
        with open_dict(cfg):
            cfg.resume = str(resume)
    extra = list(callbacks) + ([Reseed(seed)] if seed is not None else [])
    start = time.perf_counter()
    metrics = train(cfg, run_dir, callbacks=extra)
    return metrics, time.perf_counter() - start
