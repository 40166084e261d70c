"""Write the ``stylegan2`` section of docs/benchmarks.md from the logs of the two parts run
side by side, one process (and one core) each -- how the issue's protocol fits the 2 cores:

    python bench/stylegan2.py --parts mnist --profile auto --no-write > mnist.log 2>&1 &
    python bench/stylegan2.py --parts fashion --profile auto --no-write > fashion.log 2>&1
    python bench/stylegan2_report.py mnist.log fashion.log --profile auto

Each process prints its results as JSON at its end (``--no-write``); this merges them and
writes bench/results/stylegan2.json and the section through ``stylegan2.write``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stylegan2 import PROFILES, write  # noqa: E402


def final_json(log: Path) -> dict:
    """The JSON object a ``--no-write`` run prints last (its ``parts``)."""
    text = log.read_text()
    start = text.rindex("\n{\n")
    return json.loads(text[start:text.index("\n}\n", start) + 3])


def main() -> None:
    """Merge the parts of the logs and write the section."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--profile", choices=sorted(PROFILES), default="f", help="the --profile the runs used")
    ap.add_argument("--slice", type=float, default=30.0)
    ap.add_argument("--n-samples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    parts: dict = {}
    for log in args.logs:
        parts.update(final_json(Path(log)))
    runs = " and ".join(f"`python bench/stylegan2.py --parts {p} --profile {args.profile} --no-write`" for p in parts)
    command = f"python bench/stylegan2_report.py {' '.join(Path(p).name for p in args.logs)} --profile {args.profile}"
    write(parts, args, command, threads=f"the parts run side by side ({runs}), 1 torch thread per process")


if __name__ == "__main__":
    main()
