"""Opt-in speed features (``trainer.channels_last``, ``trainer.compile``,
``trainer.precision=bf16-mixed``) in real runs: they take effect during training, the run
ends ok with finite losses, and the checkpoint keeps its keys and loads in ``gan-sample``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import lightning.pytorch as pl
import torch

import ganforge
from ganforge.cli.sample import run_sample

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images", "points")

SMOKE = ["debug=smoke", "trainer.accelerator=cpu", "run.progress_bar=false", "run.report=false", "trainer.max_steps=3"]


class Probe(pl.Callback):
    """Records, at the first training batch, what the speed options did to the networks."""

    def __init__(self):
        self.seen: dict = {}

    def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
        if self.seen:
            return
        convs = [p for p in module.generator.parameters() if p.ndim == 4]
        self.seen = {
            # (a weight with one channel is both layouts at once, hence "any" for the second)
            "channels_last": bool(convs) and all(p.is_contiguous(memory_format=torch.channels_last) for p in convs)
            and any(not p.is_contiguous() for p in convs),
            "compiled": all(getattr(n, "_compiled_call_impl", None) is not None
                            for n in (module.generator, module.discriminator)),
            "ema_compiled": module.ema is not None and getattr(module.ema.shadow, "_compiled_call_impl", None) is not None,
            # whether each optimizer runs torch's fused Adam kernel (optim.fused)
            "fused": [bool(o.optimizer.defaults.get("fused")) for o in module.optimizers()],
            "precision": str(trainer.precision),
        }


def run(tmp_path: Path, name: str, overrides: list[str]) -> tuple[Path, Probe, dict]:
    cfg = ganforge.compose_config(overrides)
    probe = Probe()
    run_dir = tmp_path / name
    metrics = ganforge.train(cfg, run_dir, callbacks=[probe])
    assert json.loads((run_dir / "status.json").read_text())["status"] == "ok"
    return run_dir, probe, metrics


def keys(run_dir: Path) -> list[str]:
    return sorted(torch.load(run_dir / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)["state_dict"])


def test_channels_last_converts_the_conv_weights_and_the_checkpoint_is_unchanged(tmp_path):
    """DCGAN's config turns channels_last on; ``trainer.channels_last=false`` keeps NCHW; both checkpoints match."""
    base = ["domain=images", "model=dcgan", *SMOKE]
    plain_dir, plain, _ = run(tmp_path, "plain", [*base, "trainer.channels_last=false"])
    nhwc_dir, nhwc, metrics = run(tmp_path, "nhwc", base)
    assert plain.seen["channels_last"] is False and nhwc.seen["channels_last"] is True
    assert math.isfinite(float(metrics["train/loss/g"]))
    assert keys(nhwc_dir) == keys(plain_dir)
    assert len(run_sample([str(nhwc_dir), "n=2", f"out={tmp_path / 'gen'}"])) == 2


def test_bf16_mixed_precision_trains_on_the_cpu(tmp_path):
    run_dir, _, metrics = run(tmp_path, "bf16", ["domain=images", "model=dcgan", *SMOKE,
                                                 "trainer.precision=bf16-mixed"])
    assert metrics["g_step"] == 3
    assert all(math.isfinite(float(metrics[k])) for k in ("train/loss/g", "train/loss/d"))
    assert len(run_sample([str(run_dir), "n=2", f"out={tmp_path / 'gen'}"])) == 2


