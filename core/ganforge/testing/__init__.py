"""Conformance tests any ganforge domain plugin can run against itself.

Use in a plugin's test suite::

    from ganforge.testing import PluginConformance

    class TestMyDomain(PluginConformance):
        domain = "points"
        bad_data = [(["data.path=/no/such/file.csv"], "/no/such/file.csv")]

        def check_sample_file(self, path):          # optional, domain-specific
            assert path.suffix == ".csv" and len(path.read_text().splitlines()) > 1

Every test uses the real Hydra composition, a real Lightning Trainer (``debug=smoke``
on the CPU) and the files the plugin writes.
"""

from ganforge.testing.conformance import PluginConformance
from ganforge.testing.runs import assert_run_layout, compose_smoke, run_smoke, sample_files

__all__ = ["PluginConformance", "assert_run_layout", "compose_smoke", "run_smoke", "sample_files"]
