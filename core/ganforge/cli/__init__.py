"""Console entry points: ``gan-run``, ``gan-sample``, ``gan-plugins``, ``gan-new-plugin``."""
