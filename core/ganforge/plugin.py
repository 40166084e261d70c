"""The contract between the ganforge core and a domain plugin.

A domain plugin is a class (or instance) registered under the entry-point group
``ganforge.domains``; the entry point's name is the domain name users type
(``gan-run domain=<name>``). Built-in domains use exactly the same mechanism as a
third party's package.

What a domain supplies:

* ``config_package`` -- an importable package holding Hydra config groups
  (``domain/<name>.yaml``, ``model/<model>.yaml``, ``smoke/<name>_<model>.yaml`` ...).
  ``gan-run`` adds it to Hydra's search path before composing.
* ``build_datamodule(cfg)`` -- a ``LightningDataModule`` for the configured data.
* ``build_module(cfg, spec)`` -- the :class:`~ganforge.module.AdversarialModule` for
  ``cfg.model.name`` (by default looked up in ``model_classes``). ``spec`` is the plain ``dict`` returned by the data module's
  ``spec()`` (channels, image size, vocabulary ...). It is saved in every checkpoint so
  that ``gan-sample`` can rebuild the model without the data set.
* ``export_samples(samples, out_dir, stem)`` -- write generated samples as real files
  (PNG, WAV, MIDI, edge lists ...) and return their paths.
* ``evaluate(module, datamodule)`` -- final/periodic metric values (flat ``str -> float``).
* ``sample_to_files(module, n, out_dir, options)`` -- what ``gan-sample`` calls; the
  default draws ``module.sample(n, **options)`` and exports one file per sample.
* ``report_section(run_dir, assets_dir)`` -- the domain's samples in the HTML run report
  (``gan-report``); the default shows the files under ``samples/`` by step.
* ``media_for_logging(files, assets_dir)`` -- a sample step's images/audio for
  TensorBoard; ``generator_for_export(module, n, options)`` -- the network and example
  inputs ``gan-export`` writes; ``export_interpolation`` -- ``gan-sample interpolate=K`` sheets.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # pragma: no cover - typing only
    import lightning.pytorch as pl
    from omegaconf import DictConfig

    from ganforge.module import AdversarialModule


class DataSpecMixin:
    """Mixin for data modules: ``spec()`` describes the data a model needs to be built.

    Subclasses set ``self._spec`` (a JSON-friendly ``dict``) in ``setup``/``prepare``,
    or override :meth:`spec`. The spec is stored in checkpoints, so it must only hold
    plain Python values (numbers, strings, lists, dicts).
    """

    _spec: dict | None = None

    def spec(self) -> dict:
        """Return the data description used to build the model (after ``setup``)."""
        if self._spec is None:
            raise RuntimeError(
                f"{type(self).__name__}.spec() called before setup(): call setup('fit') first"
            )
        return dict(self._spec)


class DomainPlugin(ABC):
    """Base class every domain plugin implements (see the module docstring).

    Class attributes:
        name: the domain name (must equal the entry-point name).
        models: model names this domain accepts (``model/<name>.yaml`` must exist in
            ``config_package``).
        default_model: used when the user gives ``domain=...`` without ``model=...``.
        config_package: dotted name of the package holding this plugin's config groups.
        description: one line shown by ``gan-plugins``.
        model_classes: optional ``name -> AdversarialModule subclass`` used by the
            default :meth:`build_module`.
    """

    name: ClassVar[str]
    models: ClassVar[Sequence[str]]
    default_model: ClassVar[str]
    config_package: ClassVar[str]
    description: ClassVar[str] = ""
    model_classes: ClassVar[Mapping[str, type] | None] = None

    @abstractmethod
    def build_datamodule(self, cfg: DictConfig) -> pl.LightningDataModule:
        """Build the data module for the composed config (``cfg.data`` etc.)."""

    def model_class(self, name: str) -> type:
        """The class registered for model ``name`` in ``model_classes``, or a one-line
        error listing this domain's models."""
        from ganforge.errors import choices_error

        classes = self.model_classes or {}
        if name not in classes:
            raise choices_error(f"model for domain '{self.name}'", name, classes or self.models)
        return classes[name]

    def build_module(self, cfg: DictConfig, spec: Mapping[str, Any]) -> AdversarialModule:
        """Build the adversarial module for ``cfg.model.name`` from the data ``spec``.

        The default calls the model class's builder,
        ``model_classes[cfg.model.name].from_config(cfg, spec)``; override for anything
        else. Callers use :meth:`make_module`, which also records the config and spec.
        """
        return self.model_class(cfg.model.name).from_config(cfg, spec)

    def make_module(self, cfg: DictConfig, spec: Mapping[str, Any]) -> AdversarialModule:
        """:meth:`build_module`, then attach ``cfg`` and ``spec`` to the module so its
        checkpoints can rebuild it (what ``gan-run``, ``gan-sample`` and scripts that call
        ``Trainer.fit`` themselves use). Not meant to be overridden."""
        module = self.build_module(cfg, spec)
        module.attach_run_config(cfg, spec)
        return module

    @abstractmethod
    def export_samples(
        self, samples: Any, out_dir: Path, stem: str, individual: bool = False
    ) -> list[Path]:
        """Write a batch of samples under ``out_dir`` (file names start with ``stem``).

        ``individual=False``: one sheet/grid (or a small set of files) for the periodic
        and final samples of a run dir. ``individual=True``: one file per sample (what
        ``gan-sample`` writes). Returns the written paths.
        """

    def evaluate(
        self, module: AdversarialModule, datamodule: pl.LightningDataModule | None
    ) -> dict[str, float]:
        """Compute metrics for ``module`` (its EMA generator is already active).

        Keys are flat and self-describing (e.g. ``fid/classifier/n1000/test``).
        The default computes nothing.

        Under DDP this runs on global rank 0 only while the other ranks wait, and the
        result is broadcast to them. It runs inside :func:`ganforge.distributed.local_only`:
        torchmetrics metrics (and any sync code that consults
        :func:`ganforge.distributed.distributed_available`) compute locally instead of
        waiting for ranks that never come; read data from ``datamodule`` directly, not
        through a distributed sampler.
        """
        return {}

    def sample_to_files(
        self, module: AdversarialModule, n: int, out_dir: Path, options: Mapping[str, Any]
    ) -> list[Path]:
        """Generate ``n`` samples and write one file per sample (``gan-sample``).

        ``options`` are the extra ``key=value`` arguments given to ``gan-sample``
        (e.g. ``label=7``, ``direction=AtoB``, ``input=DIR``); a plugin rejects the ones
        it does not know with :class:`~ganforge.errors.GanforgeError`.
        """
        self.check_sample_options(options, module)
        samples = module.sample(n, **dict(options))
        return self.export_samples(samples, out_dir, "sample", individual=True)

    def sample_options(self) -> Sequence[str]:
        """Names of the extra ``gan-sample`` options this domain understands."""
        return ()

    def config_schemas(self, model: str | None) -> Mapping[str, type]:
        """Typed schemas (dataclasses, see :mod:`ganforge.schema`) for this domain's
        config groups when ``model`` is selected, e.g. ``{"data": MyData, "model":
        MyModel}``. They add to the core's schemas of the same group; ``gan-run`` checks
        the composed config against them before building anything. Default: none."""
        return {}

    #: options ``gan-sample`` itself implements through the latent of any model with one
    GENERIC_SAMPLE_OPTIONS: ClassVar[tuple[str, ...]] = ("interpolate", "truncation")

    def valid_sample_options(self, module: AdversarialModule | None = None) -> list[str]:
        """The ``gan-sample`` options for ``module``: the model's declared
        ``SAMPLE_OPTIONS``, the domain's :meth:`sample_options` and
        :attr:`GENERIC_SAMPLE_OPTIONS`."""
        declared = tuple(type(module).SAMPLE_OPTIONS) if module is not None else ()
        return sorted({*declared, *self.sample_options(), *self.GENERIC_SAMPLE_OPTIONS})

    def check_sample_options(self, options: Mapping[str, Any], module: AdversarialModule | None = None) -> None:
        """The one check of ``gan-sample`` options: unknown names are a one-line error
        listing the valid ones (raised before anything is written)."""
        valid = self.valid_sample_options(module)
        unknown = sorted(set(options) - set(valid))
        if unknown:
            from ganforge.errors import GanforgeError

            model = f"model '{module.settings.model.name}' of " if module is not None and module.settings.model.name else ""
            raise GanforgeError(f"gan-sample: unknown option(s) {unknown} for {model}domain '{self.name}'; valid: {valid}")

    def export_interpolation(self, samples: Any, out_dir: Path, stem: str, steps: int) -> list[Path]:
        """Write ``gan-sample interpolate=K`` output: ``samples`` holds paths of ``steps``
        samples each, path-major. The default writes one sheet (``individual=False``)."""
        return self.export_samples(samples, out_dir, stem, individual=False)

    def report_section(self, run_dir: Path, assets_dir: Path) -> Any:
        """This domain's part of the run report (``gan-report``; :mod:`ganforge.report`).

        Returns a :class:`ganforge.report.ReportSection`. ``assets_dir`` is where derived
        files the page needs may be written (labelled plots, audio previews). The default
        shows every file under ``samples/`` by training step: images shown, WAVs playable,
        text inline, the rest linked.
        """
        from ganforge.report.sections import default_report_section

        return default_report_section(self.name, Path(run_dir))

    def media_for_logging(self, files: Sequence[Path], assets_dir: Path) -> list[Any]:
        """Media of one sample step for experiment trackers (TensorBoard ``add_image`` /
        ``add_audio``): a list of :class:`ganforge.report.Media`. ``files`` are what
        :meth:`export_samples` wrote for the step. The default logs the PNG/JPEG images
        and WAV files among them."""
        from ganforge.report.media import default_media

        return default_media(files)

    def generator_for_export(self, module: AdversarialModule, n: int, options: Mapping[str, Any]) -> tuple[Any, tuple]:
        """The network ``gan-export`` writes and example inputs for a batch of ``n``:
        ``(nn.Module, (tensor, ...))``. The default is the sampling (EMA) generator on the
        model's latent batch ``(module.sample_noise(n),)``; conditional, image-to-image or
        style-based models override it. ``options`` are extra ``key=value`` arguments of
        ``gan-export`` (e.g. ``direction=BtoA``); reject unknown ones with a one-line error."""
        if options:
            from ganforge.errors import GanforgeError

            raise GanforgeError(f"unknown gan-export option(s) {sorted(options)} for domain '{self.name}'; valid: none")
        return module.sampling_generator(), (module.sample_noise(n),)
