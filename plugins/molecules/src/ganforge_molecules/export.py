"""Files written for generated molecules.

* ``<stem>.smi``: one line per sample, ``SMILES<TAB>valid`` (canonical) or
  ``SMILES<TAB>invalid`` (as generated; ``<empty>``/``<unfinished>`` when the generator
  wrote nothing or never ended the string).
* ``<stem>.png``: a grid of the valid molecules (RDKit Draw) with QED and logP under each.
* ``<stem>.sdf``: the valid molecules with 2D coordinates and QED/logP/SA/MW fields.
* ``final_properties.png``: histograms of QED, logP, SA and MW, generated vs reference,
  with the Wasserstein distances in the titles.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from .chem import PROPERTY_FUNCTIONS, canonical, mol_to_block, rdkit_modules, to_mol  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from .metrics import MoleculeStats

PROPERTY_LABELS = {"qed": "QED", "logp": "logP", "sa": "SA score", "mw": "molecular weight"}


def smi_lines(smiles: Sequence[str]) -> list[str]:
    """``SMILES<TAB>valid|invalid`` per sample (see the module docstring); ``''`` = unfinished."""
    lines = []
    for s in smiles:
        can = canonical(s)
        if can is not None:
            lines.append(f"{can}\tvalid")
        else:
            lines.append(f"{s or '<unfinished>'}\tinvalid")
    return lines


def write_smi(smiles: Sequence[str], path: Path) -> Path:
    """Write :func:`smi_lines` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(smi_lines(smiles)) + "\n", encoding="utf-8")
    return path


def write_grid(smiles: Sequence[str], path: Path, per_row: int = 4, size: int = 250, max_mols: int = 64) -> Path:
    """PNG grid of the valid molecules among ``smiles`` with ``QED x.xx  logP y.y`` legends."""
    mols, legends = [], []
    for s in smiles:
        mol = to_mol(s)
        if mol is None:
            continue
        mols.append(mol)
        legends.append(f"QED {PROPERTY_FUNCTIONS['qed'](mol):.2f}  logP {PROPERTY_FUNCTIONS['logp'](mol):.1f}")
        if len(mols) >= max_mols:
            break
    path.parent.mkdir(parents=True, exist_ok=True)
    if not mols:
        img = Image.new("RGB", (size * per_row, size // 2), "white")
        ImageDraw.Draw(img).text((10, 10), f"no valid molecule among {len(smiles)} samples", fill="black")
        img.save(path)
        return path
    from rdkit.Chem import Draw  # on use, as every RDKit module here (see chem.rdkit_modules)

    img = Draw.MolsToGridImage(mols, molsPerRow=min(per_row, len(mols)), subImgSize=(size, size), legends=legends)
    img.save(path)
    return path


def write_sdf(smiles: Sequence[str], path: Path) -> Path:
    """SDF of the valid molecules (2D coordinates; fields ``QED``, ``logP``, ``SA``, ``MW``, ``sample``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = rdkit_modules().Chem.SDWriter(str(path))
    try:
        for i, s in enumerate(smiles):
            mol = mol_to_block(s, f"sample_{i:05d}")
            if mol is None:
                continue
            mol.SetIntProp("sample", i)
            for key, label in (("qed", "QED"), ("logp", "logP"), ("sa", "SA"), ("mw", "MW")):
                mol.SetDoubleProp(label, round(PROPERTY_FUNCTIONS[key](mol), 4))
            writer.write(mol)
    finally:
        writer.close()
    return path


def property_histograms(gen: MoleculeStats, ref: MoleculeStats, path: Path, metrics: dict[str, float] | None = None) -> Path:
    """Histograms of QED, logP, SA and MW (generated vs reference) with the Wasserstein distances."""
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.6))
    for ax, key in zip(axes, ("qed", "logp", "sa", "mw")):
        a, b = gen.props[key], ref.props[key]
        lo, hi = float(min(a.min(), b.min())), float(max(a.max(), b.max()))
        bins = 40 if hi > lo else 1
        ax.hist(b, bins=bins, range=(lo, hi), density=True, alpha=0.5, label=f"reference ({len(b)})")
        ax.hist(a, bins=bins, range=(lo, hi), density=True, alpha=0.5, label=f"generated ({len(a)})")
        w = (metrics or {}).get(f"{key}/wasserstein/test")
        ax.set_title(PROPERTY_LABELS[key] + ("" if w is None else f"  (W1 = {w:.3g})"))
        ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
