"""Hydra config groups of the sequence plugin (domain/, model/, smoke/)."""
