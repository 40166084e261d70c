"""Image networks."""
