"""NetGAN generator/critic and the CELL model."""

import networkx as nx
import numpy as np
import pytest
import torch

from ganforge_graphs.assembly import DenseScores, assemble_graph
from ganforge_graphs.cell_model import CellModel, directed_edge_lists
from ganforge_graphs.evaluation import edge_overlap
from ganforge_graphs.netgan_networks import (
    NetGANDiscriminator,
    NetGANGenerator,
    gumbel_temperature,
    l2_penalty,
)


def test_temperature_schedule():
    assert gumbel_temperature(0) == 5.0
    assert gumbel_temperature(10000) == pytest.approx(5 * np.exp(-0.5))
    assert gumbel_temperature(10**6) == 0.5


def test_generator_outputs_one_hot_walks_with_gradients():
    torch.manual_seed(0)
    gen = NetGANGenerator(num_nodes=11, walk_length=5, noise_dim=4, hidden_size=8, down_size=6)
    disc = NetGANDiscriminator(num_nodes=11, hidden_size=7, down_size=6)
    walks = gen(gen.noise(3), temperature=1.0)
    assert walks.shape == (3, 5, 11)
    assert torch.all(walks.sum(-1) == 1) and set(walks.detach().unique().tolist()) == {0.0, 1.0}
    score = disc(walks)
    assert score.shape == (3,)
    score.sum().backward()
    assert gen.W_up.weight.grad is not None and gen.W_up.weight.grad.abs().sum() > 0
    assert gen.noise_in.weight.grad.abs().sum() > 0
    # the critic gives the same score for indices and one-hot inputs
    idx = walks.argmax(-1)
    assert torch.allclose(disc(idx), disc(walks.detach()), atol=1e-6)


def test_sample_walks_indices_and_seeding():
    gen = NetGANGenerator(num_nodes=9, walk_length=4, noise_dim=4, hidden_size=8, down_size=6)
    a = gen.sample_walks(10, batch_size=3, generator=torch.Generator().manual_seed(1))
    b = gen.sample_walks(10, batch_size=3, generator=torch.Generator().manual_seed(1))
    assert a.shape == (10, 4) and a.dtype == torch.long and a.min() >= 0 and a.max() < 9
    assert torch.equal(a, b)


def test_sample_walks_follow_the_logits():
    gen = NetGANGenerator(num_nodes=5, walk_length=2, noise_dim=2, hidden_size=3, down_size=2)
    with torch.no_grad():
        gen.W_up.weight.zero_()
        gen.W_up.bias.copy_(torch.log(torch.tensor([0.1, 0.2, 0.3, 0.4, 1e-9])))
    walks = gen.sample_walks(20000, generator=torch.Generator().manual_seed(0))
    freq = np.bincount(walks.numpy().ravel(), minlength=5) / walks.numel()
    assert np.allclose(freq, [0.1, 0.2, 0.3, 0.4, 0.0], atol=0.015)


def test_lstm_forget_bias_and_l2_excludes_w_down():
    gen = NetGANGenerator(num_nodes=6, hidden_size=4, down_size=3)
    assert torch.all(gen.cell.bias_ih[4:8] == 1.0) and torch.all(gen.cell.bias_ih[:4] == 0.0)
    expected = sum(0.5 * p.pow(2).sum() for n, p in gen.named_parameters() if n != "W_down")
    assert torch.allclose(l2_penalty(gen), expected)
    with torch.no_grad():
        gen.W_down.fill_(100.0)
    assert torch.allclose(l2_penalty(gen), expected)
    # model.l2_w_down=true: the official code's effective penalty covers W_down as well
    assert torch.allclose(l2_penalty(gen, ()), expected + 0.5 * 100.0**2 * gen.W_down.numel())


def _sbm(n_per=15, seed=0):
    g = nx.stochastic_block_model([n_per, n_per, n_per], [[0.5, 0.02, 0.02], [0.02, 0.5, 0.02],
                                                          [0.02, 0.02, 0.5]], seed=seed)
    g = g.subgraph(max(nx.connected_components(g), key=len))
    return nx.to_scipy_sparse_array(nx.convert_node_labels_to_integers(g), weight=None, format="csr", dtype=float)


