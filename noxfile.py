"""Automation: ``nox -s tests`` (the README test command), ``lint``, ``wheel``, ``demo``, ``bench``.

Every session installs what it needs into its own virtual environment, so a fresh
clone needs nothing but Python 3.10+ and ``pip install nox``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

REPO = Path(__file__).parent
PLUGINS = sorted(str(p.parent.relative_to(REPO)) for p in (REPO / "plugins").glob("*/pyproject.toml"))
EXAMPLES = sorted(str(p.parent.relative_to(REPO)) for p in (REPO / "docs" / "examples").glob("*/pyproject.toml"))
TEST_DEPS = ["pytest>=8", "pytest-timeout>=2", "pytest-xdist>=3", "onnx>=1.15", "onnxruntime>=1.17", "nbclient>=0.10", "nbformat>=5.9", "ipykernel>=6.29",
             "mlflow-skinny>=2.10"]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True


def install_editable(session: nox.Session, *extra: str) -> None:
    """Core, every built-in plugin and the tutorial's example plugin, editable, in one resolve."""
    args = ["-e", ".[tensorboard,sweeps]"]
    for path in [*PLUGINS, *EXAMPLES]:
        args += ["-e", path]
    session.install(*args, *extra)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Install everything (editable) and run the whole test suite on the CPU."""
    install_editable(session, *TEST_DEPS)
    workers = os.environ.get("GANFORGE_TEST_WORKERS", "2")
    session.run(
        "pytest", "-n", workers, "--dist", "loadfile", "--timeout", "900", "-q", "-rs", *session.posargs,
        env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"},
    )


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over the whole tree."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")


@nox.session(python=PYTHON)
def wheel(session: nox.Session) -> None:
    """Build wheels of the core and every plugin, install them (not editable) and run a smoke job."""
    dist = Path(session.create_tmp()) / "dist"
    session.install("build")
    for path in [".", *PLUGINS]:
        session.run("python", "-m", "build", "--wheel", "--outdir", str(dist), path)
    wheels = sorted(str(p) for p in dist.glob("*.whl"))
    session.install(*wheels)
    workdir = Path(session.create_tmp()) / "run"
    workdir.mkdir(parents=True, exist_ok=True)
    with session.chdir(workdir):  # away from the source tree: only installed files are used
        session.run("python", "-c", "import ganforge, pathlib; assert 'site-packages' in ganforge.__file__, ganforge.__file__")
        session.run("gan-plugins")
        for domain in ("images", "audio", "poetry", "midi", "graphs", "oracle", "molecules"):
            session.run("gan-run", f"domain={domain}", "debug=smoke", "trainer.accelerator=cpu", f"hydra.run.dir=smoke-{domain}")
        session.run("gan-sample", "smoke-images", "n=4", "out=samples-images")


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The main job: DCGAN on the embedded digits (samples under outputs/images/dcgan/...)."""
    install_editable(session)
    session.run("gan-run", "domain=images", "model=dcgan", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Run the benchmark named in posargs (e.g. ``nox -s bench -- overhead``), or the overhead one."""
    install_editable(session)
    names = session.posargs or ["overhead"]
    for name in names:
        session.run("python", f"bench/{name}.py")
