"""ganforge graphs domain: NetGAN (random-walk WGAN) graph generation and the CELL baseline.

The building blocks live in small modules:

* :mod:`ganforge_graphs.loading` -- read NetGAN ``.npz``, edge-list text and PyG ``Data`` files.
* :mod:`ganforge_graphs.preprocessing` -- symmetrise, binarise, drop self-loops, keep the LCC.
* :mod:`ganforge_graphs.splits` -- the seeded, connected link-prediction split.
* :mod:`ganforge_graphs.random_walks` -- vectorised biased second-order random walks.
* :mod:`ganforge_graphs.assembly` -- graph assembly from a (sparse or chunked) score matrix.
* :mod:`ganforge_graphs.statistics` / :mod:`ganforge_graphs.evaluation` -- graph statistics,
  edge overlap and link-prediction scores.
* :mod:`ganforge_graphs.netgan_networks` / :mod:`ganforge_graphs.cell_model` -- the models.
* :mod:`ganforge_graphs.exporters` -- edge lists, PyG files, drawings and degree plots.
"""

__version__ = "0.1.0"
