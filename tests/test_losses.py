"""GAN losses and gradient penalties against values computed by hand."""

import math

import pytest
import torch

from ganforge import GanforgeError, get_loss, gradient_penalty, r1_penalty


def test_bce_loss_at_zero_logits_is_log2():
    loss = get_loss("bce")
    zeros = torch.zeros(8)
    assert loss.d_loss(zeros, zeros).item() == pytest.approx(2 * math.log(2))
    assert loss.g_loss(zeros).item() == pytest.approx(math.log(2))


def test_bce_is_nonsaturating():
    # For a confident discriminator (fake logit -10) the non-saturating G loss is large
    # and its gradient is not vanishing.
    fake = torch.tensor([-10.0], requires_grad=True)
    get_loss("bce").g_loss(fake).backward()
    assert fake.grad.abs().item() > 0.99


def test_hinge_values():
    loss = get_loss("hinge")
    real, fake = torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.5])
    # relu(1-2)=0, relu(1-0.5)=0.5 -> 0.25 ; relu(1-2)=0, relu(1+0.5)=1.5 -> 0.75
    assert loss.d_loss(real, fake).item() == pytest.approx(1.0)
    assert loss.g_loss(fake).item() == pytest.approx(0.75)


def test_lsgan_values():
    loss = get_loss("lsgan")
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    assert loss.d_loss(real, fake).item() == pytest.approx(0.5 * 0.5 + 0.5 * 0.5)
    assert loss.g_loss(fake).item() == pytest.approx(0.5)


def test_wgan_values():
    loss = get_loss("wgan")
    assert loss.d_loss(torch.tensor([3.0]), torch.tensor([1.0])).item() == pytest.approx(-2.0)
    assert loss.g_loss(torch.tensor([1.0, 3.0])).item() == pytest.approx(-2.0)


def test_unknown_loss_lists_choices():
    with pytest.raises(GanforgeError, match=r"model.loss: unknown loss 'wasserstein'; valid choices: .*hinge.*lsgan.*wgan"):
        get_loss("wasserstein")


def test_gradient_penalty_linear_critic():
    # critic(x) = w.x has gradient w everywhere: penalty = (||w|| - 1)^2 = (5 - 1)^2 = 16
    w = torch.tensor([3.0, 4.0])
    real, fake = torch.randn(6, 2), torch.randn(6, 2)
    gp = gradient_penalty(lambda x: x @ w, real, fake)
    assert gp.item() == pytest.approx(16.0, rel=1e-5)


def test_gradient_penalty_quadratic_critic_by_hand():
    # critic(x) = sum(x^2): grad at x_hat is 2 x_hat; with alpha fixed we know x_hat.
    real = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    fake = torch.tensor([[0.0, 0.0], [0.0, 0.0]])
    alpha = torch.tensor([0.5, 0.25])
    # x_hat = [[0.5, 0], [0, 0.5]] -> grads [[1, 0], [0, 1]] -> norms 1, 1 -> penalty 0
    gp = gradient_penalty(lambda x: (x**2).sum(dim=1), real, fake, alpha=alpha)
    assert gp.item() == pytest.approx(0.0, abs=1e-6)
    alpha = torch.tensor([1.0, 1.0])  # x_hat = real -> norms 2, 4 -> ((1)^2 + (3)^2)/2 = 5
    gp = gradient_penalty(lambda x: (x**2).sum(dim=1), real, fake, alpha=alpha)
    assert gp.item() == pytest.approx(5.0, rel=1e-5)


def test_gradient_penalty_is_differentiable_wrt_critic():
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    gp = gradient_penalty(lambda x: x @ w, torch.randn(4, 2), torch.randn(4, 2))
    gp.backward()
    # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w|| = 2 * 4 * w / 5
    assert torch.allclose(w.grad, 8 * torch.tensor([3.0, 4.0]) / 5, rtol=1e-4)


def test_r1_penalty_by_hand():
    real = torch.tensor([[1.0, 2.0], [0.0, 3.0]])
    # grad of sum(x^2) = 2x -> squared norms 4*5=20 and 4*9=36 -> mean 28
    assert r1_penalty(lambda x: (x**2).sum(dim=1), real).item() == pytest.approx(28.0)


def test_monitor_patterns_resolve_to_one_metric():
    from ganforge._internal.callbacks import resolve_monitor

    metrics = {"l1/n106/test": 0.1, "fid/classifier/n500/test": 3.0, "fid/classifier/n500/train": 2.0}
    assert resolve_monitor("l1/n106/test", metrics) == "l1/n106/test"
    assert resolve_monitor("l1/*", metrics) == "l1/n106/test"
    assert resolve_monitor("fid/classifier/*/test", metrics) == "fid/classifier/n500/test"
    assert resolve_monitor("is/*", metrics) is None
    assert resolve_monitor(None, metrics) is None
