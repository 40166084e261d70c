"""``gan-export RUN_DIR format=torchscript|onnx [out=FILE] [checkpoint=last|best] [opts]``.

Writes the trained generator alone -- no discriminator, optimiser state or ganforge
import needed to run it -- as TorchScript (``torch.jit.load``) or ONNX (onnxruntime,
any ONNX runtime), and verifies the file before reporting success: the export is loaded
back and run on fresh inputs, and its outputs must match PyTorch's within tolerance.
A JSON file beside it records the inputs (names, shapes, dtypes, the latent's
distribution), the output shape and the measured difference.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import torch

from ganforge.cli.run import fail
from ganforge.errors import GanforgeError

USAGE = "usage: gan-export <run dir | checkpoint.ckpt> format=torchscript|onnx [out=FILE] [checkpoint=last|best] [domain options]"
FORMATS = {"torchscript": ".pt", "onnx": ".onnx"}
#: agreement required between the export and PyTorch (float32 on the CPU)
ATOL, RTOL = 1e-4, 1e-3


def parse_args(argv: list[str]) -> tuple[str, dict[str, str]]:
    """The model path and ``key=value`` options."""
    if not argv or argv[0] in ("-h", "--help"):
        raise GanforgeError(USAGE)
    opts = {}
    for item in argv[1:]:
        key, sep, value = item.partition("=")
        if not sep:
            raise GanforgeError(f"argument '{item}': expected key=value ({USAGE})")
        opts[key.strip()] = value.strip()
    return argv[0], opts


class _Flat(torch.nn.Module):
    """Calls the generator with positional tensors only (what tracing and ONNX take)."""

    def __init__(self, net: torch.nn.Module):
        super().__init__()
        self.net = net

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        out = self.net(*inputs)
        if not isinstance(out, torch.Tensor):
            raise GanforgeError(f"gan-export: the generator returns {type(out).__name__}; expected one tensor")
        return out


def _inputs(plugin: Any, module: Any, n: int, seed: int, options: dict) -> tuple[torch.nn.Module, tuple]:
    from ganforge.utils import seeded

    with seeded(seed):
        net, inputs = plugin.generator_for_export(module, n, dict(options))
    return _Flat(net.eval()), tuple(inputs)


def export_torchscript(net: torch.nn.Module, inputs: tuple, out: Path) -> None:
    """Trace ``net`` on ``inputs`` and save it (tracing, not scripting: generators are
    plain feed-forward graphs, and tracing accepts any Python that builds them)."""
    with torch.no_grad(), warnings.catch_warnings():
        # TorchScript is deprecated in favour of torch.export, but it is still what
        # C++/LibTorch and most serving stacks load; the warning says nothing to the user
        warnings.simplefilter("ignore", FutureWarning)
        # input checks inside the networks become constants in the trace; the export is
        # verified below on fresh inputs of another batch size instead
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(net, inputs, check_trace=False)
    traced.save(str(out))


def export_onnx(net: torch.nn.Module, inputs: tuple, out: Path) -> None:
    """ONNX with a dynamic batch dimension (opset 17: every op the built-in generators use)."""
    names = [f"input_{i}" for i in range(len(inputs))]
    axes = {name: {0: "batch"} for name in names} | {"output": {0: "batch"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(net, inputs, str(out), input_names=names, output_names=["output"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)


def run_export(fmt: str, out: Path, inputs: tuple) -> torch.Tensor:
    """Run the written file on ``inputs`` the way a user of the file would."""
    if fmt == "torchscript":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            loaded = torch.jit.load(str(out), map_location="cpu")
        with torch.no_grad():
            return loaded(*inputs)
    try:
        import onnxruntime
    except ImportError:
        raise GanforgeError("format=onnx needs onnxruntime to verify the export: pip install 'ganforge[onnx]'") from None
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    feeds = {i.name: x.cpu().numpy() for i, x in zip(session.get_inputs(), inputs)}
    return torch.from_numpy(session.run(None, feeds)[0])


def export_generator(argv: list[str]) -> tuple[Path, dict]:
    """Implementation of ``gan-export``: returns the written file and its description."""
    from ganforge._internal.loading import load_module

    path, opts = parse_args(argv)
    fmt = opts.pop("format", None)
    if fmt not in FORMATS:
        raise GanforgeError(f"format={fmt}: expected one of {list(FORMATS)} ({USAGE})")
    which = opts.pop("checkpoint", "last")
    default_out = (Path(path) if Path(path).is_dir() else Path(path).parent) / "export" / f"generator{FORMATS[fmt]}"
    out = Path(opts.pop("out", default_out))
    plugin, module = load_module(path, which=which, map_location="cpu")
    module.to(torch.device("cpu"))
    model = module.settings.model.name or type(module).__name__
    try:
        net, inputs = _inputs(plugin, module, 2, 0, opts)
        with torch.no_grad():
            net(*inputs)
    except GanforgeError:
        raise
    except Exception as exc:  # noqa: BLE001 - say which model, in one line
        raise GanforgeError(f"the generator of model '{model}' (domain '{plugin.name}') cannot run on "
                            f"example inputs ({type(exc).__name__}: {exc})") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        (export_torchscript if fmt == "torchscript" else export_onnx)(net, inputs, out)
    except GanforgeError:
        raise
    except Exception as exc:  # noqa: BLE001
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GanforgeError(f"model '{model}' could not be exported as {fmt} ({type(exc).__name__}: {line})") from None
    # verify on fresh inputs of another batch size: a different draw, and the batch axis is free
    _, check = _inputs(plugin, module, 5, 1, dict(opts))
    with torch.no_grad():
        expected = net(*check)
    got = run_export(fmt, out, check)
    diff = float((got.float() - expected.float()).abs().max()) if got.shape == expected.shape else float("inf")
    if got.shape != expected.shape or not torch.allclose(got.float(), expected.float(), atol=ATOL, rtol=RTOL):
        raise GanforgeError(f"{out} does not reproduce the generator (shape {tuple(got.shape)} vs "
                            f"{tuple(expected.shape)}, max |diff| {diff:.3g}); not a usable export")
    info = {
        "format": fmt, "domain": plugin.name, "model": model, "checkpoint": which,
        "inputs": [{"name": f"input_{i}", "shape": ["batch", *x.shape[1:]], "dtype": str(x.dtype).replace("torch.", "")}
                   for i, x in enumerate(check)],
        "latent": "module.sample_noise" if len(check) == 1 and check[0].is_floating_point() else "see the domain docs",
        "output_shape": ["batch", *expected.shape[1:]],
        "verified_max_abs_diff": diff, "tolerance": {"atol": ATOL, "rtol": RTOL},
    }
    out.with_suffix(".json").write_text(json.dumps(info, indent=2) + "\n")
    return out, info


def main() -> None:
    """Console entry point."""
    try:
        out, info = export_generator(sys.argv[1:])
    except GanforgeError as exc:
        fail("gan-export", exc)
    print(f"wrote {out} ({info['format']}, {info['model']}); verified: max |diff| {info['verified_max_abs_diff']:.2g} "
          f"vs PyTorch on {len(info['inputs'])} input(s)")


if __name__ == "__main__":
    main()
