"""Hydra config groups of the graphs domain (domain/, model/, smoke/)."""
