"""The ``molecules`` domain plugin: SMILES with the sequence plugin's SeqGAN/MLE and ORGAN."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ganforge_sequence.domain import SequenceDomain
from ganforge_sequence.models import MODELS as SEQUENCE_MODELS
from ganforge_sequence.models import SequenceSamples

from .datamodule import MoleculesDataModule, generated_smiles
from .export import write_grid, write_sdf, write_smi
from .organ import ORGAN

MODELS = {"seqgan": SEQUENCE_MODELS["seqgan"], "organ": ORGAN, "mle": SEQUENCE_MODELS["mle"]}


class MoleculesDomain(SequenceDomain):
    """Molecules as SMILES: SeqGAN, ORGAN (RDKit objectives) and MLE; MOSES metrics.

    The generator, discriminator, rollouts and training loop are the sequence plugin's
    (``model=seqgan|mle`` use its configs); ``model=organ`` (this plugin) adds the
    objective reward. This domain supplies the SMILES data module, the metrics and the
    ``.smi`` / ``.png`` / ``.sdf`` export.
    """

    name = "molecules"
    description = "Molecules as SMILES (CSV/SMI/TXT; embedded MOSES subset): SeqGAN, ORGAN, MLE; MOSES metrics"
    config_package = "ganforge_molecules.conf"
    models = tuple(MODELS)
    model_classes = MODELS
    default_model = "seqgan"
    datamodule_class = MoleculesDataModule

    def build_datamodule(self, cfg: Any) -> MoleculesDataModule:
        """The data module from ``cfg.data`` and ``cfg.metrics`` (its ``from_config`` builder)."""
        return MoleculesDataModule.from_config(cfg)

    @staticmethod
    def _smiles(samples: Any) -> list[str]:
        if not isinstance(samples, SequenceSamples):
            raise TypeError(f"molecules.export_samples expects SequenceSamples, got {type(samples).__name__}")
        return generated_smiles(samples.tokens, samples.tokenizer)

    def export_samples(self, samples: Any, out_dir: Path, stem: str, individual: bool = False) -> list[Path]:
        """``<stem>.smi`` (every sample, invalid ones marked) and ``<stem>.png`` (grid of the valid ones);
        with ``individual=True`` (``gan-sample``) ``<stem>.smi`` and ``<stem>.sdf``."""
        smiles = self._smiles(samples)
        out_dir = Path(out_dir)
        paths = [write_smi(smiles, out_dir / f"{stem}.smi")]
        if individual:
            paths.append(write_sdf(smiles, out_dir / f"{stem}.sdf"))
        else:
            paths.append(write_grid(smiles, out_dir / f"{stem}.png"))
        return paths

    def sample_to_files(self, module: Any, n: int, out_dir: Path, options: Mapping[str, Any]) -> list[Path]:
        """``gan-sample``: ``samples.smi``, ``samples.sdf`` and ``samples.png``; option ``temperature``."""
        self.check_sample_options(options, module)
        samples = module.sample(n, **dict(options))
        paths = self.export_samples(samples, Path(out_dir), "samples", individual=True)
        paths.append(write_grid(self._smiles(samples), Path(out_dir) / "samples.png"))
        return paths

    def config_schemas(self, model):
        """Typed schemas of this domain's groups (ORGAN adds ``model.organ``)."""
        from ganforge_molecules.schemas import SCHEMAS, OrganModel
        from ganforge_sequence.schemas import MODEL_SCHEMAS

        return {**SCHEMAS, "model": OrganModel if model == "organ" else MODEL_SCHEMAS.get(model, MODEL_SCHEMAS["seqgan"])}

    def sample_options(self) -> Sequence[str]:
        """``temperature`` (softmax temperature, default 1)."""
        return ("temperature",)
