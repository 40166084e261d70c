"""``gan-new-plugin NAME``: scaffold a domain plugin package that passes the conformance suite.

The template (``scaffold/template``) is a complete small plugin -- rows of numbers from
CSV, an MLP GAN, CSV/scatter-plot export, an energy-distance metric, its config groups
and a conformance test -- so a new domain starts from something that trains, samples and
tests, and is then changed piece by piece (docs/writing-a-plugin.md).
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np

from ganforge.errors import GanforgeError

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


def render(text: str, name: str) -> str:
    """Fill the template placeholders for plugin ``name``."""
    camel = "".join(part.capitalize() for part in name.split("_"))
    return text.replace("{{package}}", f"ganforge_{name}").replace("{{Name}}", camel).replace("{{name}}", name)


def ring_of_gaussians(n: int = 2000, modes: int = 8, radius: float = 2.0, std: float = 0.05, seed: int = 0) -> np.ndarray:
    """The classic 2-D GAN toy data: ``modes`` Gaussians evenly spaced on a circle."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * rng.integers(0, modes, n) / modes
    centers = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    return centers + rng.normal(0.0, std, size=(n, 2))


def scaffold(name: str, parent: Path) -> Path:
    """Write the plugin package ``ganforge-<name>`` under ``parent``; returns its folder."""
    if not NAME_RE.match(name):
        raise GanforgeError(f"plugin name '{name}': expected lowercase letters, digits and '_' (2-31 chars, starting with a letter)")
    target = parent / f"ganforge-{name}"
    if target.exists():
        raise GanforgeError(f"{target} already exists; choose another name or folder")
    template = files("ganforge.scaffold").joinpath("template")
    root = Path(str(template))
    for src in sorted(root.rglob("*.tmpl")):
        rel = src.relative_to(root).as_posix()[: -len(".tmpl")]
        rel = rel.replace("PACKAGE", f"ganforge_{name}").replace("NAME", name)
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(render(src.read_text(), name))
    data = ring_of_gaussians()
    csv_path = target / "src" / f"ganforge_{name}" / "default.csv"
    csv_path.write_text("x,y\n" + "\n".join(f"{x:.5f},{y:.5f}" for x, y in data) + "\n")
    return target


def main() -> None:
    """Console entry point."""
    parser = argparse.ArgumentParser(prog="gan-new-plugin", description=__doc__.splitlines()[0])
    parser.add_argument("name", help="domain name (lowercase identifier), e.g. points")
    parser.add_argument("--dir", default=".", help="parent folder for ganforge-<name> (default: .)")
    args = parser.parse_args()
    try:
        target = scaffold(args.name, Path(args.dir))
    except GanforgeError as exc:
        print(f"gan-new-plugin: error: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"created {target}\nnext: pip install -e {target} && gan-run domain={args.name} debug=smoke && pytest {target}/tests")


if __name__ == "__main__":
    main()
