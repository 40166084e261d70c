"""Hydra config groups of the audio domain (domain/, model/, smoke/)."""
