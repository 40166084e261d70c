"""MIDI tokenizers, chosen by ``data.tokenizer.name`` and rebuilt from the checkpoint spec.

Each tokenizer's spec also carries ``kind: midi_<name>``, registered with the sequence
plugin's tokenizer registry so its SeqGAN/MLE models rebuild MIDI tokenizers themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ganforge.errors import GanforgeError, choices_error
from ganforge_midi.tokenizers.base import MidiTokenizer
from ganforge_midi.tokenizers.events import EventsTokenizer
from ganforge_midi.tokenizers.melody88 import Melody88Tokenizer
from ganforge_sequence.tokenizer import register_tokenizer

TOKENIZERS: dict[str, type[MidiTokenizer]] = {
    Melody88Tokenizer.name: Melody88Tokenizer,
    EventsTokenizer.name: EventsTokenizer,
}

__all__ = ["TOKENIZERS", "EventsTokenizer", "Melody88Tokenizer", "MidiTokenizer", "tokenizer_from_spec"]


def tokenizer_from_spec(spec: Mapping[str, Any]) -> MidiTokenizer:
    """Build a tokenizer from ``{"name": ..., **arguments}`` (a config node or a saved spec)."""
    spec = dict(spec)
    spec.pop("kind", None)
    name = spec.pop("name", None)
    if name not in TOKENIZERS:
        raise choices_error("tokenizer", name, TOKENIZERS, where="data.tokenizer.name")
    cls = TOKENIZERS[name]
    try:
        return cls(**spec)
    except TypeError as exc:
        import inspect

        valid = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        raise GanforgeError(
            f"data.tokenizer: bad option for tokenizer '{name}' ({exc}); valid options: {', '.join(valid)}"
        ) from None


for _name in TOKENIZERS:
    register_tokenizer(f"midi_{_name}", tokenizer_from_spec)
