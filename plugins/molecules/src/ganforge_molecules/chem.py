"""RDKit helpers: parsing with RDKit's sanitisation as the validity test, canonical SMILES,
and the molecular properties used as ORGAN objectives and MOSES distribution metrics.

* QED -- Bickerton et al. 2012 (``rdkit.Chem.QED``), in [0, 1].
* logP -- Wildman-Crippen octanol/water partition coefficient (``Crippen.MolLogP``).
* SA -- Ertl & Schuffenhauer's synthetic accessibility score, 1 (easy) .. 10 (hard),
  from RDKit's Contrib ``SA_Score/sascorer.py`` (shipped inside the rdkit wheel but not
  importable as a module, hence the path juggling in :func:`sa_scorer`).
* MW -- average molecular weight (``Descriptors.MolWt``).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from functools import cache, lru_cache
from types import SimpleNamespace

PROPERTIES = ("qed", "logp", "sa", "mw")


@cache
def rdkit_modules() -> SimpleNamespace:
    """The RDKit modules this plugin uses, imported on first use.

    Why not at the top: every ``gan-run``, whatever its domain, loads each installed
    plugin at composition, and RDKit's chemistry modules take ~0.15 s to import.
    The first use also silences RDKit's log: it prints one stderr line per unparsable
    SMILES, and invalid samples are expected and counted by the callers, so the log
    would only bury the summary lines.
    """
    from rdkit import Chem, RDConfig, RDLogger
    from rdkit.Chem import QED, AllChem, Crippen, Descriptors, rdFingerprintGenerator
    from rdkit.Chem.Scaffolds import MurckoScaffold

    RDLogger.DisableLog("rdApp.*")
    return SimpleNamespace(Chem=Chem, RDConfig=RDConfig, QED=QED, AllChem=AllChem, Crippen=Crippen,
                           Descriptors=Descriptors, MurckoScaffold=MurckoScaffold,
                           rdFingerprintGenerator=rdFingerprintGenerator)


def to_mol(smiles: str):
    """The sanitised RDKit molecule of ``smiles``, or ``None`` (empty, unparsable or failing sanitisation)."""
    if not smiles:
        return None
    mol = rdkit_modules().Chem.MolFromSmiles(smiles)
    if mol is None or mol.GetNumAtoms() == 0:
        return None
    return mol


def canonical(smiles: str) -> str | None:
    """RDKit's canonical SMILES of ``smiles``, or ``None`` when it is not a valid molecule."""
    mol = to_mol(smiles)
    return None if mol is None else rdkit_modules().Chem.MolToSmiles(mol)


def canonical_many(smiles: Iterable[str]) -> list[str | None]:
    """:func:`canonical` of each string."""
    return [canonical(s) for s in smiles]


@lru_cache(maxsize=1)
def sa_scorer():
    """RDKit Contrib's ``sascorer`` module (its fragment scores load once, on first use)."""
    path = os.path.join(rdkit_modules().RDConfig.RDContribDir, "SA_Score", "sascorer.py")
    if not os.path.isfile(path):  # pragma: no cover - only with a stripped rdkit install
        from ganforge.errors import GanforgeError

        raise GanforgeError(f"RDKit Contrib SA_Score not found at {path}; reinstall rdkit (pip install rdkit)")
    spec = importlib.util.spec_from_file_location("ganforge_molecules_sascorer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def qed(mol) -> float:
    """Quantitative estimate of drug-likeness, [0, 1]."""
    return float(rdkit_modules().QED.qed(mol))


def logp(mol) -> float:
    """Wildman-Crippen logP."""
    return float(rdkit_modules().Crippen.MolLogP(mol))


def sa(mol) -> float:
    """Synthetic accessibility score, 1 (easy) .. 10 (hard)."""
    return float(sa_scorer().calculateScore(mol))


def mw(mol) -> float:
    """Average molecular weight (Da)."""
    return float(rdkit_modules().Descriptors.MolWt(mol))


PROPERTY_FUNCTIONS = {"qed": qed, "logp": logp, "sa": sa, "mw": mw}


def fragments(mol) -> list[str]:
    """BRICS fragments as SMILES (MOSES's ``fragmenter``: cut at BRICS bonds, split the pieces)."""
    return rdkit_modules().Chem.MolToSmiles(rdkit_modules().AllChem.FragmentOnBRICSBonds(mol)).split(".")


def scaffold(mol) -> str:
    """Bemis-Murcko scaffold SMILES ('' for acyclic molecules, as in MOSES)."""
    try:
        return rdkit_modules().Chem.MolToSmiles(rdkit_modules().MurckoScaffold.GetScaffoldForMol(mol))
    except (ValueError, RuntimeError):  # RDKit raises on a few exotic ring systems
        return ""


def describe(smiles: list[str]) -> list[tuple[float, float, float, float, list[str], str]]:
    """For valid SMILES: ``(qed, logp, sa, mw, fragments, scaffold)`` each (a process-pool worker)."""
    out = []
    for s in smiles:
        mol = rdkit_modules().Chem.MolFromSmiles(s)
        out.append((qed(mol), logp(mol), sa(mol), mw(mol), fragments(mol), scaffold(mol)))
    return out


def mol_to_block(smiles: str, name: str = ""):
    """A molecule with 2D coordinates and a ``_Name`` (for SDF/PNG), or ``None`` when invalid."""
    mol = to_mol(smiles)
    if mol is None:
        return None
    rdkit_modules().AllChem.Compute2DCoords(mol)
    if name:
        mol.SetProp("_Name", name)
    return mol
