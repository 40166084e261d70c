"""StyleGAN2 (Karras et al. 2020, config F) as a ganforge model: ``gan-run domain=images model=stylegan2``.

Training follows the official implementation (stylegan2-ada-pytorch, ``cfg=stylegan2``):

* non-saturating logistic loss; style mixing regularisation (probability ``model.style_mixing``, 0.9);
* lazy R1: every ``model.r1_interval`` (16) D steps a separate D step on
  ``gamma/2 * E||grad D(x_real)||^2 * interval``;
* lazy path-length regularisation: every ``model.pl_interval`` (4) G steps a separate G step on
  ``pl_weight * (|J_w^T y| - a)^2 * interval`` with ``y ~ N(0, I)/sqrt(HW)``, ``a`` the running
  mean of the lengths (decay ``pl_decay`` 0.01), on half the batch (``pl_batch_shrink`` 2);
* Adam with lr and betas scaled by ``interval / (interval + 1)`` (lr, beta ** ratio) to
  compensate for the extra regularisation steps, as in the paper's appendix;
* G EMA with a half-life of ``model.ema_kimg`` (10) thousand images: the decay is computed
  here, ``beta = 0.5 ** (global batch / (ema_kimg * 1000))`` (and replaces ``ema.decay``); no
  warm-up (config F has no EMA ramp-up). ``model.ema_kimg=0`` falls back to ``ema.decay``.
  ``model.ema_rampup=0.05`` is the official code's ramp-up for small images (its ``cfg=auto``
  and ``cifar``): the half-life is at most 5% of the images seen so far, so early samples
  are not an average dominated by the random initial weights.

Sampling: ``gan-sample RUN truncation=0.7`` (psi around the tracked mean w), ``mixing=3x5``
(sheet: row sources give the ``styles=coarse|middle|fine`` layers, column sources the rest),
``interpolate=8`` (rows of 8 frames along straight lines in w), ``noise=random|const|none``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from ganforge import EMA, GANSettings, r1_penalty
from ganforge.errors import GanforgeError
from ganforge_images.export import save_grid, save_individual
from ganforge_images.models.base import ImageModel
from ganforge_images.nets.stylegan2 import NOISE_MODES, StyleGAN2Discriminator, StyleGAN2Generator

# channel_base/channel_max when the config says "auto": config F from 128 px up; the CPU profile below
CONFIG_F = (32768, 512)
CPU_PROFILE = (1024, 64)  # 32 px: 64 channels at 4-16 px, 32 at 32 px (G 2.6M, mostly the mapping net; D 0.3M)
STYLE_RANGES = {"coarse": (4, 8), "middle": (16, 32), "fine": (64, 4096)}


class HalfLifeEMA(EMA):
    """EMA with the half-life decay: constant from the first step (config F has no EMA
    ramp-up) or, with ``rampup``, with a half-life of ``min(half-life, rampup x images seen)``
    (the official code's ``ema_rampup``)."""

    def __init__(self, source: nn.Module, decay: float, start_step: int = 0, *, rampup: float | None = None,
                 images_per_step: int = 1):
        super().__init__(source, decay, start_step)
        self.rampup = float(rampup) if rampup else None
        self.images_per_step = int(images_per_step)
        # the half-life in images that ``decay`` stands for: decay = 0.5 ** (batch / half_life)
        self.half_life = self.images_per_step / math.log2(1.0 / self.decay) if self.decay > 0 else 0.0

    def decay_at(self, step: int) -> float:
        """The decay of the update after ``step`` generator steps (0 before ``start_step``)."""
        if step < self.start_step:
            return 0.0
        if self.rampup is None:
            return self.decay
        half_life = min(self.half_life, step * self.images_per_step * self.rampup)
        return 0.5 ** (self.images_per_step / max(half_life, 1e-8))

    @torch.no_grad()
    def update(self, source: nn.Module, step: int) -> None:
        """``shadow = beta * shadow + (1 - beta) * source``; buffers (``w_avg``, noise) copied."""
        decay = self.decay_at(step)
        for s, p in zip(self.shadow.parameters(), source.parameters()):
            s.lerp_(p.detach().to(s.dtype), 1.0 - decay)
        for s, b in zip(self.shadow.buffers(), source.buffers()):
            s.copy_(b)


def _auto(value: Any, default: int) -> int:
    return default if value is None or str(value).lower() == "auto" else int(value)


def _parse_grid(value: Any) -> tuple[int, int]:
    text = str(value).lower().replace(" ", "")
    parts = text.split("x")
    if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise GanforgeError(f"mixing={value}: expected ROWSxCOLS with positive integers, e.g. mixing=3x5")
    return int(parts[0]), int(parts[1])


class StyleGAN2(ImageModel):
    """StyleGAN2 generator/discriminator with lazy R1 and path-length regularisation (see module docstring).

    Args (the ``model`` keys of ``stylegan2.yaml`` unless said otherwise):
        channels, size: the images (from the data).
        w_dim, mapping_layers, mapping_lr_mul: the mapping network (512, 8, 0.01).
        channel_base, channel_max: ``channels(res) = min(channel_base // res, channel_max)``;
            ``"auto"``: config F (32768, 512) from 128 px up, the CPU profile (1024, 64) below.
        mbstd_group: D's minibatch-stddev group (4).
        style_mixing: probability of style mixing regularisation (0.9).
        r1_interval, pl_weight, pl_interval, pl_decay, pl_batch_shrink: lazy R1 and path-length
            regularisation (``r1_gamma`` itself is in ``settings``).
        ema_kimg: half-life of the G EMA in thousands of images (10; 0: ``settings.ema.decay``).
        ema_rampup: the half-life is at most this share of the images seen (None: config F, no ramp-up).
        images_per_step: the global batch (``data.batch_size`` x ``trainer.devices``), for the half-life.
        truncation: psi for samples and metrics (1).
        settings: the loop's settings (``latent_dim`` (z, 512), ``r1_gamma``, ``optim``, ``ema``).

    DiffAugment/ADA come from :func:`~ganforge_images.augment.attach_diffaugment` (``model.diffaugment``,
    ``augment_p``, ``ada_target``).
    """

    data_kind = "images"
    reports_real_logits = True  # lets model.ada_target adapt the augmentation probability
    writes_own_samples = True  # mixing sheets and interpolation rows
    SAMPLE_OPTIONS = ("truncation", "mixing", "styles", "interpolate", "noise")

    def __init__(self, *, channels: int, size: int, w_dim: int, mapping_layers: int, mapping_lr_mul: float,
                 channel_base: int | str, channel_max: int | str, mbstd_group: int, style_mixing: float,
                 r1_interval: int, pl_weight: float, pl_interval: int, pl_decay: float, pl_batch_shrink: int,
                 ema_kimg: float, images_per_step: int, truncation: float, settings: GANSettings,
                 ema_rampup: float | None = None):
        super().__init__(settings)
        default = CONFIG_F if size >= 128 else CPU_PROFILE
        base, cmax = _auto(channel_base, default[0]), _auto(channel_max, default[1])
        self.generator = StyleGAN2Generator(
            self.latent_dim, int(w_dim), size, channels, base, cmax, int(mapping_layers), float(mapping_lr_mul),
        )
        self.discriminator = StyleGAN2Discriminator(size, channels, base, cmax, int(mbstd_group))
        self.style_mixing = float(style_mixing)
        self.r1_interval = int(r1_interval)
        self.pl_weight = float(pl_weight)
        self.pl_interval = int(pl_interval)
        self.pl_decay = float(pl_decay)
        self.pl_batch_shrink = int(pl_batch_shrink)
        self.ema_kimg = float(ema_kimg or 0)
        try:
            self.ema_rampup = float(ema_rampup) if ema_rampup is not None else None
        except (TypeError, ValueError):
            self.ema_rampup = -1.0
        if self.ema_rampup is not None and not 0 < self.ema_rampup <= 1:
            raise GanforgeError(f"model.ema_rampup={ema_rampup}: expected a share of the images seen in (0, 1], "
                                "e.g. 0.05, or null (no ramp-up)")
        self.images_per_step = int(images_per_step)
        self.truncation = float(truncation)
        if self.r1_interval < 1 or self.pl_interval < 1:
            raise GanforgeError(f"model.r1_interval={self.r1_interval}, model.pl_interval={self.pl_interval}: expected >= 1")
        self.register_buffer("pl_mean", torch.zeros([]))

    @classmethod
    def from_config(cls, cfg: Any, spec: Mapping[str, Any]) -> StyleGAN2:
        """Builder: the ``model`` keys of ``stylegan2.yaml``; the global batch from ``data.batch_size``
        and ``trainer.devices`` (a count; a list or ``auto`` counts as one device, as before)."""
        m = cfg.model
        devices = cfg.trainer.devices
        per_step = int(cfg.data.batch_size) * (int(devices) if isinstance(devices, int) and devices > 0 else 1)
        return cls(
            channels=int(spec["channels"]), size=int(spec["size"]), w_dim=int(m.w_dim),
            mapping_layers=int(m.mapping_layers), mapping_lr_mul=float(m.mapping_lr_mul),
            channel_base=m.channel_base, channel_max=m.channel_max, mbstd_group=int(m.mbstd_group),
            style_mixing=float(m.style_mixing), r1_interval=int(m.r1_interval), pl_weight=float(m.pl_weight),
            pl_interval=int(m.pl_interval), pl_decay=float(m.pl_decay), pl_batch_shrink=int(m.pl_batch_shrink),
            ema_kimg=float(m.ema_kimg or 0), images_per_step=per_step, truncation=float(m.truncation),
            settings=GANSettings.from_config(cfg), ema_rampup=m.ema_rampup,
        )

    # ------------------------------------------------------------------ EMA and optimisers
    def ema_decay(self) -> float:
        """``0.5 ** (images per step / (ema_kimg * 1000))`` (the paper's half-life), or ``ema.decay``."""
        if self.ema_kimg <= 0:
            return float(self.settings.ema.decay)
        return 0.5 ** (self.images_per_step / (self.ema_kimg * 1000.0))

    def build_ema(self) -> None:
        """The generator EMA with the half-life decay (see :meth:`ema_decay`)."""
        decay = self.ema_decay()
        if self.ema is None and decay > 0:
            rampup = self.ema_rampup if self.ema_kimg > 0 else None
            self.ema = HalfLifeEMA(self.generator, decay, int(self.settings.ema.start_step), rampup=rampup,
                                   images_per_step=self.images_per_step)

    def configure_optimizers(self):
        """Adam (betas (0, 0.99), eps 1e-8 in config F) with lazy-regularisation compensation."""
        o = self.settings.optim
        betas = tuple(float(b) for b in o.betas)

        def make(params, lr, interval, active):
            ratio = interval / (interval + 1) if active else 1.0
            return self.build_optimizer(params, float(lr) * ratio, betas=tuple(b**ratio for b in betas), eps=1e-8)

        return [
            make(self.generator.parameters(), o.lr_g, self.pl_interval, self.pl_weight > 0),
            make(self.discriminator.parameters(), o.lr_d, self.r1_interval, self.r1_gamma > 0),
        ]

    # ------------------------------------------------------------------ losses
    def fake_images(self, n: int) -> torch.Tensor:
        """Training fakes with style mixing regularisation."""
        return self.generator(self.sample_noise(n), style_mixing=self.style_mixing)

    def r1_loss(self, real: torch.Tensor, batch: Any = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(lazy R1 loss ``gamma/2 * r1 * r1_interval``, ``r1 = E||grad D(real)||^2``)."""
        with self.double_backward_context():
            r1 = r1_penalty(lambda x: self.discriminate(x, batch), real)
        return r1 * (0.5 * self.r1_gamma * self.r1_interval), r1

    def path_length_loss(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(lazy path-length loss ``pl_weight * E(|J^T y| - a)^2 * pl_interval``, the lengths);
        updates the running mean ``a`` (``pl_mean``)."""
        z = self.sample_noise(n)
        ws = self.generator.styles(z, style_mixing=self.style_mixing)
        img = self.generator.synthesis(ws)
        noise = torch.randn_like(img) / math.sqrt(img.shape[2] * img.shape[3])
        (grads,) = torch.autograd.grad((img * noise).sum(), ws, create_graph=True)
        lengths = grads.square().sum(dim=2).mean(dim=1).sqrt()
        pl_mean = self.pl_mean.lerp(lengths.mean(), self.pl_decay)
        self.pl_mean.copy_(pl_mean.detach())
        penalty = (lengths - pl_mean).square().mean()
        return penalty * (self.pl_weight * self.pl_interval), lengths.detach()

    def discriminator_update(self, batch: Any) -> None:
        """D step on the logistic loss; every ``r1_interval`` steps a separate R1 step."""
        real = self.real_samples(batch)
        with torch.no_grad():
            fake = self.fake_images(real.shape[0])
        d_real = self.discriminate(real, batch)
        d_fake = self.discriminate(fake, batch)
        loss = F.softplus(d_fake).mean() + F.softplus(-d_real).mean()
        self.step_optimizer(self.d_optimizer, loss)
        logs = {"loss/d": loss.detach(), "d/real": d_real.detach().mean(), "d/fake": d_fake.detach().mean()}
        aug = self.diffaugment
        if aug is not None:
            aug.observe(d_real.detach(), real.shape[0])
            logs["augment/p"] = aug.p.detach().clone()
        if self.r1_gamma > 0 and self.g_step % self.r1_interval == 0:
            r1_loss, r1 = self.r1_loss(real, batch)
            self.step_optimizer(self.d_optimizer, r1_loss)
            logs["loss/r1"] = r1.detach()
        self.record(logs)

    def generator_update(self, batch: Any) -> int:
        """G step on the non-saturating loss; every ``pl_interval`` steps a separate path-length step."""
        opt = self.g_optimizer
        n = self.batch_size_of(batch)
        do_pl = self.pl_weight > 0 and self.g_step % self.pl_interval == 0
        self.toggle_optimizer(opt)
        try:
            loss = F.softplus(-self.discriminate(self.fake_images(n), batch)).mean()
            self.step_optimizer(opt, loss)
            logs = {"loss/g": loss.detach()}
            if do_pl:
                pl_loss, lengths = self.path_length_loss(max(1, n // self.pl_batch_shrink))
                self.step_optimizer(opt, pl_loss)
                logs.update({"loss/pl": pl_loss.detach() / (self.pl_weight * self.pl_interval),
                             "pl_mean": self.pl_mean.clone()})
        finally:
            self.untoggle_optimizer(opt)
        self.record(logs)
        self.after_generator_step()
        return 1

    # ------------------------------------------------------------------ sampling
    def _psi(self, truncation: Any) -> float:
        if truncation is None:
            return self.truncation
        try:
            return float(truncation)
        except (TypeError, ValueError):
            raise GanforgeError(f"truncation={truncation}: expected a number (psi; 1 = none, 0 = the mean image)") from None

    @staticmethod
    def _noise(noise: Any) -> str:
        mode = "random" if noise is None else str(noise)
        if mode not in NOISE_MODES:
            raise GanforgeError(f"noise={noise}: expected one of {list(NOISE_MODES)}")
        return mode

    def generate(self, generator: nn.Module, n: int, truncation: Any = None, noise: Any = None, **options: Any) -> torch.Tensor:
        """``n`` images with truncation psi (``model.truncation`` by default) and a noise mode."""
        if options:
            raise GanforgeError(f"model=stylegan2: unknown sampling option(s) {sorted(options)}; valid: truncation, noise")
        return generator(self.sample_noise(n), truncation_psi=self._psi(truncation), noise_mode=self._noise(noise))

    def style_layers(self, generator: nn.Module, which: str) -> torch.Tensor:
        """Boolean mask over the ``num_ws`` layers whose resolution is in the ``which`` range."""
        if which not in STYLE_RANGES:
            raise GanforgeError(f"styles={which}: expected one of {list(STYLE_RANGES)}")
        lo, hi = STYLE_RANGES[which]
        mask = [lo <= r <= hi for r in generator.synthesis.ws_resolution]
        if not any(mask):
            raise GanforgeError(f"styles={which}: no style layers at {lo}-{hi} px in a {generator.resolution} px "
                                f"generator; choose from {[k for k, (a, _) in STYLE_RANGES.items() if a <= generator.resolution]}")
        return torch.tensor(mask, device=self.device)

    @torch.no_grad()
    def mixing_sheet(self, rows: int, cols: int, psi: float, styles: str = "coarse", noise: str = "const") -> torch.Tensor:
        """``(rows + 1) x (cols + 1)`` images: top row the column sources, left column the row sources,
        cell (r, c) = column source c with row source r's ``styles`` layers (blank corner)."""
        g = self.sampling_generator().eval()
        w_cols = g.mapping(self.sample_noise(cols), psi)
        w_rows = g.mapping(self.sample_noise(rows), psi)
        mask = self.style_layers(g, styles).reshape(1, 1, -1, 1)
        cells = torch.where(mask, w_rows[:, None], w_cols[None, :])  # [rows, cols, num_ws, w_dim]
        img_cols, img_rows = g.synthesis(w_cols, noise), g.synthesis(w_rows, noise)
        img_cells = g.synthesis(cells.flatten(0, 1), noise)
        blank = torch.ones_like(img_cols[:1])
        sheet = [torch.cat([blank, img_cols])]
        for r in range(rows):
            sheet.append(torch.cat([img_rows[r : r + 1], img_cells[r * cols : (r + 1) * cols]]))
        return torch.cat(sheet)

    @torch.no_grad()
    def interpolation(self, n: int, steps: int, psi: float, noise: str = "const") -> torch.Tensor:
        """``n`` rows of ``steps`` images along straight lines between two random w's."""
        g = self.sampling_generator().eval()
        w0, w1 = g.mapping(self.sample_noise(n), psi), g.mapping(self.sample_noise(n), psi)
        t = torch.linspace(0, 1, steps, device=self.device).reshape(1, steps, 1, 1)
        ws = w0[:, None].lerp(w1[:, None], t).flatten(0, 1)  # [n * steps, num_ws, w_dim]
        return torch.cat([g.synthesis(ws[i : i + 64], noise) for i in range(0, len(ws), 64)])

    def sample_to_files(self, n: int, out_dir: Path, options: Mapping[str, Any]) -> list[Path]:
        """``gan-sample`` files: ``n`` PNGs, or a style-mixing sheet, or interpolation rows."""
        psi = self._psi(options.get("truncation"))
        noise = options.get("noise")
        if "mixing" in options:
            rows, cols = _parse_grid(options["mixing"])
            sheet = self.mixing_sheet(rows, cols, psi, str(options.get("styles", "coarse")), self._noise(noise or "const"))
            return [save_grid(sheet, Path(out_dir) / "mixing.png", nrow=cols + 1)]
        if "styles" in options:
            raise GanforgeError("styles=... only applies to a mixing sheet; add mixing=ROWSxCOLS")
        if "interpolate" in options:
            steps = int(options["interpolate"]) if str(options["interpolate"]).isdigit() else 0
            if steps < 2:
                raise GanforgeError(f"interpolate={options['interpolate']}: expected an integer >= 2 (frames per row)")
            frames = self.interpolation(n, steps, psi, self._noise(noise or "const")).cpu()
            sheet = save_grid(frames, Path(out_dir) / "interpolation.png", nrow=steps)
            return [sheet, *save_individual(frames, Path(out_dir), "frame")]
        return save_individual(self.sample(n, truncation=psi, noise=noise).cpu(), Path(out_dir), "sample")
