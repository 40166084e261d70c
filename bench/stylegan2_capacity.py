"""Diagnostic (issue 19): is StyleGAN2's MNIST collapse the framework, the discriminator or the generator?

    .venv/bin/python bench/stylegan2_capacity.py [--fit-steps 800] [--gan-steps 600] [--ablations]

Two experiments, in plain PyTorch (no Lightning, no ganforge loop), 1 torch thread, MNIST
32 px from ../shared/data/mnist, the CPU channel plan of ``bench/stylegan2.py --profile auto``
(channel_base 1024, channel_max 64, 2-layer mapping network, lr 0.0025, Adam betas (0, 0.99)):

1. **Supervised fit**: each generator regresses 256 fixed training digits from 256 fixed z's
   (MSE, batch 32). How fast a generator can tie z to a specific layout; the mean image's MSE
   is the floor a generator ignoring z reaches.
2. **GAN, same discriminator**: the StyleGAN2 discriminator (minibatch stddev, lazy R1 with
   ADA's gamma 0.0064) against the StyleGAN2 generator and against the DCGAN generator (widths
   32), non-saturating loss, batch 32; every 100 steps the per-pixel standard deviation over
   64 fixed-z samples ("variety"; real digits: about 0.33) and D(real) - D(fake).
   ``--ablations`` adds StyleGAN2-generator arms with one setting changed each (D's lr, the
   per-pixel noise, the minibatch-stddev group, Adam's beta1 and lr).

``--reference DIR`` adds an independent StyleGAN2 generator to the supervised fit: the
``stylegan2-torch`` 1.3.0 wheel (PyPI, MIT; ``pip download --no-deps stylegan2-torch==1.3.0
torch_conv_gradfix`` and unzip both into DIR), same channel plan (64/64/64/32 channels at
4/8/16/32 px), 2-layer mapping at lr multiplier 0.01, no per-pixel noise, its RGB output
averaged to one channel. Its FIR resampling is a CUDA extension compiled at import; the arm
stubs the compilation and runs a plain-PyTorch upfirdn2d instead (``_upfirdn2d``). Whether
ganforge's generator fits as slowly as someone else's tells a bug from the design.
``--fit-only`` skips the GAN runs.

Prints the table the StyleGAN2 reading notes of docs/benchmarks.md quote (no docs section).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stylegan2 import SHARED  # noqa: E402

from ganforge_images.data.folder import prepare_array  # noqa: E402
from ganforge_images.data.mnist import read_idx  # noqa: E402
from ganforge_images.nets.dcgan import DCGANGenerator  # noqa: E402
from ganforge_images.nets.stylegan2 import StyleGAN2Discriminator, StyleGAN2Generator  # noqa: E402

Z_DIM = 512


def make_generator(kind: str, channel_max: int, mapping_lr_mul: float) -> torch.nn.Module:
    """``sg``: StyleGAN2 (CPU channel plan, 2-layer mapping); ``dcgan``: DCGAN widths 32."""
    if kind == "sg":
        return StyleGAN2Generator(Z_DIM, 512, 32, 1, 1024, channel_max, 2, mapping_lr_mul)
    return DCGANGenerator(Z_DIM, 1, 32, 32)


def generate(g: torch.nn.Module, z: torch.Tensor, kind: str) -> torch.Tensor:
    """Images for ``z`` (StyleGAN2 without per-pixel noise, so the fit depends on z alone)."""
    return g(z, noise_mode="none") if kind == "sg" else g(z)


def _upfirdn2d(x: torch.Tensor, kernel: torch.Tensor, up=1, down=1, pad=(0, 0)) -> torch.Tensor:
    """Upsample by zero insertion, pad, FIR-filter, downsample: the op stylegan2-torch only
    ships as a CUDA kernel (its signature), in plain PyTorch for the CPU."""
    (ux, uy), (dx, dy) = ((v, v) if isinstance(v, int) else tuple(v) for v in (up, down))
    pad = (pad[0], pad[1], pad[0], pad[1]) if len(pad) == 2 else tuple(pad)
    n, c, h, w = x.shape
    out = F.pad(x.reshape(n * c, 1, h, 1, w, 1), [0, ux - 1, 0, 0, 0, uy - 1]).reshape(n * c, 1, h * uy, w * ux)
    out = F.conv2d(F.pad(out, list(pad)), torch.flip(kernel, [0, 1])[None, None].to(out))
    out = out[:, :, ::dy, ::dx]
    return out.reshape(n, c, out.shape[-2], out.shape[-1])


class ReferenceGenerator(torch.nn.Module):
    """stylegan2-torch's generator (loaded from an unpacked wheel) in ``make_generator``'s
    channel plan; returns one-channel images like the other arms."""

    def __init__(self, root: Path):
        super().__init__()
        import types

        import torch.utils.cpp_extension as cpp_extension

        sys.path.insert(0, str(root))
        compile_ext = cpp_extension.load
        cpp_extension.load = lambda *a, **k: types.SimpleNamespace()  # its CUDA ops compile at import
        try:
            from stylegan2_torch.generator import Generator
        finally:
            cpp_extension.load = compile_ext
        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith("stylegan2_torch") and hasattr(module, "upfirdn2d"):
                module.upfirdn2d = _upfirdn2d
        self.net = Generator(32, Z_DIM, 2, 0.01, {4: 64, 8: 64, 16: 64, 32: 32})

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Images for ``z`` without per-pixel noise, RGB averaged to one channel."""
        noises = [torch.zeros(1) for _ in range(self.net.n_w_plus - 1)]
        return self.net([z], noises=noises).mean(dim=1, keepdim=True)


