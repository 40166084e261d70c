"""``gan-sample <run dir or checkpoint> n=64 out=DIR [seed=0] [checkpoint=last|best] [device=cpu] [opts]``.

Writes one file per sample from a trained model, without its data set. Any further
``key=value`` pairs are domain options (e.g. ``label=7``, ``direction=AtoB``,
``input=DIR``); ``gan-plugins`` and the domain docs list them.

For models with a continuous latent: ``interpolate=K`` writes ``n`` interpolation paths
of ``K`` steps (an image sheet with one path per row; for audio a WAV per path, its
clips in sequence), ``truncation=PSI`` redraws latent entries beyond ``PSI`` (the
truncation trick; StyleGAN2 truncates in w space instead).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ganforge.cli.run import fail
from ganforge.errors import GanforgeError

USAGE = "usage: gan-sample <run dir | checkpoint.ckpt> [n=64] [out=DIR] [seed=0] [checkpoint=last|best] [device=cpu] [interpolate=K] [truncation=PSI] [domain options]"


HELP = f"""{USAGE}

Writes one file per sample from a trained run, without its data set.

  <run dir>          a directory written by gan-run (uses checkpoints/<checkpoint>.ckpt)
  n=64               number of samples
  out=DIR            output folder (default: <run dir>/generated), created once the
                     options are checked
  seed=0             the same seed gives the same samples
  checkpoint=last    last | best (best.ckpt is kept by run.monitor)
  device=cpu         cpu | cuda | cuda:N

Domain options (e.g. label=7 for cgan, direction=BtoA input=DIR for cyclegan) are
listed per domain by gan-plugins and in docs/domains/."""


def parse_args(argv: list[str]) -> tuple[str, dict[str, str]]:
    """Split ``argv`` into the model path and ``key=value`` options."""
    if not argv:
        raise GanforgeError(f"no run directory given ({USAGE})")
    path, opts = argv[0], {}
    for item in argv[1:]:
        if "=" not in item:
            raise GanforgeError(f"argument '{item}': expected key=value ({USAGE})")
        key, value = item.split("=", 1)
        opts[key.strip()] = value.strip()
    return path, opts


def run_sample(argv: list[str]) -> list[Path]:
    """Implementation of ``gan-sample`` (returns the written files)."""
    import torch

    from ganforge._internal.loading import load_module
    from ganforge.utils import seeded

    path, opts = parse_args(argv)
    try:
        n = int(opts.pop("n", 64))
        seed = int(opts.pop("seed", 0))
    except ValueError as exc:
        raise GanforgeError(f"n and seed must be integers ({exc})") from None
    if n < 1:
        raise GanforgeError(f"n={n}: expected a positive number of samples")
    which = opts.pop("checkpoint", "last")
    device = opts.pop("device", "cpu")
    out = Path(opts.pop("out", Path(path) / "generated" if Path(path).is_dir() else "generated"))
    plugin, module = load_module(path, which=which, map_location=device)
    plugin.check_sample_options(opts, module)  # before out= exists: a bad option leaves no folder behind
    module.to(torch.device(device))
    out.mkdir(parents=True, exist_ok=True)
    with seeded(seed, device):
        files = generate_files(plugin, module, n, out, opts)
    return files


def generate_files(plugin, module, n: int, out: Path, opts: dict[str, str]) -> list[Path]:
    """``interpolate=K`` / ``truncation=PSI`` through the latent (ganforge.generation),
    unless the model implements them itself (listed in its ``SAMPLE_OPTIONS``); then the
    plugin's ``sample_to_files``."""
    from ganforge.generation import interpolation_latents, latent_override, parse_psi, parse_steps, truncate

    # a model's own SAMPLE_OPTIONS are exact; a domain's sample_options may be the union over its models
    own = getattr(module, "SAMPLE_OPTIONS", None)
    native = set(own if own is not None else plugin.sample_options())
    steps = parse_steps(opts.pop("interpolate")) if "interpolate" in opts and "interpolate" not in native else None
    psi = parse_psi(opts.pop("truncation")) if "truncation" in opts and "truncation" not in native else None

    def draw_with(original):
        return (lambda k: truncate(original, k, psi)) if psi is not None else original

    if steps is not None:
        option = f"interpolate={steps}"

        def make(original, count):
            return interpolation_latents(draw_with(original), max(count // steps, 1), steps)

        with latent_override(module, make, option):
            samples = module.sample(n * steps, **opts)
        return plugin.export_interpolation(samples, out, "interpolation", steps)
    if psi is not None:
        with latent_override(module, lambda original, count: truncate(original, count, psi), f"truncation={psi:g}"):
            return plugin.sample_to_files(module, n, out, opts)
    return plugin.sample_to_files(module, n, out, opts)


def main() -> None:
    """Console entry point."""
    from ganforge.cli.quiet import quiet_known_noise

    quiet_known_noise()
    if {"-h", "--help"} & set(sys.argv[1:2]):
        print(HELP)
        return
    try:
        files = run_sample(sys.argv[1:])
    except GanforgeError as exc:
        fail("gan-sample", exc)
    print(f"wrote {len(files)} file(s) to {files[0].parent if files else '-'}")


if __name__ == "__main__":
    main()
