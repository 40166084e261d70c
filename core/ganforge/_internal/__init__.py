"""Machinery behind ``gan-run`` that plugins must not rely on: training assembly,
config composition, callbacks, loggers, the registry, sweeps, run locks and status,
resume and checkpoint I/O, signal handling.

It may change between versions. Plugins, bench scripts and the tutorial plugin reach
what they need through the names :mod:`ganforge` exports (``compose_config``, ``train``,
``make_trainer``, ``get_registry``, ``load_module`` ...); ``tests/test_public_api.py``
fails on any import of ``ganforge._internal`` from them.
"""
