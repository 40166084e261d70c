"""ganforge-points: a ganforge domain plugin over rows of numbers (CSV)."""

from ganforge_points.domain import PointsDomain

__all__ = ["PointsDomain"]
