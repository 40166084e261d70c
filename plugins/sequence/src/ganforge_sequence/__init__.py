"""ganforge_sequence: sequence GANs -- SeqGAN and its MLE baseline -- for any token vocabulary.

Domains registered by this distribution (entry points ``ganforge.domains``):

* ``oracle`` -- the synthetic benchmark of the SeqGAN paper (NLL_oracle, NLL_test).
* ``poetry`` -- character-level Chinese quatrains (BLEU-2, Self-BLEU-2, NLL_test).

Public API, for users and for plugins that add other token domains (e.g. MIDI):

Models (``model=seqgan`` / ``model=mle``; configs in ``ganforge_sequence.conf/model``,
visible to every domain through Hydra's search path)
    :class:`~ganforge_sequence.models.SeqGAN`, :class:`~ganforge_sequence.models.MLEGenerator`,
    ``MODELS`` (name -> class). They need only the data spec keys ``vocab_size``,
    ``seq_len``, ``start_token`` and ``tokenizer`` (see below). Samples are
    :class:`~ganforge_sequence.models.SequenceSamples` (``tokens``, ``tokenizer``, ``spec``;
    ``texts()`` decodes). Phase kinds: ``mle``, ``d_pretrain``, ``adversarial``.
    Both build on :class:`~ganforge_sequence.models.SequenceModel` (generator, ``mle``
    phase, sampling); ``MLEGenerator`` is it as is, ``SeqGAN`` adds the discriminator.
    Each takes flat keyword arguments: the token space, typed option groups
    (:mod:`ganforge_sequence.schemas`: ``GeneratorOptions``, ``DiscriminatorOptions``,
    ``PolicyGradientOptions`` ...) and ``settings`` (:class:`ganforge.GANSettings`);
    ``Model.from_config(cfg, spec)`` builds them from a run config (a notebook needs none).
Networks
    :class:`~ganforge_sequence.generator.LSTMGenerator` (a ``ganforge.policy_gradient.TokenPolicy``),
    :class:`~ganforge_sequence.discriminator.CNNDiscriminator`, :class:`~ganforge_sequence.discriminator.Highway`.
Data
    :class:`~ganforge_sequence.datamodules.SequenceDataModule` -- subclass it and implement
    ``load()`` to fill ``train_tokens``/``test_tokens`` (``LongTensor[N, T]``), ``tokenizer``
    and ``_spec``; override ``progress_metrics(generator, n)`` (logged during training) and
    ``final_metrics(generator, n)`` (``metrics.json``). ``OracleDataModule``, ``PoetryDataModule``.
Domains
    :class:`~ganforge_sequence.domain.SequenceDomain` -- subclass it with ``name``,
    ``description``, ``datamodule_class`` (and ``config_package`` for your domain yaml);
    override ``sample_texts`` or ``export_samples`` to write your file format.
Tokenizers (stored in checkpoints as plain data, so ``gan-sample`` needs no data set)
    an object with ``vocab_size``, ``encode(text, length)``, ``decode(ids)``, ``to_spec()``
    (a dict with a ``kind``); :func:`~ganforge_sequence.tokenizer.register_tokenizer` makes
    :func:`~ganforge_sequence.tokenizer.tokenizer_from_spec` rebuild your kind.
    Built in: :class:`~ganforge_sequence.tokenizer.CharTokenizer` (``char``),
    :class:`~ganforge_sequence.tokenizer.IntegerTokenizer` (``integer``).
Metrics
    :func:`~ganforge_sequence.bleu.bleu`, :func:`~ganforge_sequence.bleu.self_bleu`,
    :class:`~ganforge_sequence.bleu.ReferenceIndex` (nltk's sentence BLEU, indexed);
    :func:`~ganforge_sequence.oracle.nll_oracle`, :func:`~ganforge_sequence.oracle.nll_test`,
    :func:`~ganforge_sequence.oracle.build_oracle`, :func:`~ganforge_sequence.oracle.oracle_samples`.
Poems
    :func:`~ganforge_sequence.poetry.read_poems`, :func:`~ganforge_sequence.poetry.format_poem`,
    :func:`~ganforge_sequence.poetry.write_texts`.

The policy-gradient machinery itself (batched Monte-Carlo rollouts, the slow reference,
reward baselines, the delayed rollout policy, the REINFORCE loss) lives in the core:
:mod:`ganforge.policy_gradient`.
"""

from __future__ import annotations

from .bleu import ReferenceIndex, bleu, self_bleu
from .datamodules import OracleDataModule, PoetryDataModule, SequenceDataModule
from .discriminator import PAPER_FILTER_SIZES, PAPER_NUM_FILTERS, CNNDiscriminator, Highway
from .domain import OracleDomain, PoetryDomain, SequenceDomain
from .generator import LSTMGenerator
from .models import MODELS, MLEGenerator, SeqGAN, SequenceModel, SequenceSamples
from .oracle import PAPER_NLL_ORACLE, build_oracle, nll_oracle, nll_test, oracle_samples
from .poetry import embedded_poems_path, format_poem, read_poems, split_poems, write_texts
from .tokenizer import CharTokenizer, IntegerTokenizer, register_tokenizer, tokenizer_from_spec

__all__ = [
    "CNNDiscriminator", "CharTokenizer", "Highway", "IntegerTokenizer", "LSTMGenerator", "MLEGenerator", "MODELS",
    "OracleDataModule", "OracleDomain", "PAPER_FILTER_SIZES", "PAPER_NLL_ORACLE", "PAPER_NUM_FILTERS",
    "PoetryDataModule", "PoetryDomain", "ReferenceIndex", "SeqGAN", "SequenceDataModule", "SequenceDomain",
    "SequenceModel", "SequenceSamples", "bleu", "build_oracle", "embedded_poems_path", "format_poem", "nll_oracle", "nll_test",
    "oracle_samples", "read_poems", "register_tokenizer", "self_bleu", "split_poems", "tokenizer_from_spec",
    "write_texts",
]
