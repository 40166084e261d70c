"""Parsing the ``label=`` option of ``gan-sample`` for class-conditional models."""

from __future__ import annotations

from typing import Any, Sequence

import torch

from ganforge.errors import GanforgeError


def parse_labels(value: Any, num_classes: int, class_names: Sequence[str] = ()) -> list[int]:
    """Class indices from ``7``, ``"7"``, ``"[1,2,3]"``, ``"1,2,3"``, ``[1, 2]`` or class names.

    Raises a one-line :class:`GanforgeError` naming the bad label and the valid range/names.
    """
    if isinstance(value, (list, tuple)):
        items = list(value)
    else:
        text = str(value).strip().strip("[]")
        items = [t.strip().strip("'\"") for t in text.split(",") if t.strip()]
    if not items:
        raise GanforgeError(f"label={value!r}: expected a class index in 0..{num_classes - 1} or a list of them")
    names = [str(n) for n in class_names]
    out = []
    for item in items:
        text = str(item)
        if text.lstrip("-").isdigit():
            index = int(text)
        elif text in names:
            index = names.index(text)
        else:
            index = -1
        if not 0 <= index < num_classes:
            named = f" or a class name ({', '.join(names)})" if names and names != [str(i) for i in range(num_classes)] else ""
            raise GanforgeError(f"label={item}: expected a class index in 0..{num_classes - 1}{named}")
        out.append(index)
    return out


def cycle_labels(labels: Sequence[int], n: int, device: torch.device | None = None) -> torch.Tensor:
    """``n`` labels repeating ``labels`` in order (``[3]`` -> all threes; ``range(10)`` -> 0..9, 0..9 ...)."""
    base = torch.as_tensor(list(labels), dtype=torch.long, device=device)
    return base.repeat((n + len(base) - 1) // len(base))[:n]
