"""Image models by config name (``model.name``).

Each model class says which data it trains on with ``data_kind``: ``images`` (the
:class:`~ganforge_images.data.datamodule.ImageDataModule`, labelled or not), ``paired``
or ``unpaired`` (see :data:`ganforge_images.domain.DATAMODULES`).
"""

from __future__ import annotations

from ganforge_images.models.cgan import CGAN
from ganforge_images.models.cgan_concat import CGANConcat
from ganforge_images.models.cyclegan import CycleGAN
from ganforge_images.models.dcgan import DCGAN
from ganforge_images.models.pix2pix import Pix2Pix
from ganforge_images.models.stylegan2 import StyleGAN2
from ganforge_images.models.wgan_gp import WGANGP

MODELS = {
    "dcgan": DCGAN,
    "wgan-gp": WGANGP,
    "cgan": CGAN,
    "cgan-concat": CGANConcat,
    "pix2pix": Pix2Pix,
    "cyclegan": CycleGAN,
    "stylegan2": StyleGAN2,
}
