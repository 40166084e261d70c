"""NetGAN's generator and critic (Bojchevski et al., ICML 2018), in PyTorch.

Generator: noise ``z ~ N(0, I)`` -> dense tanh layer -> two dense tanh heads giving the LSTM's
initial ``(h, c)``; an LSTM cell runs ``walk_length`` steps, each output is projected to ``N``
logits by ``W_up``, turned into a one-hot node by straight-through Gumbel-softmax, and fed back
through ``W_down`` (``N x 128``) as the next input (the first input is zeros).

Critic: one-hot walks -> ``W_down`` projection -> LSTM -> linear score of the last step.

Details kept from the reference TensorFlow model: Glorot-uniform weights, zero biases with the
LSTM forget-gate bias at 1 (TensorFlow's ``BasicLSTMCell`` adds ``forget_bias=1``), and the L2
penalty on every weight, ``W_down`` included (``model.l2_w_down=true``): the reference's comment
says it omits ``W_down``, but its name test misses ``W_Down``, so in effect it covers them too.
:func:`l2_penalty` excludes ``W_down`` by default (``model.l2_w_down=false``).
"""

from __future__ import annotations

import math

import torch
from torch import nn


def gumbel_temperature(iteration: int, start: float = 5.0, decay: float = 5e-5, minimum: float = 0.5) -> float:
    """NetGAN's annealing ``max(start * exp(-decay * iteration), minimum)``."""
    return max(start * math.exp(-decay * iteration), minimum)


def _init_lstm(weights: list[tuple[str, torch.Tensor]], hidden_size: int) -> None:
    """Glorot-uniform LSTM weights, zero biases with the forget-gate slice at 1."""
    for name, param in weights:
        if "weight" in name:
            nn.init.xavier_uniform_(param)
        elif "bias_ih" in name:
            nn.init.zeros_(param)
            param.data[hidden_size : 2 * hidden_size] = 1.0  # gate order: input, forget, cell, output
        elif "bias" in name:
            nn.init.zeros_(param)


def _init_linear(layer: nn.Linear) -> None:
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)


def l2_penalty(module: nn.Module, exclude: tuple[str, ...] = ("W_down",)) -> torch.Tensor:
    """``sum(w**2) / 2`` over the module's parameters, skipping names containing ``exclude``."""
    terms = [p.pow(2).sum() for name, p in module.named_parameters() if not any(e in name for e in exclude)]
    return 0.5 * torch.stack(terms).sum() if terms else torch.zeros(())


