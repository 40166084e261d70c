"""The ``graphs`` domain plugin: NetGAN and CELL on one large graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ganforge import DomainPlugin, choices_error
from ganforge.errors import GanforgeError
from ganforge_graphs.datamodule import GraphDataModule
from ganforge_graphs.exporters import draw_subgraph, plot_degree_distribution, write_edge_list, write_pyg_data
from ganforge_graphs.graph_module import GraphGenerativeModule, GraphSamples
from ganforge_graphs.models import MODELS
from ganforge_graphs.statistics import graph_statistics

SAMPLE_FORMATS = ("edgelist", "pyg")


class GraphsDomain(DomainPlugin):
    """Graph generation from random walks (NetGAN) and its low-rank baseline (CELL)."""

    name = "graphs"
    models = tuple(MODELS)
    model_classes = MODELS
    default_model = "netgan"
    config_package = "ganforge_graphs.conf"
    description = "Graph generation: NetGAN (random-walk WGAN) and CELL (NetGAN npz, edge lists, PyG; embedded Cora-ML)"

    def build_datamodule(self, cfg: Any) -> GraphDataModule:
        """The graph in ``cfg.data``, streamed as walks (netgan) or edge lists (cell)."""
        return GraphDataModule.from_config(cfg)

    def export_samples(
        self, samples: Any, out_dir: Path, stem: str, individual: bool = False, fmt: str = "edgelist"
    ) -> list[Path]:
        """Write generated graphs.

        ``individual=False`` (run dirs): the first graph as ``<stem>.edges`` and ``<stem>.pt``
        (PyG), ``<stem>_subgraph.png`` and ``<stem>_degrees.png`` (vs the training graph when
        known); further graphs as ``<stem>_NNN.edges``. ``individual=True`` (``gan-sample``): one ``<stem>_NNN.edges`` (or ``.pt`` with
        ``fmt="pyg"``) per graph.
        """
        if not isinstance(samples, GraphSamples):
            raise GanforgeError(f"graphs export: got {type(samples).__name__}; expected GraphSamples")
        out_dir = Path(out_dir)
        if individual:
            paths = []
            for i, graph in enumerate(samples.graphs):
                if fmt == "pyg":
                    paths.append(write_pyg_data(graph, out_dir / f"{stem}_{i:03d}.pt"))
                else:
                    paths.append(write_edge_list(graph, out_dir / f"{stem}_{i:03d}.edges"))
            return paths
        if not samples.graphs:
            return []
        graph = samples.graphs[0]
        curves = {"generated": graph}
        if samples.reference is not None:
            curves["training graph"] = samples.reference
        paths = [
            write_edge_list(graph, out_dir / f"{stem}.edges"),
            write_pyg_data(graph, out_dir / f"{stem}.pt"),
            draw_subgraph(graph, out_dir / f"{stem}_subgraph.png", title=f"generated graph ({stem}), BFS neighbourhood"),
            plot_degree_distribution(curves, out_dir / f"{stem}_degrees.png", title=f"Degree distribution ({stem})"),
        ]
        # further graphs of the same sheet (run.sample_count > 1) as edge lists only
        paths += [write_edge_list(g, out_dir / f"{stem}_{i:03d}.edges") for i, g in enumerate(samples.graphs[1:], 1)]
        return paths

    def evaluate(self, module: GraphGenerativeModule, datamodule: Any) -> dict[str, float]:
        """EO with the training graph, val/test link prediction, statistics (generated and training;
        ``metrics.statistics=false`` skips them)."""
        if datamodule is None or getattr(datamodule, "split", None) is None:
            return {}
        generator = module.sampling_generator()
        scores = module.score_matrix(generator)
        graph = module.assemble(scores)
        metrics = module.evaluate_scores(scores, datamodule, graph)
        if module.eval_statistics:
            metrics.update({f"stats/generated/{k}": v for k, v in graph_statistics(graph).items()})
            metrics.update({f"stats/training/{k}": v for k, v in datamodule.train_statistics().items()})
        return metrics

    def config_schemas(self, model):
        """Typed schemas of this domain's groups (checked by ``gan-run`` before training)."""
        from ganforge_graphs.schemas import SCHEMAS

        return SCHEMAS

    def sample_options(self) -> Sequence[str]:
        """``format=edgelist|pyg`` chooses the per-graph file type of ``gan-sample``."""
        return ("format",)

    def report_section(self, run_dir: Path, assets_dir: Path):
        """Generated vs training graph statistics, degree plots and subgraph drawings by step."""
        from ganforge_graphs.report import graphs_report_section

        return graphs_report_section(Path(run_dir), Path(assets_dir))

    def sample_to_files(self, module, n: int, out_dir: Path, options: Mapping[str, Any]) -> list[Path]:
        """``gan-sample``: ``n`` generated graphs, one file each."""
        self.check_sample_options(options, module)
        fmt = str(options.get("format", "edgelist"))
        if fmt not in SAMPLE_FORMATS:
            raise choices_error("format", fmt, SAMPLE_FORMATS, where="gan-sample")
        return self.export_samples(module.sample(n), Path(out_dir), "graph", individual=True, fmt=fmt)
