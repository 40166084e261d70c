"""StyleGAN2 training: lazy R1 and path-length terms against hand-computed values, the lazy
schedule and EMA half-life in a real smoke run, and gan-sample's truncation / mixing /
interpolation files read back."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
import torch
from PIL import Image
from torch import nn

from ganforge import load_module
from ganforge.errors import GanforgeError
from ganforge.testing import assert_run_layout, compose_smoke, run_smoke, sample_files
from ganforge_images.domain import ImagesDomain


def smoke_module(*overrides: str):
    cfg = compose_smoke("images", "stylegan2", list(overrides))
    return ImagesDomain().make_module(cfg, {"size": 16, "channels": 1})


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("stylegan2")
    run_smoke("images", "stylegan2", run)
    return run


class SquareCritic(nn.Module):
    """D(x) = sum(c * x^2): grad = 2 c x, so ||grad||^2 = 4 c^2 sum(x^2)."""

    def __init__(self, c: float):
        super().__init__()
        self.c = nn.Parameter(torch.tensor(c))

    def forward(self, x):
        return (self.c * x.square()).flatten(1).sum(1, keepdim=True)


class LinearSynthesis(nn.Module):
    """img = ws.flatten() @ M, so J^T y = M y per sample."""

    def __init__(self, num_ws: int, w_dim: int, side: int):
        super().__init__()
        self.num_ws, self.side = num_ws, side
        self.m = nn.Parameter(torch.randn(num_ws * w_dim, side * side))

    def forward(self, ws):
        return (ws.flatten(1) @ self.m).reshape(-1, 1, self.side, self.side)


class LinearGenerator(nn.Module):
    def __init__(self, num_ws: int, w_dim: int, side: int):
        super().__init__()
        self.num_ws = num_ws
        self.scale = nn.Parameter(torch.tensor(2.0))  # a "mapping network" parameter: ws require grad
        self.synthesis = LinearSynthesis(num_ws, w_dim, side)

    def styles(self, z, truncation_psi=1.0, style_mixing=0.0):
        return (z * self.scale).unsqueeze(1).repeat(1, self.num_ws, 1)


def test_lazy_r1_matches_the_hand_computed_value():
    module = smoke_module("model.r1_gamma=3.0", "model.r1_interval=16")
    module.discriminator = SquareCritic(0.7)
    real = torch.randn(5, 1, 4, 4)
    loss, r1 = module.r1_loss(real)
    expected_r1 = (4 * 0.7**2 * real.flatten(1).square().sum(1)).mean()
    torch.testing.assert_close(r1, expected_r1)
    torch.testing.assert_close(loss, expected_r1 * 3.0 / 2 * 16)  # gamma/2, times the lazy interval
    loss.backward()  # differentiable w.r.t. D's parameters (double backward)
    torch.testing.assert_close(module.discriminator.c.grad, 2 * 0.7 * (expected_r1 / 0.7**2) * 1.5 * 16)


def test_lazy_path_length_matches_the_hand_computed_value():
    module = smoke_module("model.pl_weight=2.0", "model.pl_interval=4", "model.pl_decay=0.01")
    num_ws, w_dim, side = 3, 32, 4
    module.generator = LinearGenerator(num_ws, w_dim, side)
    module.pl_mean.fill_(0.5)
    torch.manual_seed(123)
    loss, lengths = module.path_length_loss(6)
    torch.manual_seed(123)
    z = torch.randn(6, module.latent_dim)
    y = torch.randn(6, 1, side, side) / math.sqrt(side * side)
    m = module.generator.synthesis.m.detach()
    grads = (y.flatten(1) @ m.T).reshape(6, num_ws, w_dim)  # J^T y
    expected_lengths = grads.square().sum(2).mean(1).sqrt()
    torch.testing.assert_close(lengths, expected_lengths)
    expected_mean = 0.5 + 0.01 * (expected_lengths.mean() - 0.5)
    torch.testing.assert_close(module.pl_mean, expected_mean)
    expected_loss = (expected_lengths - expected_mean).square().mean() * 2.0 * 4
    torch.testing.assert_close(loss, expected_loss)
    assert z.shape == (6, 32)


def test_ema_decay_is_the_half_life_in_images():
    module = smoke_module()  # smoke batch 8, ema_kimg 10
    module.build_ema()
    assert module.ema.decay == pytest.approx(0.5 ** (8 / 10_000))
    fallback = smoke_module("model.ema_kimg=0", "ema.decay=0.9")
    fallback.build_ema()
    assert fallback.ema.decay == pytest.approx(0.9)
    src = module.generator
    with torch.no_grad():
        for p in src.parameters():
            p.add_(1.0)
    before = [p.clone() for p in module.ema.shadow.parameters()]
    module.ema.update(src, step=1)  # no warm-up: the constant decay from the first step
    beta = module.ema.decay
    for b, s, p in zip(before, module.ema.shadow.parameters(), src.parameters()):
        torch.testing.assert_close(s, beta * b + (1 - beta) * p)


def test_optimizers_compensate_for_lazy_regularisation():
    module = smoke_module("model.r1_interval=16", "model.pl_interval=4")
    opt_g, opt_d = module.configure_optimizers()
    assert opt_g.param_groups[0]["lr"] == pytest.approx(0.002 * 4 / 5)
    assert opt_d.param_groups[0]["lr"] == pytest.approx(0.002 * 16 / 17)
    assert opt_d.param_groups[0]["betas"] == pytest.approx((0.0, 0.99 ** (16 / 17)))


def test_smoke_run_applies_r1_and_path_length_lazily(run_dir):
    assert_run_layout(run_dir)
    with open(run_dir / "logs" / "metrics.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("loss/g")]
    # smoke: r1_interval = pl_interval = 2 -> the regularisers run at generator steps 0 and 2,
    # logged at steps 1 and 3 (log_every 1), never at 2 and 4
    by_step = {int(r["step"]): r for r in rows}
    assert set(by_step) >= {1, 2, 3, 4}
    for step, expect in ((1, True), (2, False), (3, True), (4, False)):
        assert bool(by_step[step].get("loss/r1")) is expect, step
        assert bool(by_step[step].get("loss/pl")) is expect, step
    _, module = load_module(run_dir)
    assert float(module.pl_mean) > 0  # the running path length was tracked and checkpointed
    assert float(module.ema.shadow.mapping.w_avg.abs().sum()) > 0


def image_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as im:
        return im.size


def test_gan_sample_truncation_mixing_and_interpolation(run_dir, tmp_path):
    files = sample_files(run_dir, tmp_path / "psi", n=3, options=["truncation=0.5"])
    assert len(files) == 3 and all(image_size(f) == (16, 16) for f in files)
    mean_files = sample_files(run_dir, tmp_path / "mean", n=3, options=["truncation=0", "noise=const"])
    pixels = [Image.open(f).tobytes() for f in mean_files]
    assert pixels[0] == pixels[1] == pixels[2]  # psi = 0: every z gives the mean image
    (sheet,) = sample_files(run_dir, tmp_path / "mix", n=1, options=["mixing=2x3"])
    assert sheet.name == "mixing.png" and image_size(sheet) == (4 * 18 + 2, 3 * 18 + 2)  # (cols+1) x (rows+1), padding 2
    interp = sample_files(run_dir, tmp_path / "interp", n=2, options=["interpolate=5"])
    assert interp[0].name == "interpolation.png" and image_size(interp[0]) == (5 * 18 + 2, 2 * 18 + 2)
    assert len(interp) == 1 + 2 * 5
    for bad, text in ((["mixing=3"], "mixing=3: expected ROWSxCOLS"), (["truncation=x"], "truncation=x"),
                      (["interpolate=1"], "interpolate=1"), (["mixing=2x2", "styles=fine"], "styles=fine"),
                      (["noise=loud"], "noise=loud"), (["styles=coarse"], "only applies to a mixing sheet")):
        with pytest.raises(GanforgeError, match=text):
            sample_files(run_dir, tmp_path / "bad", n=1, options=bad)


def test_mixing_sheet_cells_take_coarse_styles_from_the_row_source(run_dir):
    _, module = load_module(run_dir)
    g = module.sampling_generator()
    torch.manual_seed(0)
    sheet = module.mixing_sheet(2, 2, psi=1.0, styles="coarse")
    torch.manual_seed(0)
    w_cols, w_rows = g.mapping(module.sample_noise(2)), g.mapping(module.sample_noise(2))
    coarse = torch.tensor([r <= 8 for r in g.synthesis.ws_resolution])
    ws = w_cols[1].clone()
    ws[coarse] = w_rows[0][coarse]
    cell = g.synthesis(ws[None], "const")
    torch.testing.assert_close(sheet[1 * 3 + 2], cell[0])  # row 1 (first row source), column 2 (second column source)
    torch.testing.assert_close(sheet[2], g.synthesis(w_cols[1:2], "const")[0])  # top row: column sources


def test_ema_rampup_caps_the_half_life_at_a_share_of_the_images_seen():
    # the official code's ema_rampup: half-life = min(ema_kimg * 1000, rampup * images seen)
    module = smoke_module("model.ema_rampup=0.05")  # smoke batch 8, ema_kimg 10
    module.build_ema()
    ema = module.ema
    assert ema.decay_at(100) == pytest.approx(0.5 ** (8 / (0.05 * 800)))  # 40-image half-life
    assert ema.decay_at(100) < ema.decay_at(1000) < ema.decay
    assert ema.decay_at(25_000) == pytest.approx(0.5 ** (8 / 10_000))  # 10k images: capped by ema_kimg
    assert ema.decay_at(0) == 0.0  # nothing seen yet: follow the generator
    without = smoke_module()
    without.build_ema()
    assert without.ema.decay_at(100) == without.ema.decay  # config F: constant from the first step
    for bad in ("abc", "0", "1.5"):
        with pytest.raises(GanforgeError, match=rf"model.ema_rampup={bad}: expected a share of the images seen"):
            smoke_module(f"model.ema_rampup={bad}")
