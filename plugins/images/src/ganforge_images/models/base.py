"""What an image model declares to the images plugin, read once instead of probed with ``getattr``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

from ganforge import AdversarialModule, GANSettings
from ganforge.errors import GanforgeError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ganforge_images.augment import DiffAugment

#: ``data_kind`` values and the data each trains on
DATA_KINDS = {
    "images": "single images, labelled or not (ImageDataModule)",
    "paired": "aligned (A, B) pairs (PairedImageDataModule)",
    "unpaired": "two unrelated domains (UnpairedImageDataModule)",
}


class ImageModel(AdversarialModule):
    """Base of every image GAN here. Capabilities are class attributes:

    * ``data_kind`` -- which data module feeds it (:data:`DATA_KINDS`);
    * ``SAMPLE_OPTIONS`` (from the core) -- its own ``gan-sample`` options;
    * ``conditional`` -- it generates a requested class (``sample_labels(n)``, ``num_classes``);
      metrics then also score label accuracy;
    * ``reports_real_logits`` -- it records ``D(real)`` in its D step (ADA's heuristic needs it);
    * ``writes_own_samples`` -- :meth:`sample_to_files` writes ``gan-sample``'s files (sheets,
      translations) instead of the domain's one-PNG-per-image default.

    Subclasses take flat, typed keyword arguments plus ``settings`` and build their networks
    from them; their ``from_config(cfg, spec)`` builder reads those arguments from a run
    config and the data spec once. ``self.diffaugment`` is the
    :class:`~ganforge_images.augment.DiffAugment` hooked in front of the discriminator by
    :func:`~ganforge_images.augment.attach_diffaugment` (``None``: no augmentation).
    """

    data_kind: ClassVar[str] = "images"
    conditional: ClassVar[bool] = False
    reports_real_logits: ClassVar[bool] = False
    writes_own_samples: ClassVar[bool] = False

    def __init__(self, settings: GANSettings):
        super().__init__(settings)
        self.diffaugment: DiffAugment | None = None

    def sample_to_files(self, n: int, out_dir: Path, options: Mapping[str, Any]) -> list[Path]:
        """``gan-sample``'s files (models with ``writes_own_samples``)."""
        raise NotImplementedError(f"{type(self).__name__} declares writes_own_samples but has no sample_to_files")


def check_image_model(name: str, cls: type) -> type:
    """``cls`` if it is an :class:`ImageModel` with a known ``data_kind``; else a one-line error."""
    if not (isinstance(cls, type) and issubclass(cls, ImageModel)):
        raise GanforgeError(f"model={name}: {cls!r} is not an image model (subclass ganforge_images.models.base.ImageModel)")
    if cls.data_kind not in DATA_KINDS:
        raise GanforgeError(f"model={name}: data_kind={cls.data_kind!r}; expected one of {', '.join(DATA_KINDS)}")
    return cls
