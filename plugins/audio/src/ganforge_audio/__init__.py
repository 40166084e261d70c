"""ganforge audio domain: WaveGAN (raw waveforms) and SpecGAN (spectrograms + Griffin-Lim).

Import the pieces from their modules (``ganforge_audio.wavegan``, ``.specgan``,
``.audio_io`` ...); the domain plugin class registered under the ``ganforge.domains``
entry point is :class:`ganforge_audio.domain.AudioDomain`.
"""

__version__ = "0.1.0"