def test_cell_loss_matches_dense_cross_entropy_and_chunking():
    torch.manual_seed(0)
    a = _sbm()
    n = a.shape[0]
    src, dst = directed_edge_lists(a)
    model = CellModel(n, rank=3)
    dense_a = torch.as_tensor(a.toarray(), dtype=torch.float32)
    log_p = torch.log_softmax(model.W_down @ model.W_up, dim=1)
    expected = -(dense_a * log_p).sum() / dense_a.sum()
    loss = model.loss(src, dst)
    assert torch.allclose(loss, expected, atol=1e-5)
    loss.backward()
    grads = [p.grad.clone() for p in model.parameters()]
    chunked = CellModel(n, rank=3, block_entries=4 * n)  # several row blocks with checkpointing
    chunked.load_state_dict(model.state_dict())
    chunked_loss = chunked.loss(src, dst)
    chunked_loss.backward()
    assert torch.allclose(chunked_loss, loss, atol=1e-5)
    for g1, p in zip(grads, chunked.parameters(), strict=True):
        assert torch.allclose(g1, p.grad, atol=1e-5)


def test_cell_scores_are_stationary_edge_probabilities():
    torch.manual_seed(1)
    model = CellModel(30, rank=4, block_entries=30 * 7)
    scores = model.score_matrix()
    p = model.transition_matrix().double()
    pi = scores.pi
    assert torch.allclose(pi @ p, pi, atol=1e-6) and abs(float(pi.sum()) - 1) < 1e-9
    expected = (pi[:, None] * p + (pi[:, None] * p).T).numpy()
    blocks = np.concatenate([block for _, block in scores.row_blocks()])
    assert np.allclose(blocks, expected, atol=1e-6)
    rows, cols = np.array([0, 5, 29]), np.array([3, 5, 1])
    assert np.allclose(scores.gather(rows, cols), expected[rows, cols], atol=1e-6)


def test_cell_learns_a_small_graph():
    torch.manual_seed(0)
    a = _sbm(12)
    n, m = a.shape[0], a.nnz // 2
    src, dst = directed_edge_lists(a)
    model = CellModel(n, rank=6)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    first = model.loss(src, dst).item()
    eo_before = edge_overlap(a, assemble_graph(model.score_matrix(), m, seed=0))
    for _ in range(60):
        loss = model.loss(src, dst)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < first - 0.5
    eo_after = edge_overlap(a, assemble_graph(model.score_matrix(), m, seed=0))
    assert eo_after > eo_before + 0.2 and eo_after > 0.5
    dense = DenseScores(model.score_matrix().gather(*np.indices((n, n)).reshape(2, -1)).reshape(n, n) / 2)
    assert edge_overlap(a, assemble_graph(dense, m, seed=0)) > 0.5


def test_projected_gradient_penalty_equals_dense_wgan_gp():
    import torch.nn.functional as F

    from ganforge.penalties import gradient_penalty
    from ganforge_graphs.netgan_networks import projected_gradient_penalty

    torch.manual_seed(0)
    disc = NetGANDiscriminator(13, hidden_size=5, down_size=4)
    real, fake, alpha = torch.randint(13, (6, 7)), torch.randint(13, (6, 7)), torch.rand(6)
    dense = gradient_penalty(disc, F.one_hot(real, 13).float(), F.one_hot(fake, 13).float(), alpha=alpha)
    projected = projected_gradient_penalty(disc, real, fake, alpha=alpha)
    assert torch.allclose(dense, projected, atol=1e-6)
    params = list(disc.parameters())
    for a, b in zip(torch.autograd.grad(dense, params, allow_unused=True),
                    torch.autograd.grad(projected, params, allow_unused=True), strict=True):
        assert (a is None and b is None) or torch.allclose(a, b, atol=1e-6)


