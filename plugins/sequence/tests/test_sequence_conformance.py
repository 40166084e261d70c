"""The oracle and poetry domains pass the shared plugin conformance suite."""

from __future__ import annotations

from pathlib import Path

from ganforge.testing import PluginConformance


class TestOracleConformance(PluginConformance):
    domain = "oracle"
    bad_data = [
        (["data.path=/no/such/file"], "data.path=/no/such/file"),
        (["data.vocab_size=1"], "data.vocab_size"),
        (["model.pg.baseline=median"], "unknown baseline 'median'"),
    ]

    def check_sample_file(self, path: Path) -> None:
        lines = path.read_text(encoding="utf-8").strip().split("\n")
        assert lines
        for line in lines:
            ids = [int(w) for w in line.split()]
            assert len(ids) == 8 and all(0 <= i < 40 for i in ids)  # smoke oracle: length 8, vocab 40


class TestPoetryConformance(PluginConformance):
    domain = "poetry"
    sample_options = {"seqgan": ["temperature=0.7"]}
    bad_data = [
        (["data.path=/no/such/poems"], "/no/such/poems"),
        (["data.seq_len=10"], "data.seq_len=10"),
        (["model.discriminator.filter_sizes=[30]", "model.discriminator.num_filters=[4]"], "filter_sizes: widths [30]"),
    ]

    def check_sample_file(self, path: Path) -> None:
        poems = path.read_text(encoding="utf-8").strip().split("\n\n")
        assert poems
        for poem in poems:
            assert len(poem.split("\n")) == 4, poem
