"""``gan-run``: compose a config with Hydra and train (``-m`` for sweeps).

Examples::

    gan-run domain=images model=dcgan
    gan-run domain=audio model=wavegan trainer.max_steps=2000 data.path=~/drums
    gan-run -m domain=images model=dcgan,wgan-gp optim.lr_g=1e-4,2e-4 seed=0,1
    gan-run resume=outputs/images/dcgan/2026-11-22_10-00-00 trainer.max_steps=5000
    gan-run domain=images debug=smoke          # check an install in under a minute
    gan-run domain=images --cfg job            # print the composed config
"""

from __future__ import annotations

import math
import signal
import sys
import traceback
from pathlib import Path
from typing import NoReturn

from ganforge.errors import GanforgeError, exit_with_error

_FLAGS_WITH_VALUE = {"--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
                     "--config-dir", "-cd", "--experimental-rerun", "--shell-completion", "-sc"}


def fail(prog: str, exc: BaseException) -> NoReturn:
    """Print ``prog: error: <one line>`` to stderr and exit with status 2."""
    exit_with_error(prog, exc)


def split_argv(argv: list[str]) -> tuple[list[str], list[str]]:
    """Separate Hydra's command-line flags from config overrides."""
    flags, overrides, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        if arg in _FLAGS_WITH_VALUE and i + 1 < len(argv):
            flags += [arg, argv[i + 1]]
            i += 2
            continue
        if arg in ("--info", "-i"):
            flags.append(arg)
            if i + 1 < len(argv) and "=" not in argv[i + 1] and not argv[i + 1].startswith("-"):
                flags.append(argv[i + 1])
                i += 1
        elif arg.startswith("-"):
            flags.append(arg)
        else:
            overrides.append(arg)
        i += 1
    return flags, overrides


#: exit status of a run stopped by the divergence guard (2 is a usage/config error)
EXIT_DIVERGED = 3

_NO_RUN_FLAGS = {"-m", "--multirun", "--cfg", "-c", "--info", "-i", "--help", "-h", "--shell-completion", "-sc",
                 "--experimental-rerun", "--hydra-help", "--version"}


def claim_run_dir(flags: list[str], overrides: list[str]) -> None:
    """Before Hydra writes anything: lock an explicitly named run directory
    (``hydra.run.dir=``, which ``resume=`` sets), or check that the default ``outputs/``
    can be created. A directory in use, unwritable or impossible is one line
    (:class:`~ganforge.errors.GanforgeError`); the lock is released at exit."""
    if _NO_RUN_FLAGS & set(flags):
        return
    import atexit
    import os

    from ganforge._internal.runlock import RunLock
    from ganforge.utils import storage_error

    named = [o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0] == "hydra.run.dir"]
    if not named or "$" in named[-1]:
        base = Path(os.getcwd()) / "outputs"
        try:
            base.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, base, "cannot create the run directory under") from None
        return
    lock = RunLock(named[-1]).acquire()
    atexit.register(lock.release)


def _new_resume_overrides(hc, run_dir: Path) -> list[str]:
    """The overrides given on this resume's command line (``resume_overrides`` puts the
    run's saved ones first, in the same order)."""
    from ganforge.cli.arguments import saved_run_overrides

    task_overrides = [o for o in hc.overrides.task if not o.split("=", 1)[0].lstrip("+~") == "resume"]
    return task_overrides[len(saved_run_overrides(run_dir)):]


def _validate_job(cfg, task_overrides) -> None:
    """Check one composed job against the typed schemas (as ``main`` does up front)."""
    from ganforge._internal.registry import get_registry
    from ganforge.schema import validate_config

    registry = get_registry()
    domain = cfg.domain.name if "domain" in cfg else None
    added = [o for o in task_overrides if o.startswith("+") and not o.startswith("++")]
    validate_config(cfg, registry.get(domain) if domain in registry.names() else None, added)


