"""ganforge molecules domain: SMILES generation with SeqGAN, ORGAN and MLE; MOSES metrics."""

__version__ = "0.1.0"
