"""Image models by config name (``model.name``)."""

from __future__ import annotations

from ganforge_images.models.dcgan import DCGAN

MODELS = {
    "dcgan": DCGAN,
}