def task(cfg) -> float | None:
    """The Hydra task: train one job; in sweeps a failing job is recorded, not fatal.

    Exit statuses: 0 ok, 2 a one-line error (bad input, storage), 3 diverged, 128+N
    stopped by signal N (143 SIGTERM, 130 SIGINT) after saving ``last.ckpt``.
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from ganforge._internal import interrupts
    from ganforge._internal.guard import Diverged
    from ganforge._internal.runstatus import write_status
    from ganforge._internal.training import train

    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    sweeping = hc.mode == RunMode.MULTIRUN
    resuming = bool(cfg.get("resume"))
    interrupts.install()
    try:
        if sweeping:  # jobs past the up-front check, or values a search sweeper chose
            _validate_job(cfg, hc.overrides.task)
        new = _new_resume_overrides(hc, run_dir) if resuming else None
        metrics = train(cfg, run_dir, resume_overrides=new)
    except interrupts.RunInterrupted as exc:
        if not getattr(exc, "ganforge_status_written", False) and not resuming:
            write_status(run_dir, "interrupted", signal=signal.Signals(exc.signum).name, error=str(exc))
        # in a sweep as well: the scheduler asked the whole command to stop
        print(f"gan-run: {exc}; continue with: gan-run resume={run_dir}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - record, then report as the mode requires
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # a resume rejected before it started leaves the run's status as it was
        if not getattr(exc, "ganforge_status_written", False) and not resuming:
            write_status(run_dir, "failed", error=f"{type(exc).__name__}: {line}")
        if sweeping:
            print(f"gan-run: job {hc.job.num} failed: {line}", file=sys.stderr)
            if not isinstance(exc, (GanforgeError, Diverged)):
                traceback.print_exc()
            return float("nan")
        if isinstance(exc, Diverged):
            print(f"gan-run: error: {line}", file=sys.stderr)
            sys.exit(EXIT_DIVERGED)
        if isinstance(exc, GanforgeError):
            fail("gan-run", exc)
        raise
    finally:
        interrupts.uninstall()
    from ganforge._internal.callbacks import resolve_monitor

    key = resolve_monitor(cfg.run.get("monitor"), metrics)
    value = metrics.get(key) if key else None
    return float(value) if value is not None and math.isfinite(float(value)) else None


def _hydra_entry() -> None:
    import hydra

    from ganforge._internal.config import HYDRA_VERSION_BASE, PRIMARY_CONFIG_MODULE, PRIMARY_CONFIG_NAME

    hydra.main(
        config_path=f"pkg://{PRIMARY_CONFIG_MODULE}",
        config_name=PRIMARY_CONFIG_NAME,
        version_base=HYDRA_VERSION_BASE,
    )(task)()
    from ganforge._internal import sweeps

    if sweeps.LAST_RESULT is not None and not sweeps.LAST_RESULT.ok:
        sys.exit(1)  # a sweep with a failed job is a failed command (the summary says which)


GANFORGE_KEYS_HELP = """ganforge's own keys (key=value on the command line):
  domain=NAME        what to generate: one of the installed domains below (required)
  model=NAME         the domain's model (default: the first listed for the domain)
  data.path=PATH     your own data (a folder or file); null = the domain's embedded default
  trainer.max_steps  generator updates to train (null: until every phase has finished)
  resume=RUN_DIR     continue a run from its checkpoints/last.ckpt in the same directory
  debug=smoke        a tiny run of every phase (under a minute on a CPU) to check an install
  seed=N             the random seed (same seed, same run)
  -m                 sweep: comma lists (model=dcgan,wgan-gp seed=0,1) run one job each
                     under multirun/<date_time>/ with summary.csv/md; exit 1 if a job failed
"""

HYDRA_FLAGS_HELP = """Hydra's generic options:
  --cfg job|hydra|all   print the composed config instead of running (--resolve resolves it)
  --info [defaults-tree|searchpath|config]   how the config was composed
  -m, --multirun        run a sweep (also search=optuna, launcher=joblib|slurm)
  hydra.run.dir=DIR     where the run writes (default outputs/<domain>/<model>/<date_time>)
  --hydra-help          Hydra's own help
Add domain=NAME to --help to see that domain's full config."""


def help_text() -> str:
    """``gan-run --help``: usage, ganforge's keys and the installed domains with their models."""
    from ganforge._internal.registry import get_registry

    registry = get_registry()
    lines = [__doc__.strip(), "", GANFORGE_KEYS_HELP, "installed domains (models, default first):"]
    for name in registry.names():
        plugin = registry.get(name)
        models = [plugin.default_model, *sorted(m for m in plugin.models if m != plugin.default_model)]
        lines.append(f"  {name:<10} {', '.join(models)}")
    if not registry.names():
        lines.append("  none - install a ganforge plugin")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Console entry point (Ctrl-C before training starts is one line, exit 130; once
    training runs, ganforge's own handler saves a checkpoint first)."""
    try:
        _main()
    except KeyboardInterrupt:
        print("gan-run: interrupted", file=sys.stderr)
        sys.exit(130)


def _main() -> None:
    from ganforge._internal.config import register_plugin_search_path
    from ganforge.cli.arguments import prepare_overrides
    from ganforge.cli.quiet import quiet_known_noise
    from ganforge.cli.validation import validate_command

    quiet_known_noise()
    flags, overrides = split_argv(sys.argv[1:])
    if {"-h", "--help"} & set(flags):
        print(help_text())
        if not any(o.startswith("domain=") for o in overrides):
            print(HYDRA_FLAGS_HELP)
            return
        # with a domain, Hydra's help follows: the composed config (conf/config.yaml's hydra.help)
    try:
        overrides = prepare_overrides(overrides)
        if not {"--info", "-i", "--shell-completion", "-sc"} & set(flags):
            register_plugin_search_path()
            validate_command(overrides, multirun=bool({"-m", "--multirun"} & set(flags)))
        claim_run_dir(flags, overrides)  # lock / check the run dir before Hydra writes there
    except GanforgeError as exc:
        fail("gan-run", exc)
    register_plugin_search_path()
    sys.argv = [sys.argv[0], *flags, *overrides]
    _hydra_entry()


if __name__ == "__main__":
    main()
