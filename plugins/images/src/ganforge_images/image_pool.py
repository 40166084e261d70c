"""Image history buffer (Shrivastava et al. 2017), used by CycleGAN's discriminators.

The discriminators are updated with a mix of the newest fakes and fakes from earlier
generator versions, which damps oscillation. CycleGAN keeps 50 images and, once full,
returns a stored image (replacing it with the new one) with probability 0.5.
"""

from __future__ import annotations

import torch


class ImageHistoryBuffer:
    """Keeps up to ``size`` past generated images; :meth:`query` returns a mixed batch.

    Args:
        size: capacity (CycleGAN: 50). ``0`` disables the buffer (query returns its input).
        p_history: probability of swapping a new image for a stored one once full.
        generator: optional ``torch.Generator`` for reproducible draws.
    """

    def __init__(self, size: int = 50, p_history: float = 0.5, generator: torch.Generator | None = None) -> None:
        self.size = int(size)
        self.p_history = float(p_history)
        self.generator = generator
        self.images: list[torch.Tensor] = []

    def __len__(self) -> int:
        return len(self.images)

    def query(self, images: torch.Tensor) -> torch.Tensor:
        """Return a batch the size of ``images`` drawn from new and stored images (detached)."""
        images = images.detach()
        if self.size == 0:
            return images
        out = []
        for image in images:
            if len(self.images) < self.size:
                self.images.append(image.clone())
                out.append(image)
                continue
            draw = torch.rand((), generator=self.generator).item()
            if draw < self.p_history:
                idx = int(torch.randint(len(self.images), (), generator=self.generator))
                out.append(self.images[idx].to(image.device))
                self.images[idx] = image.clone()
            else:
                out.append(image)
        return torch.stack(out)
