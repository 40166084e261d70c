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
    ap.add_argument("--ada-target", type=float, default=None, help="the --ada-target the Fashion run used")
    ap.add_argument("--name", default="stylegan2", help="results/section name (and prefix of the sample grids)")
    args = ap.parse_args()
    parts: dict = {}
    for log in args.logs:
        parts.update(final_json(Path(log)))
    ada = f" --ada-target {args.ada_target}" if args.ada_target is not None else ""
    runs = " and ".join(f"`python bench/stylegan2.py --parts {p} --profile {args.profile}{ada if p == 'fashion' else ''} "
                        "--no-write`" for p in parts)
    command = (f"python bench/stylegan2_report.py {' '.join(Path(p).name for p in args.logs)} --profile {args.profile}{ada}"
               + (f" --name {args.name}" if args.name != "stylegan2" else ""))
    how = f"the parts run side by side ({runs})" if len(parts) > 1 else f"one process ({runs})"
    write(parts, args, command, threads=f"{how}, 1 torch thread per process", name=args.name)


if __name__ == "__main__":
    main()