def test_generator_no_grad_forward_matches_sampling_semantics():
    gen = NetGANGenerator(num_nodes=7, walk_length=3, noise_dim=2, hidden_size=4, down_size=3)
    with torch.no_grad():
        walks = gen(gen.noise(5), temperature=0.5)
    assert walks.shape == (5, 3, 7) and torch.all(walks.sum(-1) == 1)


def test_cell_scores_are_reused_until_the_weights_change():
    from ganforge import compose_config
    from ganforge_graphs.domain import GraphsDomain

    cfg = compose_config(["domain=graphs", "model=cell"])
    module = GraphsDomain().make_module(cfg, {"num_nodes": 12, "num_edges": 20})
    first = module.score_matrix(module.generator)
    assert module.score_matrix(module.generator) is first
    opt = torch.optim.Adam(module.generator.parameters(), lr=0.1)
    ring = nx.to_scipy_sparse_array(nx.cycle_graph(12), weight=None, format="csr", dtype=float)
    src, dst = directed_edge_lists(ring)
    module.generator.loss(src, dst).backward()
    opt.step()
    second = module.score_matrix(module.generator)
    assert second is not first
    assert not np.allclose(second.gather(np.arange(12), np.roll(np.arange(12), 1)),
                           first.gather(np.arange(12), np.roll(np.arange(12), 1)))


def test_one_hot_row_lookup_equals_the_dense_product_and_its_gradients():
    from ganforge_graphs.netgan_networks import _OneHotRows, gumbel_softmax_st

    torch.manual_seed(0)
    weight = torch.randn(50, 8, requires_grad=True)
    logits = torch.randn(6, 50, requires_grad=True)
    one_hot = gumbel_softmax_st(logits, 0.7)
    upstream = torch.randn(6, 8)
    dense = one_hot @ weight
    grads_dense = torch.autograd.grad((dense * upstream).sum(), (logits, weight), retain_graph=True)
    rows = _OneHotRows.apply(one_hot, weight)
    grads_rows = torch.autograd.grad((rows * upstream).sum(), (logits, weight))
    torch.testing.assert_close(rows, dense, rtol=0, atol=1e-6)
    for a, b in zip(grads_rows, grads_dense, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_netgan_checks_count_the_critics_recent_walks_and_top_up_when_short():
    from ganforge import compose_config
    from ganforge.errors import GanforgeError
    from ganforge_graphs.domain import GraphsDomain

    spec = {"num_nodes": 20, "num_edges": 30}
    over = ["domain=graphs", "model=netgan", "model.walk_length=4", "model.eval_window=2", "model.n_critic=1"]
    make = GraphsDomain().make_module
    module = make(compose_config([*over, "model.eval_transitions=6"]), spec)
    walks = [torch.tensor([[0, 1, 2, 3]]), torch.tensor([[4, 5, 6, 7]]), torch.tensor([[8, 9, 10, 11]])]
    for w in walks:  # what discriminator_loss appends; the window keeps the last eval_window * n_critic
        module._walk_window.append(w.to(torch.int32))
    counts = module.check_scores(module.generator).matrix
    assert counts.sum() == 2 * 2 * 3  # 2 walks x 3 transitions, symmetrised
    assert counts[0, 1] == 0 and counts[4, 5] == 1 and counts[9, 8] == 1
    # fewer transitions than eval_transitions: fresh walks fill the gap
    module.eval_transitions = 30
    assert module.check_scores(module.generator).matrix.sum() > 2 * 2 * 3
    # eval_walks=fresh ignores the window: one new walk of 3 transitions only
    fresh = make(compose_config([*over, "model.eval_walks=fresh", "model.eval_transitions=3"]), spec)
    fresh._walk_window.append(walks[0].to(torch.int32))
    assert fresh.check_scores(fresh.generator).matrix.sum() <= 2 * 3
    with pytest.raises(GanforgeError, match="model.eval_walks"):
        make(compose_config([*over, "model.eval_walks=recent"]), spec)
