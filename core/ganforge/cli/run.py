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
import sys
import traceback
from pathlib import Path
from typing import NoReturn

from ganforge.errors import GanforgeError

_FLAGS_WITH_VALUE = {"--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
                     "--config-dir", "-cd", "--experimental-rerun", "--shell-completion", "-sc"}


def fail(prog: str, exc: BaseException) -> NoReturn:
    """Print ``prog: error: <one line>`` to stderr and exit with status 2."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(2)


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


def _status_path(run_dir: Path) -> Path:
    return run_dir / "status.json"


def task(cfg) -> float | None:
    """The Hydra task: train one job; in sweeps a failing job is recorded, not fatal."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from ganforge.training import train
    from ganforge.utils import write_json_atomic

    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    sweeping = hc.mode == RunMode.MULTIRUN
    try:
        metrics = train(cfg, run_dir)
    except Exception as exc:  # noqa: BLE001 - record, then report as the mode requires
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        write_json_atomic(_status_path(run_dir), {"status": "failed", "error": f"{type(exc).__name__}: {line}"})
        if sweeping:
            print(f"gan-run: job {hc.job.num} failed: {line}", file=sys.stderr)
            traceback.print_exc()
            return float("nan")
        if isinstance(exc, GanforgeError):
            fail("gan-run", exc)
        raise
    write_json_atomic(_status_path(run_dir), {"status": "ok"})
    from ganforge.callbacks import resolve_monitor

    key = resolve_monitor(cfg.run.get("monitor"), metrics)
    value = metrics.get(key) if key else None
    return float(value) if value is not None and math.isfinite(float(value)) else None


def _hydra_entry() -> None:
    import hydra

    from ganforge.config import HYDRA_VERSION_BASE, PRIMARY_CONFIG_MODULE, PRIMARY_CONFIG_NAME

    hydra.main(
        config_path=f"pkg://{PRIMARY_CONFIG_MODULE}",
        config_name=PRIMARY_CONFIG_NAME,
        version_base=HYDRA_VERSION_BASE,
    )(task)()


def main() -> None:
    """Console entry point."""
    from ganforge.cli.arguments import prepare_overrides
    from ganforge.config import register_plugin_search_path

    flags, overrides = split_argv(sys.argv[1:])
    if {"-h", "--help"} & set(flags) and not any(o.startswith("domain=") for o in overrides):
        from ganforge.registry import get_registry

        print(__doc__)
        print("installed domains:", ", ".join(get_registry().names()) or "none")
        return
    try:
        overrides = prepare_overrides(overrides)
    except GanforgeError as exc:
        fail("gan-run", exc)
    register_plugin_search_path()
    sys.argv = [sys.argv[0], *flags, *overrides]
    _hydra_entry()


if __name__ == "__main__":
    main()