def supervised_fit(kind: str, images: torch.Tensor, steps: int, lr: float, channel_max: int = 64,
                   mapping_lr_mul: float = 0.01, reference: Path | None = None) -> float:
    """MSE on all 256 pairs after ``steps`` Adam steps of regressing ``images[:256]`` from fixed z
    (``reference``: the stylegan2-torch generator unpacked there instead of ``kind``'s)."""
    torch.manual_seed(0)
    x = images[:256]
    z = torch.randn(len(x), Z_DIM)
    g = ReferenceGenerator(reference) if reference else make_generator(kind, channel_max, mapping_lr_mul)
    opt = torch.optim.Adam(g.parameters(), lr=lr, betas=(0.0, 0.99), eps=1e-8)
    for _ in range(steps):
        i = torch.randint(0, len(x), (32,))
        loss = F.mse_loss(generate(g, z[i], kind), x[i])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    with torch.no_grad():
        g.eval()
        return float(F.mse_loss(generate(g, z, kind), x))


def gan_run(kind: str, images: torch.Tensor, steps: int, lr: float = 0.0025, lr_d: float | None = None,
            beta1: float = 0.0, noise: str = "random", mbstd_group: int = 4, gamma: float = 0.0064,
            r1_interval: int = 16) -> list[tuple[int, float, float]]:
    """(step, variety, D(real) - D(fake)) every 100 steps of a plain non-saturating GAN loop
    (``lr_d``: D's own lr, default ``lr``; ``noise``: StyleGAN2's per-pixel noise in training)."""
    torch.manual_seed(0)
    g = make_generator(kind, 64, 0.01)
    d = StyleGAN2Discriminator(32, 1, 1024, 64, mbstd_group)
    ratio = r1_interval / (r1_interval + 1)  # lazy R1's lr/beta compensation, as in the model
    opt_g = torch.optim.Adam(g.parameters(), lr=lr, betas=(beta1, 0.99), eps=1e-8)
    opt_d = torch.optim.Adam(d.parameters(), lr=(lr_d or lr) * ratio, betas=(beta1**ratio, 0.99**ratio), eps=1e-8)

    def fakes(n: int) -> torch.Tensor:
        z = torch.randn(n, Z_DIM)
        return g(z, noise_mode=noise) if kind == "sg" else g(z)

    z_fixed = torch.randn(64, Z_DIM)
    curve = []
    for step in range(steps + 1):
        real = images[torch.randint(0, len(images), (32,))]
        with torch.no_grad():
            fake = fakes(32)
        d_real, d_fake = d(real), d(fake)
        loss_d = F.softplus(d_fake).mean() + F.softplus(-d_real).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        if step % r1_interval == 0:
            r = real.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(d(r).sum(), r, create_graph=True)
            r1 = grad.square().sum(dim=[1, 2, 3]).mean() * (gamma / 2 * r1_interval)
            opt_d.zero_grad(set_to_none=True)
            r1.backward()
            opt_d.step()
        d.requires_grad_(False)
        loss_g = F.softplus(-d(fakes(32))).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        d.requires_grad_(True)
        if step % 100 == 0:
            with torch.no_grad():
                g.eval()
                variety = float(g(z_fixed).std(dim=0).mean())
                g.train()
            curve.append((step, variety, float((d_real - d_fake).detach().mean())))
    return curve


