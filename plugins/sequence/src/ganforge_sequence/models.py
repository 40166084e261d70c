"""SeqGAN and its MLE baseline as ganforge :class:`~ganforge.AdversarialModule` models.

* :class:`~ganforge_sequence.sequence_model.SequenceModel` -- the shared part: the LSTM
  generator, the ``mle`` phase, sampling (:class:`SequenceSamples`), progress metrics.
* :class:`MLEGenerator` -- that model as is (the MLE baseline).
* :class:`~ganforge_sequence.seqgan.SeqGAN` -- adds the CNN discriminator, its
  pretraining (``d_pretrain``) and the policy-gradient ``adversarial`` phase.

:data:`MODELS` maps ``model.name`` to the class (``gan-sample`` and checkpoints load by
that name); every name stays importable from ``ganforge_sequence.models``.
"""

from __future__ import annotations

from .seqgan import SeqGAN
from .sequence_model import MLEGenerator, SequenceModel, SequenceSamples

__all__ = ["MODELS", "MLEGenerator", "SeqGAN", "SequenceModel", "SequenceSamples"]

MODELS = {"seqgan": SeqGAN, "mle": MLEGenerator}
