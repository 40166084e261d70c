"""Typed schemas of the images domain's config groups (see :mod:`ganforge.schema`).

Defaults live in the YAML files; these declare types and ranges, checked by ``gan-run``
before anything is built (``data.size=abc`` is one line naming the key). Builders read
typed values through :func:`ganforge.schema.build` (``metrics``, the DiffAugment keys of
``model``); the two ADA keys users rarely set have their one default here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganforge.schema import open_schema, spec


@open_schema
@dataclass
class ImagesData:
    """``data`` of the images domain."""

    format: str = spec(choices=("auto", "folder", "idx", "npz"))
    size: int = spec(ge=8)
    channels: int | str = spec(choices=("auto", 1, 3))
    labels_from_folders: bool = spec()
    min_image_size: int = spec(ge=0)
    cache: str = spec(choices=("auto", "none", "memory"))
    load_size: int | None = spec(ge=8)
    flip: bool = spec()
    eval_images: int = spec(ge=2)
    num_workers: int = spec(ge=0)


@open_schema
@dataclass
class ImagesMetrics:
    """``metrics``: offline FID/KID/IS settings."""

    feature_net: str = spec(choices=("classifier", "inception", "none"))
    n_samples: int = spec(ge=2)
    n_real: int = spec(ge=2)
    batch_size: int = spec(ge=1)
    kid: bool = spec()
    inception_weights: str | None = spec()
    classifier_path: str | None = spec()
    cache_dir: str | None = spec()
    classifier_epochs: int = spec(ge=1)
    classifier_min_steps: int = spec(ge=0)
    classifier_width: int = spec(ge=1)
    ppl_samples: int = spec(ge=0)


@open_schema
@dataclass(kw_only=True)
class DiffAugmentSettings:
    """The ``model`` keys of DiffAugment/ADA (every image model; :mod:`ganforge_images.augment`)."""

    diffaugment: str | list | None = spec(doc="transforms joined with + (color+translation+cutout); null: off")
    augment_p: float = spec(ge=0, le=1)
    ada_target: float | None = spec(ge=0, le=1)
    ada_interval: int = spec(ge=1, default=4, doc="D steps between ADA's adjustments of p")
    ada_kimg: float = spec(gt=0, default=500.0, doc="thousands of images for p to go from 0 to 1")


@open_schema
@dataclass(kw_only=True)
class ImagesModel(DiffAugmentSettings):
    """``model`` keys shared by the image GANs (and the DiffAugment keys)."""

    g_width: int = spec(ge=1)
    d_width: int = spec(ge=1)
    mbstd_group: int = spec(ge=2, doc="StyleGAN2: D's minibatch-stddev group size")


SCHEMAS = {"data": ImagesData, "metrics": ImagesMetrics, "model": ImagesModel}
