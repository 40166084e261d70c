"""The ganforge conformance suite for the ``midi`` domain (real Hydra, Trainer, files)."""

from __future__ import annotations

from pathlib import Path

import pretty_midi
from PIL import Image

from ganforge.testing import PluginConformance


class TestMidiConformance(PluginConformance):
    """Discovery, composition, smoke training of seqgan and mle, gan-sample, bad data."""

    domain = "midi"
    bad_data = [
        (["data.path=/no/such/midi/folder"], "/no/such/midi/folder"),
        (["data.tokenizer=abc"], "unknown tokenizer 'abc'; valid choices: events, melody88"),
        (["data.melody88.seq_len=4096"], "gave no training window of 4096 tokens"),
        (["data.export.program=128"], "export.program: 128"),
    ]
    sample_options = {"seqgan": ["tempo=90", "program=73"], "mle": ["temperature=0.7"]}

    def check_sample_file(self, path: Path) -> None:
        """Every .mid parses with notes on the piano; every .png is an image."""
        if path.suffix == ".png":
            with Image.open(path) as img:
                assert img.size[0] > 100 and img.size[1] > 100
            return
        assert path.suffix == ".mid", path
        pm = pretty_midi.PrettyMIDI(str(path))
        notes = [n for inst in pm.instruments for n in inst.notes]
        assert notes, f"{path} has no notes"
        assert all(21 <= n.pitch <= 108 and n.end > n.start for n in notes)

    def test_domain_is_discovered(self):
        """The plugin loads; its domain config is its own, the model configs are the sequence plugin's."""
        from importlib.resources import files

        plugin = self.plugin()
        assert plugin.name == "midi" and plugin.default_model in plugin.models
        assert files(plugin.config_package).joinpath("domain", "midi.yaml").is_file()
        for model in plugin.models:
            # shared, not copied: a second model/<name>.yaml on Hydra's search path would shadow the original
            assert files("ganforge_sequence.conf").joinpath("model", f"{model}.yaml").is_file()
            assert not files(plugin.config_package).joinpath("model", f"{model}.yaml").is_file()
            assert files(plugin.config_package).joinpath("smoke", f"smoke_midi_{model}.yaml").is_file()
