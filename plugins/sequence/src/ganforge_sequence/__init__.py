"""ganforge_sequence: sequence GANs (SeqGAN, MLE baseline) -- public API documented in Phase B."""
