"""The ``oracle`` and ``poetry`` domain plugins."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ganforge import DomainPlugin

from .datamodules import OracleDataModule, PoetryDataModule, SequenceDataModule
from .models import MODELS, SequenceSamples
from .poetry import format_poem, write_texts


class SequenceDomain(DomainPlugin):
    """Shared behaviour of token-sequence domains: the ``seqgan``/``mle`` models and metrics.

    Subclasses set ``name``, ``description``, :attr:`datamodule_class` and implement
    :meth:`sample_texts` (the text written for each sample).
    """

    models = tuple(MODELS)
    model_classes = MODELS
    default_model = "seqgan"
    config_package = "ganforge_sequence.conf"
    datamodule_class: type[SequenceDataModule] = SequenceDataModule
    #: Between samples in a sheet file (one sequence per line by default).
    sheet_separator = "\n"

    def build_datamodule(self, cfg: Any) -> SequenceDataModule:
        """The domain's data module from the run config (its ``from_config`` builder)."""
        return self.datamodule_class.from_config(cfg)

    def sample_texts(self, samples: SequenceSamples) -> list[str]:
        """One text per sample (default: the tokenizer's decoding)."""
        return samples.texts()

    def export_samples(self, samples: Any, out_dir: Path, stem: str, individual: bool = False) -> list[Path]:
        """UTF-8 text: one sheet ``{stem}.txt`` or one ``{stem}_NNNN.txt`` per sample."""
        if not isinstance(samples, SequenceSamples):
            raise TypeError(f"{self.name}.export_samples expects SequenceSamples, got {type(samples).__name__}")
        return write_texts(self.sample_texts(samples), Path(out_dir), stem, individual, self.sheet_separator)

    def evaluate(self, module: Any, datamodule: Any) -> dict[str, float]:
        """The data module's final metrics of the (sampling) generator; none without data."""
        if datamodule is None or not hasattr(datamodule, "final_metrics"):
            return {}
        return module.progress_metrics(final=True, datamodule=datamodule)

    def config_schemas(self, model):
        """Typed schemas of this domain's groups (checked by ``gan-run`` before training)."""
        from ganforge_sequence.schemas import DATA_SCHEMAS, MODEL_SCHEMAS

        out = {"model": MODEL_SCHEMAS.get(model, MODEL_SCHEMAS["seqgan"])}
        return {"data": DATA_SCHEMAS[self.name], **out} if self.name in DATA_SCHEMAS else out

    def sample_options(self) -> Sequence[str]:
        """``gan-sample`` options: ``temperature=<float>`` (softmax temperature, default 1)."""
        return ("temperature",)

    def generator_for_export(self, module: Any, n: int, options: Any):
        """Not exportable: token generators sample autoregressively (a loop of sampling
        steps), not one forward pass of a fixed graph; checkpoints and gan-sample serve instead."""
        from ganforge import GanforgeError

        raise GanforgeError(
            f"model '{module.settings.model.name}' of domain '{self.name}' samples tokens one step at a time; "
            "only single-pass generators export (images, audio); use the checkpoint with gan-sample"
        )

    def report_section(self, run_dir: Path, assets_dir: Path):
        """Each sample step's texts, one card per sample (a poem per card for poetry)."""
        from .report import sequence_report_section

        return sequence_report_section(self.name, Path(run_dir), self.sheet_separator)


class OracleDomain(SequenceDomain):
    """SeqGAN's synthetic benchmark: data from a random oracle LSTM; NLL_oracle / NLL_test."""

    name = "oracle"
    description = "Synthetic oracle LSTM (vocab 5000, length 20) of the SeqGAN paper; NLL_oracle, NLL_test"
    datamodule_class = OracleDataModule


class PoetryDomain(SequenceDomain):
    """Character-level poems (embedded: 3,000 Tang five-character quatrains); BLEU-2, Self-BLEU."""

    name = "poetry"
    description = "Chinese quatrains, character level (text file/folder, one poem per line; embedded Tang quatrains)"
    datamodule_class = PoetryDataModule
    sheet_separator = "\n\n"

    def sample_texts(self, samples: SequenceSamples) -> list[str]:
        """Each poem laid out one verse per line (the data spec's ``lines`` verses)."""
        if "lines" not in samples.spec:
            from ganforge import GanforgeError

            raise GanforgeError("poetry samples carry no data spec 'lines' (verses per poem); build the model with "
                                "plugin.make_module(cfg, spec) or set module.spec to the data module's spec()")
        lines = int(samples.spec["lines"])
        return [format_poem(text, lines) for text in samples.texts()]
