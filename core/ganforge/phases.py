"""Training phases: e.g. ``mle_pretrain -> d_pretrain -> adversarial``.

A phase has a ``kind`` that names the module's handler (``<kind>_step``) and a
length in that handler's units (``steps``; ``null`` = until ``trainer.max_steps``
generator updates). The schedule is part of the checkpoint, so a resumed run
continues in the same phase at the same position.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ganforge.errors import GanforgeError


@dataclass
class Phase:
    """One phase of training: its name, handler kind and length in handler units."""

    name: str
    kind: str
    steps: int | None = None

    @classmethod
    def from_config(cls, item: Mapping[str, Any], index: int) -> Phase:
        """Build from a config mapping ``{name, kind, steps}`` (``kind`` defaults to ``name``)."""
        if "name" not in item:
            raise GanforgeError(f"model.phases[{index}]: missing key 'name' (got keys {sorted(item)})")
        steps = item.get("steps")
        if steps is not None and (int(steps) != steps or int(steps) < 0):
            raise GanforgeError(
                f"model.phases[{index}].steps: expected a non-negative integer or null, got {steps!r}"
            )
        return cls(str(item["name"]), str(item.get("kind") or item["name"]), None if steps is None else int(steps))


class PhaseSchedule:
    """Ordered phases with the position inside the current one."""

    def __init__(self, phases: Iterable[Phase]):
        self.phases = [p for p in phases if p.steps is None or p.steps > 0]
        if not self.phases:
            raise GanforgeError("model.phases: no phase with steps > 0; expected at least one phase")
        self.index = 0
        self.done_in_phase = 0

    @classmethod
    def from_config(cls, items: Iterable[Mapping[str, Any]] | None) -> PhaseSchedule:
        """Build from ``model.phases``; ``None`` means one unbounded ``adversarial`` phase."""
        if not items:
            return cls([Phase("adversarial", "adversarial", None)])
        return cls(Phase.from_config(dict(item), i) for i, item in enumerate(items))

    @property
    def finished(self) -> bool:
        """True once every bounded phase has run all its steps."""
        return self.index >= len(self.phases)

    @property
    def current(self) -> Phase:
        """The phase now running (the last one once finished)."""
        return self.phases[min(self.index, len(self.phases) - 1)]

    def advance(self, units: int) -> bool:
        """Count ``units`` completed in the current phase; return True if it ended."""
        if self.finished or units <= 0:
            return False
        self.done_in_phase += units
        steps = self.current.steps
        if steps is not None and self.done_in_phase >= steps:
            self.index += 1
            self.done_in_phase = 0
            return True
        return False

    def state_dict(self) -> dict:
        """Position and definition, for checkpoints."""
        return {"index": self.index, "done_in_phase": self.done_in_phase, "phases": [asdict(p) for p in self.phases]}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the position saved by :meth:`state_dict`."""
        self.index = int(state["index"])
        self.done_in_phase = int(state["done_in_phase"])
