"""ganforge MIDI domain: melody and polyphonic tokenizations, MIDI export and music metrics."""

__version__ = "0.1.0"