def gumbel_softmax_st(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Straight-through Gumbel-softmax: one-hot forward values, relaxed-sample gradients.

    Same estimator as ``torch.nn.functional.gumbel_softmax(hard=True)``; written out because
    that function draws its noise with ``Tensor.exponential_``, which is several times slower
    than ``torch.rand`` on CPUs, and the noise over ``N`` columns dominates a generator step.
    """
    u = torch.rand_like(logits).clamp_(min=1e-10, max=1.0 - 1e-7)
    soft = torch.softmax((logits - torch.log(-torch.log(u))) / temperature, dim=-1)
    index = soft.argmax(dim=-1, keepdim=True)
    hard = torch.zeros_like(soft).scatter_(-1, index, 1.0)
    return hard - soft.detach() + soft


class _OneHotRows(torch.autograd.Function):
    """``one_hot @ W`` for rows that are exactly one-hot in value (straight-through samples).

    Forward: a row lookup ``W[argmax]`` instead of an ``(B, N) x (N, d)`` product. Backward:
    the product's gradients -- ``grad @ W^T`` for the (relaxed) one-hot input and
    ``one_hot^T grad`` for ``W``, a scatter-add into the looked-up rows.
    """

    @staticmethod
    def forward(ctx, one_hot: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        index = one_hot.argmax(dim=-1)
        ctx.save_for_backward(index, weight)
        return weight[index]

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        index, weight = ctx.saved_tensors
        grad_one_hot = grad @ weight.T if ctx.needs_input_grad[0] else None
        grad_weight = None
        if ctx.needs_input_grad[1]:
            grad_weight = torch.zeros_like(weight).index_add_(0, index, grad.to(weight.dtype))
        return grad_one_hot, grad_weight


def _categorical(logits: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """One draw per row from ``softmax(logits)`` by inverting the cumulative distribution."""
    cdf = torch.softmax(logits, dim=1).cumsum_(dim=1)
    u = torch.rand(logits.shape[0], 1, generator=generator, device=logits.device) * cdf[:, -1:]
    return torch.searchsorted(cdf, u, right=True).squeeze(1).clamp_(max=logits.shape[1] - 1)


class NetGANGenerator(nn.Module):
    """LSTM random-walk generator with Gumbel-softmax straight-through outputs.

    Args:
        num_nodes: ``N``, the number of nodes of the graph.
        walk_length: nodes per generated walk.
        noise_dim: dimension of ``z`` (16).
        hidden_size: LSTM units (40).
        down_size: width of the ``W_down`` input projection (128).
    """

    def __init__(self, num_nodes: int, walk_length: int = 16, noise_dim: int = 16, hidden_size: int = 40, down_size: int = 128):
        super().__init__()
        self.num_nodes = num_nodes
        self.walk_length = walk_length
        self.noise_dim = noise_dim
        self.hidden_size = hidden_size
        self.noise_in = nn.Linear(noise_dim, hidden_size)
        self.to_h = nn.Linear(hidden_size, hidden_size)
        self.to_c = nn.Linear(hidden_size, hidden_size)
        self.cell = nn.LSTMCell(down_size, hidden_size)
        self.W_up = nn.Linear(hidden_size, num_nodes)
        self.W_down = nn.Parameter(torch.empty(num_nodes, down_size))
        for layer in (self.noise_in, self.to_h, self.to_c, self.W_up):
            _init_linear(layer)
        _init_lstm(list(self.cell.named_parameters()), hidden_size)
        nn.init.xavier_uniform_(self.W_down)

    def initial_state(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Map noise to the LSTM's initial ``(h, c)``."""
        hidden = torch.tanh(self.noise_in(z))
        return torch.tanh(self.to_h(hidden)), torch.tanh(self.to_c(hidden))

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` standard-normal noise vectors on the module's device."""
        device = self.W_down.device
        return torch.randn(n, self.noise_dim, generator=generator, device=device)

    def forward(self, z: torch.Tensor, temperature: float) -> torch.Tensor:
        """Generate walks as straight-through one-hot tensors ``(B, walk_length, N)``.

        The forward values are exact one-hot vectors; gradients flow through the relaxed
        Gumbel-softmax sample at ``temperature``.
        """
        h, c = self.initial_state(z)
        inputs = z.new_zeros(z.shape[0], self.W_down.shape[1])
        outputs = []
        for _ in range(self.walk_length):
            h, c = self.cell(inputs, (h, c))
            one_hot = gumbel_softmax_st(self.W_up(h), temperature)
            # the value of one_hot @ W_down is a row of W_down: look it up (the gradients of
            # the product are kept by _OneHotRows)
            inputs = _OneHotRows.apply(one_hot, self.W_down)
            outputs.append(one_hot)
        return torch.stack(outputs, dim=1)

    @torch.no_grad()
    def sample_walks(self, n: int, batch_size: int = 8192, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` walks as node indices ``(n, walk_length)`` (no gradients).

        The hard Gumbel-softmax sample is ``argmax(logits + Gumbel)`` at any temperature, i.e. a
        categorical draw from ``softmax(logits)``, so this draws from the categorical directly
        (inverse CDF: ~3x faster than Gumbel noise over ``N`` columns on a CPU) and feeds the
        next input by a row lookup in ``W_down`` instead of a one-hot product.
        """
        chunks = []
        for start in range(0, n, batch_size):
            b = min(batch_size, n - start)
            h, c = self.initial_state(self.noise(b, generator))
            inputs = h.new_zeros(b, self.W_down.shape[1])
            nodes = []
            for _ in range(self.walk_length):
                h, c = self.cell(inputs, (h, c))
                logits = self.W_up(h)
                node = _categorical(logits, generator)
                inputs = self.W_down[node]
                nodes.append(node)
            chunks.append(torch.stack(nodes, dim=1))
        return torch.cat(chunks) if chunks else torch.empty(0, self.walk_length, dtype=torch.long)


class NetGANDiscriminator(nn.Module):
    """LSTM critic scoring walks (WGAN critic: unbounded real-valued output).

    Args:
        num_nodes: ``N``.
        hidden_size: LSTM units (30).
        down_size: width of the ``W_down`` input projection (128).
    """

    def __init__(self, num_nodes: int, hidden_size: int = 30, down_size: int = 128):
        super().__init__()
        self.num_nodes = num_nodes
        self.W_down = nn.Parameter(torch.empty(num_nodes, down_size))
        self.lstm = nn.LSTM(down_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, 1)
        nn.init.xavier_uniform_(self.W_down)
        _init_lstm(list(self.lstm.named_parameters()), hidden_size)
        _init_linear(self.out)

    def project(self, walks: torch.Tensor) -> torch.Tensor:
        """``walks @ W_down`` for one-hot ``(B, T, N)`` floats, a row lookup for indices ``(B, T)``."""
        if walks.dtype in (torch.int64, torch.int32):
            return self.W_down[walks]
        return walks @ self.W_down

    def score_projected(self, projected: torch.Tensor) -> torch.Tensor:
        """Scores ``(B,)`` of already projected walks ``(B, T, down_size)``."""
        output, _ = self.lstm(projected)
        return self.out(output[:, -1]).squeeze(-1)

    def forward(self, walks: torch.Tensor) -> torch.Tensor:
        """Score walks given as one-hot ``(B, T, N)`` floats or node indices ``(B, T)``; ``(B,)``."""
        return self.score_projected(self.project(walks))


def projected_gradient_penalty(
    critic: NetGANDiscriminator, real: torch.Tensor, fake: torch.Tensor, alpha: torch.Tensor | None = None
) -> torch.Tensor:
    """WGAN-GP on one-hot walks, computed in the ``W_down`` projection space.

    ``real`` and ``fake`` are node indices ``(B, T)``. The interpolate ``x = a*onehot(real) +
    (1-a)*onehot(fake)`` projects to ``p = a*W[real] + (1-a)*W[fake]``, and the critic's input
    gradient is ``g W^T`` with ``g = dD/dp``, so ``||dD/dx||^2 = sum_t g_t^T (W^T W) g_t``. This is
    exactly the penalty of :func:`ganforge.penalties.gradient_penalty` on the dense ``(B, T, N)``
    interpolates, including its gradients, at ``O(T d^2 + N d^2)`` instead of ``O(T N d)`` cost.
    """
    w = critic.W_down
    if alpha is None:
        alpha = torch.rand(real.shape[0], 1, 1, device=w.device)
    alpha = alpha.reshape(-1, 1, 1)
    projected = alpha * w[real] + (1.0 - alpha) * w[fake]  # stays attached to W_down, as x @ W would
    (grad,) = torch.autograd.grad(critic.score_projected(projected).sum(), projected, create_graph=True)
    gram = w.T @ w
    norms_sq = torch.einsum("btd,de,bte->b", grad, gram, grad)
    return ((norms_sq.add(1e-12).sqrt() - 1.0) ** 2).mean()
