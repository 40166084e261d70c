"""The ``images`` domain plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ganforge import DomainPlugin, choices_error
from ganforge_images.data.datamodule import ImageDataModule
from ganforge_images.export import export_images
from ganforge_images.models import MODELS


class ImagesDomain(DomainPlugin):
    """Image GANs: DCGAN and friends over folders of images or MNIST-style data."""

    name = "images"
    models = tuple(MODELS)
    default_model = "dcgan"
    config_package = "ganforge_images.conf"
    description = "Image GANs (PNG/JPEG folders, MNIST idx/npz; embedded MNIST digits)"

    def build_datamodule(self, cfg: Any) -> ImageDataModule:
        """In-memory image data from ``cfg.data``."""
        return ImageDataModule(cfg.data)

    def build_module(self, cfg: Any, spec: Mapping[str, Any]):
        """The model class registered under ``cfg.model.name``."""
        name = cfg.model.name
        if name not in MODELS:
            raise choices_error("model for domain 'images'", name, MODELS)
        return MODELS[name](cfg, spec)

    def export_samples(self, samples: Any, out_dir: Path, stem: str, individual: bool = False) -> list[Path]:
        """PNG grid (run dirs) or one PNG per image (gan-sample)."""
        return export_images(samples, Path(out_dir), stem, individual)
