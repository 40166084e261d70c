"""NetGAN, CELL and the data module from flat typed arguments (no DictConfig), and their builders.

The builders (``from_config``) must give exactly the values of the plugin's YAML, and the modules
must hold no config of their own (issue 13: builders turn config into arguments).
"""

from __future__ import annotations

from importlib import resources

import networkx as nx
import pytest
import torch
from omegaconf import DictConfig, OmegaConf, open_dict

from ganforge import GANSettings, compose_config
from ganforge.errors import GanforgeError
from ganforge.utils import seeded
from ganforge_graphs.cell_model import directed_edge_lists
from ganforge_graphs.datamodule import GraphDataModule
from ganforge_graphs.domain import GraphsDomain
from ganforge_graphs.graph_module import GraphSamples, Stopping
from ganforge_graphs.models import Cell, NetGAN, Temperature

NODES, EDGES = 12, 12  # a ring


def yaml_of(group: str, name: str) -> DictConfig:
    """A config file of the plugin as written (not composed)."""
    text = resources.files("ganforge_graphs.conf").joinpath(group, f"{name}.yaml").read_text(encoding="utf-8")
    return OmegaConf.create(text)


def no_dictconfig_inside(module: torch.nn.Module) -> bool:
    """No attribute of the module is an OmegaConf node, except ``run_config`` (attached by
    ``make_module`` for checkpoints only)."""
    return not any(isinstance(v, DictConfig) for k, v in vars(module).items() if k != "run_config")


def flat_netgan(**changes) -> NetGAN:
    """A tiny NetGAN from flat arguments only."""
    args = dict(
        num_nodes=NODES, num_edges=EDGES, walk_length=4, noise_dim=3, g_hidden=5, d_hidden=5, down_size=4,
        temperature=Temperature(start=5.0, decay=5e-5, min=0.5), l2_g=1e-7, l2_d=5e-5, eval_transitions=300,
        sample_batch=16, eval_walks="window", eval_window=2,
        stopping=Stopping(criterion="eo", eo_threshold=0.52, patience=5, eval_every=2), check_seed=0,
        eval_statistics=True,
        settings=GANSettings.defaults(loss="wgan", n_critic=3, gp_weight=10.0, optim={"lr_g": 3e-4, "lr_d": 3e-4},
                                      ema={"decay": 0.0}, max_steps=10),
    )
    return NetGAN(**{**args, **changes})


def flat_cell() -> Cell:
    """A tiny CELL from flat arguments only."""
    return Cell(
        num_nodes=NODES, num_edges=EDGES, rank=3, block_entries=1 << 24,
        stopping=Stopping(criterion="val", eo_threshold=0.52, patience=2, eval_every=5), check_seed=0,
        eval_statistics=False,
        settings=GANSettings.defaults(optim={"lr_g": 0.1}, ema={"decay": 0.0}, max_steps=10,
                                      phases=[{"name": "cell", "kind": "cell", "steps": None}]),
    )


def test_netgan_from_flat_arguments_trains_a_step_and_samples_graphs():
    with seeded(0):
        module = flat_netgan()
    assert not hasattr(module, "cfg") and module.run_config is None and no_dictconfig_inside(module)
    assert module.n_critic == 3 and module.gp_weight == 10.0 and module.max_steps == 10
    walks = torch.randint(0, NODES, (6, 4))
    d_loss, logs = module.discriminator_loss(walks)
    d_loss.backward()
    assert torch.isfinite(d_loss) and "loss/gp" in logs
    assert module.discriminator.lstm.weight_ih_l0.grad.abs().sum() > 0
    g_loss, logs = module.generator_loss(walks)
    g_loss.backward()
    assert torch.isfinite(g_loss) and float(logs["temperature"]) == pytest.approx(5.0)
    with seeded(1):
        samples = module.sample(2)
    assert isinstance(samples, GraphSamples) and len(samples) == 2
    for graph in samples.graphs:
        assert graph.shape == (NODES, NODES) and graph.nnz == 2 * EDGES


def test_cell_from_flat_arguments_learns_a_ring_and_samples_it():
    with seeded(0):
        module = flat_cell()
    assert not hasattr(module, "cfg") and no_dictconfig_inside(module)
    assert list(module.phase_handlers()) == ["cell"] and module.generator.rank == 3
    src, dst = directed_edge_lists(nx.to_scipy_sparse_array(nx.cycle_graph(NODES), weight=None, format="csr",
                                                            dtype=float))
    opt = torch.optim.Adam(module.generator.parameters(), lr=0.1)
    losses = []
    for _ in range(30):
        loss = module.generator.loss(src, dst)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[-1] < losses[0]
    with seeded(1):
        (graph,) = module.sample(1).graphs
    assert graph.shape == (NODES, NODES) and graph.nnz == 2 * EDGES


def test_flat_arguments_are_checked_in_one_line():
    with pytest.raises(GanforgeError, match="unknown model.stopping.criterion 'loss'"):
        Stopping(criterion="loss", eo_threshold=0.5, patience=1, eval_every=1)
    with pytest.raises(GanforgeError, match="model.eval_walks"):
        flat_netgan(eval_walks="recent")
    with pytest.raises(GanforgeError, match="model.eval_window"):
        flat_netgan(eval_window=0)


