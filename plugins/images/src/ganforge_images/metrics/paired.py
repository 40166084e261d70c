"""Pixel metrics of translations against their ground-truth targets (pix2pix/CycleGAN pairs).

L1 is reported on the ``[0, 1]`` pixel scale (mean absolute error as a fraction of the
range); SSIM is torchmetrics' Gaussian-window SSIM with ``data_range=1``.
"""

from __future__ import annotations

import torch
from torchmetrics.image import StructuralSimilarityIndexMeasure
from torchmetrics.regression import MeanAbsoluteError

from ganforge.distributed import distributed_available
from ganforge.errors import GanforgeError

#: metrics compute on this rank's data during rank 0's evaluation (see ganforge.distributed)
LOCAL = {"distributed_available_fn": distributed_available}


class PairedMetrics:
    """Accumulates L1 and SSIM over batches of ``(prediction, target)`` in ``[-1, 1]``."""

    def __init__(self) -> None:
        self.l1 = MeanAbsoluteError(**LOCAL)
        self.ssim = StructuralSimilarityIndexMeasure(data_range=1.0, **LOCAL)
        self.count = 0

    def update(self, prediction: torch.Tensor, target: torch.Tensor) -> None:
        """Add a batch; shapes must match."""
        if prediction.shape != target.shape:
            raise GanforgeError(
                f"paired metrics: prediction shape {list(prediction.shape)} != target shape {list(target.shape)}"
            )
        # contiguous: torchmetrics' MAE views its inputs flat, which fails on the strided
        # tensors a translation model can return (e.g. channel-sliced cycle outputs)
        pred01 = ((prediction.detach().float().cpu().clamp(-1, 1) + 1) / 2).contiguous()
        targ01 = ((target.detach().float().cpu().clamp(-1, 1) + 1) / 2).contiguous()
        self.l1.update(pred01, targ01)
        self.ssim.update(pred01, targ01)
        self.count += len(prediction)

    def compute(self, prefix: str = "", split: str = "test") -> dict[str, float]:
        """``{<prefix>l1/n<count>/<split>: ..., <prefix>ssim/n<count>/<split>: ...}``."""
        if self.count == 0:
            raise GanforgeError("paired metrics: no image pairs were evaluated")
        tag = f"n{self.count}/{split}"
        return {f"{prefix}l1/{tag}": float(self.l1.compute()), f"{prefix}ssim/{tag}": float(self.ssim.compute())}
