"""The points plugin passes ganforge's plugin conformance suite."""

import csv

from ganforge.testing import PluginConformance


class TestPointsConformance(PluginConformance):
    domain = "points"
    bad_data = [(["data.path=/no/such/rows.csv"], "/no/such/rows.csv")]

    def check_sample_file(self, path):
        super().check_sample_file(path)
        if path.suffix == ".csv":
            rows = list(csv.reader(path.read_text().splitlines()))
            assert rows[0][0] == "x0" and len(rows) > 1
            assert all(len(r) == len(rows[0]) for r in rows)