def test_precision_auto_is_bf16_mixed_exactly_where_the_cpu_has_bf16_arithmetic(tmp_path, monkeypatch, caplog):
    """``trainer.precision=auto`` (DCGAN's default): bf16-mixed on a CPU with AVX512-BF16 or AMX,
    32-true on one without (simulated by making torch's CPU probes answer no); the log says which."""
    base = ["domain=images", "model=dcgan", *SMOKE, "trainer.precision=auto"]
    for native in (True, False):
        for probe_name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
            monkeypatch.setattr(torch.cpu, probe_name, lambda answer=native: answer)
        caplog.clear()
        with caplog.at_level("INFO", logger="ganforge"):
            run_dir, probe, metrics = run(tmp_path, f"native_{native}", base)
        expected = "bf16-mixed" if native else "32-true"
        assert probe.seen["precision"] == expected
        assert f"trainer.precision=auto -> {expected}" in caplog.text
        assert all(math.isfinite(float(metrics[k])) for k in ("train/loss/g", "train/loss/d"))
    # the checkpoint of the bf16 run holds fp32 weights: it resumes and samples anywhere
    ckpt = torch.load(tmp_path / "native_True" / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)
    assert {v.dtype for v in ckpt["state_dict"].values() if v.is_floating_point()} == {torch.float32}


def test_dcgan_defaults_to_precision_auto():
    assert ganforge.compose_config(["domain=images", "model=dcgan"]).trainer.precision == "auto"


def test_compile_compiles_g_and_d_in_place_and_the_checkpoint_loads(tmp_path):
    base = ["domain=points", "model=mlp", *SMOKE]
    plain_dir, plain, _ = run(tmp_path, "plain", base)
    compiled_dir, compiled, metrics = run(tmp_path, "compiled", [*base, "trainer.compile=true"])
    assert plain.seen["compiled"] is False
    assert compiled.seen["compiled"] is True and compiled.seen["ema_compiled"] is False  # samples stay eager
    assert math.isfinite(float(metrics["train/loss/g"]))
    assert keys(compiled_dir) == keys(plain_dir)  # no _orig_mod. prefixes
    assert run_sample([str(compiled_dir), "n=2", f"out={tmp_path / 'gen'}"])


def test_fused_adam_is_the_cpu_default_and_optim_fused_false_turns_it_off(tmp_path):
    # optim.fused=auto picks torch's fused kernel on the CPU too (one kernel per step);
    # false keeps the per-tensor loop. StyleGAN2 builds its own (lazy-regularisation)
    # optimizers through AdversarialModule.build_optimizer, so the setting reaches them.
    _, probe, _ = run(tmp_path, "auto", ["domain=images", "model=dcgan", *SMOKE])
    assert probe.seen["fused"] == [True, True]
    _, probe, _ = run(tmp_path, "off", ["domain=images", "model=dcgan", "optim.fused=false", *SMOKE])
    assert probe.seen["fused"] == [False, False]
    _, probe, _ = run(tmp_path, "sg2", ["domain=images", "model=stylegan2", *SMOKE])
    assert probe.seen["fused"] == [True, True]


def test_a_resume_that_switches_channels_last_keeps_adam_moments_in_the_weights_layout(run_cli, tmp_path):
    """A run saved in NCHW, resumed with channels_last: Adam's restored moments must follow the weights
    into NHWC (torch's fused CPU Adam pairs a weight and its moments as flat memory, so moments left in
    the other layout would be updated against the wrong elements, silently)."""
    run_dir = tmp_path / "run"
    smoke = [s for s in SMOKE if not s.startswith("trainer.max_steps")]
    res = run_cli("gan-run", "domain=images", "model=dcgan", *smoke, "trainer.max_steps=2", "trainer.channels_last=false",
                  f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]

    def conv_moments() -> list[torch.Tensor]:
        ckpt = torch.load(run_dir / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)
        return [t for opt in ckpt["optimizer_states"] for st in opt["state"].values() for t in st.values()
                if torch.is_tensor(t) and t.ndim == 4 and t.shape[1] > 1 and t.shape[2] * t.shape[3] > 1]

    saved = conv_moments()
    assert saved and all(t.is_contiguous() for t in saved)  # saved in NCHW
    res = run_cli("gan-run", f"resume={run_dir}", "trainer.max_steps=3", "trainer.channels_last=true", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    moments = conv_moments()
    assert moments and all(t.is_contiguous(memory_format=torch.channels_last) and not t.is_contiguous()
                           for t in moments)