@pytest.mark.parametrize("model", ["netgan", "cell"])
def test_from_config_holds_no_config_and_takes_the_yaml_values(model):
    cfg = compose_config(["domain=graphs", f"model={model}"])
    with seeded(0):
        module = GraphsDomain().make_module(cfg, {"num_nodes": 30, "num_edges": 40})
    assert not hasattr(module, "cfg") and no_dictconfig_inside(module)
    yaml = yaml_of("model", model).model
    assert module.stopping == Stopping(**OmegaConf.to_container(yaml.stopping))
    assert module.check_seed == 0 and module.eval_statistics is True
    assert (module.num_nodes, module.num_edges) == (30, 40)
    if model == "cell":
        assert module.generator.rank == yaml.rank == 9
        assert module.generator.block_rows == yaml.block_entries // 30
        return
    assert (module.walk_length, module.l2_g, module.l2_d) == (yaml.walk_length, yaml.l2_g, yaml.l2_d)
    assert module.l2_exclude == (() if yaml.l2_w_down else ("W_down",))
    assert (module.t_start, module.t_decay, module.t_min) == tuple(yaml.temperature.values())
    assert (module.eval_transitions, module.sample_batch) == (yaml.eval_transitions, yaml.sample_batch)
    assert (module.eval_walks, module.eval_window) == (yaml.eval_walks, yaml.eval_window)
    assert module.generator.noise_dim == yaml.noise_dim and module.generator.hidden_size == yaml.g_hidden
    assert module.n_critic == yaml.n_critic and module.gp_weight == yaml.gp_weight
    # the same arguments given flat build the same networks (same RNG consumption)
    with seeded(0):
        flat = NetGAN(
            num_nodes=30, num_edges=40, walk_length=yaml.walk_length, noise_dim=yaml.noise_dim,
            g_hidden=yaml.g_hidden, d_hidden=yaml.d_hidden, down_size=yaml.down_size,
            temperature=Temperature(**OmegaConf.to_container(yaml.temperature)), l2_g=yaml.l2_g, l2_d=yaml.l2_d,
            l2_w_down=yaml.l2_w_down, eval_transitions=yaml.eval_transitions, sample_batch=yaml.sample_batch, eval_walks=yaml.eval_walks,
            eval_window=yaml.eval_window, stopping=module.stopping, check_seed=0, eval_statistics=True,
            settings=GANSettings.from_config(cfg),
        )
    ours, theirs = module.state_dict(), flat.state_dict()
    assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_config_overrides_reach_the_arguments():
    cfg = compose_config(["domain=graphs", "model=netgan", "seed=7", "metrics.statistics=false",
                          "model.temperature.min=0.25", "model.stopping.criterion=val", "model.l2_w_down=false"])
    module = GraphsDomain().make_module(cfg, {"num_nodes": 10, "num_edges": 10})
    assert (module.check_seed, module.eval_statistics, module.t_min) == (7, False, 0.25)
    assert module.l2_exclude == ("W_down",)
    assert module.stopping.criterion == "val"


def test_a_config_saved_before_l2_w_down_keeps_excluding_w_down():
    # runs saved before the key existed trained with W_down excluded; a config read back from such a
    # run (gan-sample, gan-export, load_module) must build that model, not the new default
    cfg = compose_config(["domain=graphs", "model=netgan"])
    assert cfg.model.l2_w_down is True  # the default follows the official code's effective penalty
    with open_dict(cfg):
        del cfg.model["l2_w_down"]
    module = GraphsDomain().make_module(cfg, {"num_nodes": 10, "num_edges": 10})
    assert module.l2_exclude == ("W_down",)


def test_datamodule_builder_takes_the_domain_yaml_values():
    data_yaml = yaml_of("domain", "graphs").data
    netgan = GraphsDomain().build_datamodule(compose_config(["domain=graphs", "model=netgan"]))
    for key, value in data_yaml.items():
        assert getattr(netgan, key) == value, key
    assert (netgan.walk_length, netgan.train_input) == (16, "walks")
    cell = GraphsDomain().build_datamodule(compose_config(["domain=graphs", "model=cell"]))
    assert (cell.walk_length, cell.train_input) == (None, "edges")


def test_datamodule_from_flat_arguments_streams_walks():
    dm = GraphDataModule(path=None, allow_pickle=False, largest_component=True, val_fraction=0.1,
                         test_fraction=0.05, split_seed=0, max_nodes=40, batch_size=5, num_workers=0, p=1.0,
                         q=1.0, walk_length=3, train_input="walks")
    dm.setup("fit")
    assert dm.spec()["num_nodes"] == 40
    batch = next(iter(dm.train_dataloader()))
    assert batch.shape == (5, 3) and int(batch.max()) < 40
    with pytest.raises(GanforgeError, match="data.max_nodes=2"):
        GraphDataModule(path=None, allow_pickle=False, largest_component=True, val_fraction=0.1,
                        test_fraction=0.05, split_seed=0, max_nodes=2, batch_size=5, num_workers=0, p=1.0,
                        q=1.0, walk_length=3, train_input="walks")


def test_nested_groups_are_typed_at_composition():
    from ganforge.schema import validate_config

    def check(override: str) -> None:
        validate_config(compose_config(["domain=graphs", "model=netgan", override]), GraphsDomain())

    with pytest.raises(GanforgeError, match="did you mean model.stopping.patience"):
        check("+model.stopping.patiense=3")
    with pytest.raises(GanforgeError, match=r"model.temperature.min=0: expected a number > 0"):
        check("model.temperature.min=0")
    with pytest.raises(GanforgeError, match=r"model.stopping.eval_every=-1: expected an integer >= 0"):
        check("model.stopping.eval_every=-1")
