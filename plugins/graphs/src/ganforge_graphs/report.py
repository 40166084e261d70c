"""The graphs domain's part of the run report: per sample step the generated graph's
statistics beside the training graph's, its degree distribution (vs the training
graph) and a drawn neighbourhood, with the edge list and PyG file linked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ganforge.report import Figure, Link, ReportGroup, ReportSection, Table, is_stale, sample_steps, thin_steps
from ganforge_graphs.statistics import graph_statistics

#: statistics shown (in this order); the rest stay in metrics.json
SHOWN = ("num_nodes", "num_edges", "max_degree", "mean_degree", "assortativity", "triangle_count", "wedge_count",
         "claw_count", "clustering_coefficient", "power_law_exponent", "gini", "edge_distribution_entropy",
         "largest_component_size", "num_components", "characteristic_path_length")
_NODES = re.compile(r"#\s*ganforge graph:\s*(\d+)\s*nodes")


def read_ganforge_edges(path: Path) -> sp.csr_matrix:
    """A symmetric adjacency from an ``.edges`` file the exporter wrote (its header keeps
    the node count, so isolated nodes are not lost as in a plain edge list)."""
    text = Path(path).read_text()
    match = _NODES.search(text)
    rows = np.loadtxt(path, comments="#", dtype=np.int64, ndmin=2)
    n = int(match.group(1)) if match else (int(rows.max()) + 1 if rows.size else 0)
    if rows.size == 0:
        return sp.csr_matrix((n, n))
    u, v = rows[:, 0], rows[:, 1]
    a = sp.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    return ((a + a.T) > 0).astype(np.float64).tocsr()


def step_statistics(edges: Path, assets_dir: Path) -> dict[str, float]:
    """Statistics of one step's generated graph, cached as JSON beside the report
    (without the all-pairs path length, the one slow statistic)."""
    cache = Path(assets_dir) / "graphs" / f"{edges.stem}_stats.json"
    if is_stale(cache, [edges]):
        stats = graph_statistics(read_ganforge_edges(edges), path_length=False)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(stats, indent=1, sort_keys=True))
    return json.loads(cache.read_text())


def _final_stats(run_dir: Path) -> tuple[dict[str, float], dict[str, float]]:
    metrics_file = Path(run_dir) / "metrics.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
    pick = lambda prefix: {k[len(prefix):]: v for k, v in metrics.items() if k.startswith(prefix)}  # noqa: E731
    return pick("stats/generated/"), pick("stats/training/")


def _comparison(generated: dict[str, float], training: dict[str, float], caption: str) -> Table:
    rows = []
    for key in SHOWN:
        if key in generated or key in training:
            g, t = generated.get(key), training.get(key)
            ratio = g / t if g is not None and t not in (None, 0) else ""
            rows.append([key.replace("_", " "), "" if g is None else g, "" if t is None else t, ratio])
    return Table(["statistic", "generated", "training graph", "generated / training"], rows, caption)


def graphs_report_section(run_dir: Path, assets_dir: Path) -> ReportSection:
    """Statistics tables, degree plots and subgraph drawings by sample step."""
    final_gen, training = _final_stats(run_dir)
    intro = [_comparison(final_gen, training, "Final evaluation (metrics.json)")] if final_gen else []
    groups, thumbnail = [], None
    for step in thin_steps(sample_steps(run_dir)):
        blocks, links = [], []
        for path in step.files:
            if path.name.endswith("_degrees.png"):
                blocks.append(Figure(path, "degree distribution (complementary CDF) vs the training graph"))
            elif path.name.endswith("_subgraph.png"):
                blocks.append(Figure(path, "a BFS neighbourhood of the generated graph"))
                thumbnail = path
            elif path.suffix == ".edges" and path.stem == step.stem:
                stats = step_statistics(path, assets_dir)
                blocks.insert(0, _comparison(stats, training, f"{step.label}: generated graph"))
                links.append(Link(path, f"{path.name} (edge list)"))
            else:
                links.append(Link(path, path.name))
        groups.append(ReportGroup(step.label, blocks + links, step.step))
    note = "" if training else "training-graph statistics appear once the final evaluation has run (metrics.json)"
    return ReportSection("Samples (graphs)", groups, intro=intro, thumbnail=thumbnail, note=note)
