"""What pix2pix and CycleGAN share: translating batches and folders, and stored preview inputs.

A translation model keeps a few held-out inputs (``model.preview_count``) as buffers, so
they travel inside every checkpoint: sample sheets show ``input | translation | target``
rows at every step, and ``gan-sample`` without ``input=DIR`` still has something to
translate after the data set is gone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import torch
from torch import nn
from torchvision.utils import save_image

from ganforge import GANSettings
from ganforge.errors import GanforgeError, choices_error
from ganforge_images.data.folder import from_model_range, list_images, read_image, to_model_range
from ganforge_images.export import save_individual
from ganforge_images.models.base import ImageModel


def match_channels(images: torch.Tensor, channels: int) -> torch.Tensor:
    """Grey -> RGB by repetition, RGB -> grey by ITU-R 601 luma; otherwise unchanged."""
    if images.shape[1] == channels:
        return images
    if images.shape[1] == 1 and channels == 3:
        return images.repeat(1, 3, 1, 1)
    if images.shape[1] == 3 and channels == 1:
        weights = torch.tensor([0.299, 0.587, 0.114], device=images.device, dtype=images.dtype)
        return (images * weights.reshape(1, 3, 1, 1)).sum(1, keepdim=True)
    raise GanforgeError(f"cannot convert {images.shape[1]}-channel images to {channels} channels")


def side_by_side(*columns: torch.Tensor) -> torch.Tensor:
    """Concatenate equally sized image batches along the width (channels unified to the widest)."""
    channels = max(c.shape[1] for c in columns)
    return torch.cat([match_channels(c, channels) for c in columns], dim=3)


def read_input_folder(folder: Any, channels: int, limit: int) -> list[tuple[str, torch.Tensor]]:
    """Up to ``limit`` images of ``folder`` (sorted) as ``(stem, [1, C, H, W] in [-1, 1])`` at native size."""
    path = Path(str(folder)).expanduser()
    if not path.is_dir():
        raise GanforgeError(f"input={folder}: not a directory; expected a folder of PNG/JPEG images to translate")
    try:
        files = list_images(path)[:limit]
    except GanforgeError:
        raise GanforgeError(f"input={folder}: no image files (.png, .jpg, .jpeg, .bmp, .webp) found") from None
    out = []
    for file in files:
        arr = read_image(file, channels)
        if arr is None:
            raise GanforgeError(f"input={folder}: cannot read image file {file}; expected PNG/JPEG/BMP/WebP")
        tensor = torch.from_numpy(np.array(arr)).permute(2, 0, 1).unsqueeze(0)
        out.append((file.stem, to_model_range(tensor)))
    return out


class TranslationModel(ImageModel):
    """Base of image-to-image models. Subclasses build networks, call :meth:`register_previews`,
    and implement :meth:`translator` and :meth:`preview_sheet`.

    Class attributes: ``DIRECTIONS`` (translation directions; the first is the default)
    and ``SAMPLE_OPTIONS`` (``gan-sample`` options).

    Args:
        preview_count: held-out inputs kept as checkpointed buffers for sample sheets
            (``model.preview_count``).
        settings: the loop's settings.
    """

    DIRECTIONS: Sequence[str] = ("AtoB",)
    SAMPLE_OPTIONS: Sequence[str] = ("input",)
    writes_own_samples = True  # translations of input=DIR, captioned sheets

    def __init__(self, *, preview_count: int, settings: GANSettings):
        super().__init__(settings)
        self.preview_count = int(preview_count)
        self.image_size = 0  # set by register_previews: the side of the images translated

    # ------------------------------------------------------------------ networks per direction
    def translator(self, generator: nn.Module, direction: str) -> nn.Module:
        """The network of ``generator`` (a module or ModuleDict) that translates in ``direction``."""
        raise NotImplementedError

    def input_channels(self, direction: str) -> int:
        """Channels the ``direction`` translator reads."""
        raise NotImplementedError

    def check_direction(self, direction: Any) -> str:
        """A valid direction name, or a one-line error listing them."""
        direction = str(direction) if direction is not None else self.DIRECTIONS[0]
        if direction not in self.DIRECTIONS:
            raise choices_error("direction", direction, self.DIRECTIONS)
        return direction

    @torch.no_grad()
    def translate(self, images: torch.Tensor, direction: str | None = None, batch_size: int = 64) -> torch.Tensor:
        """Translate a batch with the sampling (EMA) generator in eval mode; same size out as in."""
        direction = self.check_direction(direction)
        generator = self.sampling_generator()
        net = self.translator(generator, direction)
        was_training = generator.training
        generator.eval()
        try:
            outs = [net(chunk.to(self.device)) for chunk in torch.split(images, batch_size)]
        finally:
            generator.train(was_training)
        return torch.cat(outs)

    # ------------------------------------------------------------------ previews
    def register_previews(self, channels_a: int, channels_b: int, size: int) -> None:
        """Create the checkpointed preview buffers (filled from the data at the start of training)."""
        k = self.preview_count
        self.image_size = int(size)
        self.register_buffer("preview_a", torch.zeros(k, channels_a, size, size))
        self.register_buffer("preview_b", torch.zeros(k, channels_b, size, size))
        self.register_buffer("preview_filled", torch.zeros((), dtype=torch.long))

    def on_fit_start(self) -> None:
        """Store the first held-out inputs/targets as previews."""
        datamodule = getattr(self.trainer, "datamodule", None)
        if datamodule is None or not hasattr(datamodule, "test_data"):
            return
        test = datamodule.test_data()
        k = min(self.preview_count, len(test.a), len(test.b))
        self.preview_a[:k].copy_(test.a[:k].to(self.preview_a))
        self.preview_b[:k].copy_(test.b[:k].to(self.preview_b))
        self.preview_filled.fill_(k)

    def previews(self, side: str) -> torch.Tensor:
        """Stored preview images of domain ``A`` or ``B``."""
        k = int(self.preview_filled)
        if k == 0:
            raise GanforgeError("this model stores no preview inputs (it was never trained); give input=DIR")
        return (self.preview_a if side == "A" else self.preview_b)[:k]

    def preview_sheet(self, generator: nn.Module, n: int) -> torch.Tensor:
        """Rows of side-by-side images for the run's sample sheets."""
        raise NotImplementedError

    def generate(self, generator: nn.Module, n: int, **options: Any) -> torch.Tensor:
        """Sample sheets: ``input | translation | ...`` rows from the stored previews."""
        if options:
            raise GanforgeError(
                f"{type(self).__name__}.sample takes no options {sorted(options)}; use gan-sample input=DIR"
            )
        return self.preview_sheet(generator, n)

    # ------------------------------------------------------------------ gan-sample
    def sample_to_files(self, n: int, out_dir: Path, options: Mapping[str, Any]) -> list[Path]:
        """Translate ``input=DIR`` (first ``n`` files, written as ``<stem>.png`` at the input's size)
        or, without ``input``, the stored previews (``sample_<i>.png``)."""
        direction = self.check_direction(options.get("direction"))
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        if options.get("input") is None:
            side = direction[0]  # "AtoB" reads domain A
            inputs = self.previews(side)[:n]
            return save_individual(self.translate(inputs, direction), out_dir, "sample")
        written, used = [], set()
        for stem, image in read_input_folder(options["input"], self.input_channels(direction), n):
            name = stem if stem not in used else f"{stem}_{len(used)}"
            used.add(name)
            path = out_dir / f"{name}.png"
            save_image(from_model_range(self.translate(image, direction).cpu()), str(path))
            written.append(path)
        return written
