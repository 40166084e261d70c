"""The ``images`` domain plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ganforge import DomainPlugin
from ganforge.schema import build
from ganforge_images.augment import attach_diffaugment
from ganforge_images.data.datamodule import ImageDataModule
from ganforge_images.data.paired import PairedImageDataModule
from ganforge_images.data.unpaired import UnpairedImageDataModule
from ganforge_images.evaluation import evaluate_images
from ganforge_images.export import export_images
from ganforge_images.models import MODELS
from ganforge_images.models.base import check_image_model
from ganforge_images.schemas import DiffAugmentSettings

# which data module a model's ``data_kind`` trains on
DATAMODULES = {"images": ImageDataModule, "paired": PairedImageDataModule, "unpaired": UnpairedImageDataModule}


class ImagesDomain(DomainPlugin):
    """Image GANs: DCGAN, WGAN-GP, CGAN, pix2pix, CycleGAN and StyleGAN2 over folders of images or MNIST-style data."""

    name = "images"
    models = tuple(MODELS)
    model_classes = MODELS
    default_model = "dcgan"
    config_package = "ganforge_images.conf"
    description = "Image GANs (PNG/JPEG folders, MNIST idx/npz; embedded MNIST digits); FID/KID/IS offline"

    def build_datamodule(self, cfg: Any):
        """In-memory data from ``cfg.data``: images (labelled or not), aligned pairs, or two domains."""
        return DATAMODULES[self.model_class(cfg.model.name).data_kind].from_config(cfg.data)

    def model_class(self, name: str) -> type:
        """The image model class for ``name``, checked once: an ImageModel with a known ``data_kind``."""
        return check_image_model(name, super().model_class(name))

    def build_module(self, cfg: Any, spec: Mapping[str, Any]):
        """The model for ``cfg.model.name``, with DiffAugment in front of its discriminator when
        ``model.diffaugment`` is set (any image model; see :mod:`ganforge_images.augment`)."""
        module = super().build_module(cfg, spec)
        aug = build(DiffAugmentSettings, cfg.model, "model")
        attach_diffaugment(module, aug.diffaugment, p=aug.augment_p, ada_target=aug.ada_target,
                           ada_interval=aug.ada_interval, ada_kimg=aug.ada_kimg)
        return module

    def export_samples(self, samples: Any, out_dir: Path, stem: str, individual: bool = False) -> list[Path]:
        """PNG grid (run dirs) or one PNG per image (gan-sample)."""
        return export_images(samples, Path(out_dir), stem, individual)

    def evaluate(self, module: Any, datamodule: Any) -> dict[str, float]:
        """FID/KID/IS (and L1/SSIM for translation models); see :mod:`ganforge_images.evaluation`."""
        return evaluate_images(module, datamodule)

    def generator_for_export(self, module: Any, n: int, options: Mapping[str, Any]):
        """``gan-export``: the generator and its inputs per model (see :mod:`ganforge_images.export_generator`)."""
        from ganforge_images.export_generator import images_generator_for_export

        return images_generator_for_export(module, n, options)

    def report_section(self, run_dir: Path, assets_dir: Path):
        """Sample sheets by step, captioned per model (translation rows say which image is which)."""
        from ganforge_images.report import images_report_section

        return images_report_section(Path(run_dir))

    def export_interpolation(self, samples: Any, out_dir: Path, stem: str, steps: int) -> list[Path]:
        """``gan-sample interpolate=K``: one PNG sheet, one interpolation path per row."""
        from ganforge_images.export import save_grid

        return [save_grid(samples, Path(out_dir) / f"{stem}.png", nrow=steps)]

    def config_schemas(self, model):
        """Typed schemas of this domain's groups (checked by ``gan-run`` before training)."""
        from ganforge_images.schemas import SCHEMAS

        return SCHEMAS

    def sample_options(self):
        """None at the domain level: each image model declares its own ``SAMPLE_OPTIONS``
        (``label`` for cgan, ``input``/``direction`` for the translation models, ``mixing``
        ... for stylegan2), listed per model by ``gan-plugins``."""
        return ()

    def sample_to_files(self, module: Any, n: int, out_dir: Path, options: Mapping[str, Any]) -> list[Path]:
        """Samples of ``module`` as PNG files; translation models translate ``input=DIR``."""
        self.check_sample_options(options, module)
        if module.writes_own_samples:
            return module.sample_to_files(n, Path(out_dir), dict(options))
        return export_images(module.sample(n, **dict(options)), Path(out_dir), "sample", individual=True)
