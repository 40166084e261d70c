"""Perceptual path length: the per-pair value by hand on a linear toy generator, the
percentile filter, and PPL of a real (tiny) StyleGAN2 through the evaluator's path."""

from __future__ import annotations

import numpy as np
import torch

from ganforge_images.metrics.path_length import path_lengths, perceptual_path_length


class LinearG:
    """mapping: w = z (broadcast to 2 layers); synthesis: image = A @ w[:, 0] as a 1x1 'image'."""

    def __init__(self, a: torch.Tensor):
        self.a = a

    def mapping(self, z, psi):
        return z[:, None].repeat(1, 2, 1)

    def synthesis(self, ws, noise_mode):
        assert noise_mode == "const"  # PPL holds the noise fixed
        return (ws[:, 0] @ self.a.t()).reshape(len(ws), -1, 1, 1)


def test_path_length_of_a_linear_generator_is_the_squared_image_distance_of_the_pair():
    torch.manual_seed(0)
    a = torch.randn(3, 4)
    values = path_lengths(LinearG(a), lambda x: x, n=6, z_dim=4, normalize=False, seed=7)
    # the same pairs by hand: lerp(w0, w1, eps) - w0 = eps (w1 - w0), so d = ||A (w1 - w0)||^2
    from ganforge.utils import seeded

    with seeded(7):
        z = torch.randn(12, 4)
    expected = ((z[6:] - z[:6]) @ a.t()).double().square().sum(1).numpy()
    assert np.allclose(values, expected, rtol=5e-3)  # float32 images, eps = 1e-4


def test_constant_generator_has_zero_path_length_and_filter_drops_outliers():
    class Flat(LinearG):
        def synthesis(self, ws, noise_mode):
            return torch.ones(len(ws), 3, 2, 2)

    assert np.allclose(path_lengths(Flat(torch.eye(4)), lambda x: x, n=5, z_dim=4), 0.0)
    values = np.concatenate([np.full(990, 2.0), np.full(5, 1000.0), np.full(5, -1000.0)])
    assert perceptual_path_length(values) == 2.0


def test_stylegan2_evaluation_reports_ppl_when_asked():
    from omegaconf import OmegaConf

    from ganforge import compose_config, get_registry
    from ganforge_images.evaluation import ImageEvaluator, metrics_config

    cfg = compose_config(["domain=images", "model=stylegan2", "debug=smoke", "metrics.ppl_samples=16",
                          "metrics.n_samples=32", "metrics.n_real=32"])
    plugin = get_registry().get("images")
    dm = plugin.build_datamodule(cfg)
    dm.setup("fit")
    module = plugin.make_module(cfg, dm.spec())
    scores = ImageEvaluator(dm, metrics_config(cfg)).evaluate(module)
    ppl = [v for k, v in scores.items() if k.startswith("ppl_wend/") and "/n16" in k]
    assert len(ppl) == 1 and np.isfinite(ppl[0]) and ppl[0] > 0
    assert OmegaConf.select(cfg, "metrics.ppl_samples") == 16
