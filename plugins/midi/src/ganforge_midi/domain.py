"""The ``midi`` domain plugin: symbolic music with the sequence plugin's SeqGAN and MLE models."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ganforge_midi.datamodule import MidiDataModule
from ganforge_midi.export import export_settings, export_token_samples
from ganforge_sequence.domain import SequenceDomain
from ganforge_sequence.models import SequenceSamples


class MidiDomain(SequenceDomain):
    """MIDI music: melody (``melody88``) or polyphonic REMI (``events``) tokens, SeqGAN / MLE.

    The models, their configs (``model=seqgan|mle``) and the training loop are the
    sequence plugin's; this domain supplies the MIDI data module, MIDI/piano-roll export
    and the music metrics.
    """

    name = "midi"
    description = "MIDI music (folder of .mid; embedded public-domain tunes): melody88 / REMI events tokens"
    config_package = "ganforge_midi.conf"
    datamodule_class = MidiDataModule

    def export_samples(self, samples: Any, out_dir: Path, stem: str, individual: bool = False) -> list[Path]:
        """``<stem>.mid`` + ``<stem>.png`` piano-roll sheet, or one ``<stem>_NNN.mid`` per sample."""
        return self._export(samples, Path(out_dir), stem, individual, {})

    def _export(self, samples: Any, out_dir: Path, stem: str, individual: bool, overrides: Mapping[str, Any]) -> list[Path]:
        if not isinstance(samples, SequenceSamples):
            raise TypeError(f"midi.export_samples expects SequenceSamples, got {type(samples).__name__}")
        if "export" not in samples.spec:
            from ganforge import GanforgeError

            raise GanforgeError("midi samples carry no data spec 'export' (tempo, program); build the model with "
                                "plugin.make_module(cfg, spec) or set module.spec to the data module's spec()")
        settings = export_settings({**dict(samples.spec["export"]), **overrides})
        return export_token_samples(
            samples.tokens, samples.tokenizer, out_dir, stem, individual, settings["tempo"], settings["program"]
        )

    def sample_to_files(self, module: Any, n: int, out_dir: Path, options: Mapping[str, Any]) -> list[Path]:
        """``gan-sample``: ``n`` .mid files; options ``temperature``, ``tempo`` (bpm), ``program`` (GM 0..127)."""
        self.check_sample_options(options, module)
        options = dict(options)
        overrides = {k: options.pop(k) for k in ("tempo", "program") if k in options}
        samples = module.sample(n, **options)
        return self._export(samples, Path(out_dir), "sample", True, overrides)

    def config_schemas(self, model):
        """Typed schemas of this domain's groups (checked by ``gan-run`` before training)."""
        from ganforge_midi.schemas import MidiData

        return {**super().config_schemas(model), "data": MidiData}

    def sample_options(self) -> Sequence[str]:
        """``temperature`` (softmax temperature), ``tempo`` and ``program`` of the written files."""
        return ("temperature", "tempo", "program")

    def report_section(self, run_dir: Path, assets_dir: Path):
        """Piano rolls, audio previews (FluidSynth + GM soundfont, else sine synthesis) and .mid links."""
        from ganforge_midi.report import midi_report_section

        return midi_report_section(Path(run_dir), Path(assets_dir))

    def media_for_logging(self, files: Sequence[Path], assets_dir: Path) -> list:
        """The piano-roll sheet as an image and the synthesised preview as audio (TensorBoard)."""
        from ganforge.report import Media
        from ganforge_midi.report import midi_preview

        media = [Media("image", "samples/pianoroll", p) for p in files if p.suffix.lower() == ".png"]
        media += [Media("audio", "samples/preview", midi_preview(p, assets_dir)[0]) for p in files if p.suffix.lower() == ".mid"]
        return media