def main() -> None:
    """Run both experiments and print their tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit-steps", type=int, default=800)
    ap.add_argument("--gan-steps", type=int, default=600)
    ap.add_argument("--mnist", type=Path, default=SHARED / "mnist")
    ap.add_argument("--reference", type=Path, help="unpacked stylegan2-torch 1.3.0 (+ torch_conv_gradfix) wheels")
    ap.add_argument("--fit-only", action="store_true", help="only the supervised fit")
    ap.add_argument("--ablations", action="store_true",
                    help="also the StyleGAN2 G in the GAN loop with one setting changed per arm")
    args = ap.parse_args()
    source = args.mnist / "train-images-idx3-ubyte.gz"
    if not source.is_file():
        raise SystemExit(f"{source} is missing (../shared/data/mnist)")
    torch.set_num_threads(1)
    images = prepare_array(read_idx(source)[:10000].copy(), 32, 1)
    real_variety = float(images[:64].std(dim=0).mean())
    floor = float(F.mse_loss(images[:256].mean(dim=0, keepdim=True).expand(256, -1, -1, -1), images[:256]))
    print(f"1 torch thread; real variety {real_variety:.3f}; mean-image MSE (ignores z) {floor:.4f}")
    print(f"\n| generator (supervised fit of 256 digits, {args.fit_steps} steps) | MSE | seconds |\n| --- | ---: | ---: |")
    fits = [("DCGAN, widths 32", "dcgan", 0.0025, {}), ("StyleGAN2, as in the bench", "sg", 0.0025, {}),
            ("StyleGAN2, channel_max 256 (256 ch at 4 px)", "sg", 0.0025, {"channel_max": 256}),
            ("StyleGAN2, mapping lr multiplier 1", "sg", 0.0025, {"mapping_lr_mul": 1.0}),
            ("StyleGAN2, lr 0.01", "sg", 0.01, {})]
    if args.reference:
        fits.append(("stylegan2-torch 1.3.0 (independent implementation), as in the bench", "ref", 0.0025,
                     {"reference": args.reference}))
    for name, kind, lr, extra in fits:
        t0 = time.perf_counter()
        mse = supervised_fit(kind, images, args.fit_steps, lr, **extra)
        print(f"| {name} | {mse:.4f} | {time.perf_counter() - t0:.0f} |", flush=True)
    if args.fit_only:
        return
    arms = [("StyleGAN2 G", "sg", {}), ("DCGAN G", "dcgan", {})]
    if args.ablations:
        arms += [("StyleGAN2 G, D lr 0.0005", "sg", {"lr_d": 0.0005}),
                 ("StyleGAN2 G, no per-pixel noise", "sg", {"noise": "none"}),
                 ("StyleGAN2 G, minibatch-stddev groups of 32", "sg", {"mbstd_group": 32}),
                 ("StyleGAN2 G, Adam (0.5, 0.99) lr 0.001", "sg", {"beta1": 0.5, "lr": 0.001}),
                 ("StyleGAN2 G, lr 0.01", "sg", {"lr": 0.01})]
    for name, kind, extra in arms:
        curve = gan_run(kind, images, args.gan_steps, **extra)
        print(f"\nGAN, {name} vs the StyleGAN2 D: step: variety / D(real)-D(fake)")
        print(", ".join(f"{s}: {v:.3f} / {gap:.2f}" for s, v, gap in curve), flush=True)


if __name__ == "__main__":
    main()
