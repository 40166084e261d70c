"""ganforge_molecules: molecules as SMILES -- SeqGAN, ORGAN and MLE with RDKit rewards and MOSES metrics.

Domain registered by this distribution (entry point ``ganforge.domains``): ``molecules``
(:class:`~ganforge_molecules.domain.MoleculesDomain`), models ``seqgan`` and ``mle`` (the
sequence plugin's, unchanged) and ``organ`` (:class:`~ganforge_molecules.organ.ORGAN`).

Public API:

Tokens
    :class:`~ganforge_molecules.tokenizer.SmilesTokenizer` (kind ``smiles``, registered
    with the sequence plugin's tokenizer registry), :func:`~ganforge_molecules.tokenizer.tokenize`,
    ``SMILES_REGEX``.
Data
    :class:`~ganforge_molecules.datamodule.MoleculesDataModule`,
    :func:`~ganforge_molecules.reading.read_smiles_file`, :func:`~ganforge_molecules.reading.embedded_path`.
Chemistry
    :mod:`ganforge_molecules.chem`: ``to_mol``, ``canonical``, ``qed``, ``logp``, ``sa``, ``mw``.
Reward
    :class:`~ganforge_molecules.organ.ORGAN`, :class:`~ganforge_molecules.organ.ObjectiveReward`,
    ``OBJECTIVES``, :func:`~ganforge_molecules.organ.repeat_weights`.
Metrics
    :func:`~ganforge_molecules.metrics.moses_metrics`, :func:`~ganforge_molecules.metrics.reference_stats`,
    :func:`~ganforge_molecules.metrics.internal_diversity`, :func:`~ganforge_molecules.metrics.snn`.
Export
    :mod:`ganforge_molecules.export`: ``write_smi``, ``write_grid``, ``write_sdf``, ``property_histograms``.
"""

from __future__ import annotations

from .datamodule import MoleculesDataModule
from .domain import MoleculesDomain
from .metrics import internal_diversity, moses_metrics, reference_stats, snn
from .organ import OBJECTIVES, ORGAN, ObjectiveReward, repeat_weights
from .reading import embedded_path, read_smiles_file
from .tokenizer import SMILES_REGEX, SmilesTokenizer, tokenize

__version__ = "0.1.0"

__all__ = [
    "OBJECTIVES", "ORGAN", "MoleculesDataModule", "MoleculesDomain", "ObjectiveReward", "SMILES_REGEX",
    "SmilesTokenizer", "embedded_path", "internal_diversity", "moses_metrics", "read_smiles_file",
    "reference_stats", "repeat_weights", "snn", "tokenize", "__version__",
]
