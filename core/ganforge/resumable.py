"""Exact resumption: a data order keyed by (seed, epoch) that can restart mid-epoch.

Lightning restores weights, optimizers and loop counters, but a plain ``DataLoader``
restarts its epoch from the first batch with a new random order drawn from the global
RNG, so a resumed run trains on different batches from the first step on. ganforge
therefore converts every plugin's training ``DataLoader`` (no plugin code involved):

* :class:`ResumableBatchSampler` replaces the loader's ``RandomSampler`` /
  ``SequentialSampler`` + ``BatchSampler``. Epoch ``e``'s order is
  ``randperm(n, seed + e)`` (drawn from its own generator, never the global RNG) and
  sharded per rank like ``DistributedSampler`` (it *is* one, so Lightning injects no
  other sampler under DDP).
* :class:`DataPosition` counts the batches the model has *trained on* in the current
  epoch (not the ones the loader prefetched); :class:`ResumeState` stores it in every
  checkpoint together with the module's pending log values, so the next epoch
  iteration after a resume skips exactly the batches already used.

Loaders that cannot be converted (iterable datasets, custom samplers, subclasses of
``DataLoader`` with their own arguments) are left alone and logged once; their resume is
as exact as their own sampling.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from typing import Any

import lightning.pytorch as pl
import torch
from lightning.pytorch.callbacks import Callback
from torch.utils.data import BatchSampler, DataLoader, DistributedSampler, RandomSampler, SequentialSampler

log = logging.getLogger("ganforge")


class DataPosition:
    """Where the training data stream is: epoch and batches trained on in it."""

    def __init__(self) -> None:
        self.epoch = -1  # no epoch started yet
        self.consumed = 0
        self._resume: tuple[int, int] | None = None

    def begin_epoch(self, batches_per_epoch: int) -> tuple[int, int]:
        """Called by the sampler when an epoch's iteration starts: ``(epoch, batches to skip)``."""
        if self._resume is not None:
            epoch, skip = self._resume
            self._resume = None
            if skip >= batches_per_epoch:  # saved exactly at an epoch's end
                epoch, skip = epoch + 1, 0
        else:
            epoch, skip = self.epoch + 1, 0
        self.epoch, self.consumed = epoch, skip
        return epoch, skip

    def state_dict(self) -> dict:
        """Epoch and trained batches (for checkpoints)."""
        return {"epoch": self.epoch, "consumed": self.consumed}

    def load_state_dict(self, state: dict) -> None:
        """Resume from :meth:`state_dict`: the next epoch iteration continues that epoch."""
        self.epoch, self.consumed = int(state["epoch"]), int(state["consumed"])
        self._resume = (self.epoch, self.consumed) if self.epoch >= 0 else None


class ResumableSampler(DistributedSampler):
    """``DistributedSampler`` whose epoch comes from :class:`DataPosition`, not Lightning.

    Lightning calls ``set_epoch`` with its own epoch counter, which after a mid-epoch
    resume need not match the data stream's; the position decides instead.
    """

    def set_epoch(self, epoch: int) -> None:
        """Ignored: :class:`ResumableBatchSampler` sets the epoch from the data position."""

    def indices(self, epoch: int) -> list[int]:
        """This rank's indices of ``epoch``."""
        self.epoch = epoch
        return list(super().__iter__())


class ResumableBatchSampler(BatchSampler):
    """Batches of a :class:`ResumableSampler` that skip what a resumed epoch already used."""

    def __init__(self, sampler: ResumableSampler, batch_size: int, drop_last: bool, position: DataPosition):
        super().__init__(sampler, batch_size, drop_last)
        self.position = position

    def __iter__(self) -> Iterator[list[int]]:
        # a generator: nothing happens (and no epoch starts) until the first batch is drawn
        epoch, skip = self.position.begin_epoch(len(self))
        indices = self.sampler.indices(epoch)
        batches = [indices[i : i + self.batch_size] for i in range(0, len(indices), self.batch_size)]
        if self.drop_last and batches and len(batches[-1]) < self.batch_size:
            batches.pop()
        yield from batches[skip:]


def make_resumable(loader: Any, position: DataPosition, seed: int, rank: int = 0, world_size: int = 1) -> Any:
    """Swap ``loader``'s sampling for a :class:`ResumableBatchSampler` when it is a plain
    ``DataLoader`` over a map-style dataset with a random or sequential sampler; return
    anything else unchanged."""
    reason = None
    if type(loader) is not DataLoader:
        reason = f"a {type(loader).__name__}, not a plain DataLoader"
    elif type(loader.batch_sampler) is not BatchSampler:
        reason = "it has a custom batch sampler" if loader.batch_sampler is not None else "it has batch_size=None"
    elif type(loader.sampler) not in (RandomSampler, SequentialSampler):
        reason = f"its sampler is a {type(loader.sampler).__name__}"
    elif isinstance(loader.sampler, RandomSampler) and (
        loader.sampler.replacement or loader.sampler._num_samples is not None or loader.sampler.generator is not None
    ):
        reason = "its RandomSampler draws with replacement, a sample count or its own generator"
    if reason is not None:
        log.debug("training data loader kept as is (%s): mid-epoch resume restarts its epoch", reason)
        return loader
    shuffle = isinstance(loader.sampler, RandomSampler)
    n = len(loader.dataset)
    sampler = ResumableSampler(loader.dataset, num_replicas=world_size, rank=rank, shuffle=shuffle, seed=seed)
    if world_size == 1:
        sampler.num_samples = sampler.total_size = n  # no padding on one process
    batch_sampler = ResumableBatchSampler(sampler, loader.batch_sampler.batch_size, loader.batch_sampler.drop_last, position)
    # DataLoader forbids reassigning these after construction to stop accidental changes
    # mid-iteration; this happens before any iteration, and rebuilding the loader instead
    # would lose arguments only its creator knows (pin_memory_device, worker settings ...)
    object.__setattr__(loader, "sampler", sampler)
    object.__setattr__(loader, "batch_sampler", batch_sampler)
    # every iter(loader) draws a worker base seed from loader.generator, by default the
    # global RNG: a resumed run would start its stream one draw apart from the original
    loader.generator = torch.Generator().manual_seed(int(seed))
    if math.ceil(n / max(world_size, 1)) < loader.batch_sampler.batch_size and loader.batch_sampler.drop_last:
        log.warning("data set smaller than one batch per process: every epoch is empty")
    return loader


class ResumeState(Callback):
    """Tracks the :class:`DataPosition` and checkpoints it with the module's pending logs.

    Args:
        seed: seeds the data order (epoch ``e`` uses ``seed + e``).
    """

    def __init__(self, seed: int):
        self.seed = int(seed)
        self.position = DataPosition()
        self._csv_rows: int | None = None

    def wrap_datamodule(self, datamodule: pl.LightningDataModule, trainer_ref: Any) -> None:
        """Make ``datamodule.train_dataloader()`` return resumable loaders.

        ``trainer_ref()`` returns the Trainer (rank and world size are known only once
        it runs). Lightning looks the hook up on the instance, so no plugin changes.
        """
        original = datamodule.train_dataloader

        def train_dataloader() -> Any:
            trainer = trainer_ref()
            return make_resumable(original(), self.position, self.seed, trainer.global_rank, trainer.world_size)

        datamodule.train_dataloader = train_dataloader

    def on_train_start(self, trainer: pl.Trainer, module: Any) -> None:
        """Drop ``metrics.csv`` rows logged after the checkpoint (they are redone)."""
        for logger in trainer.loggers:
            if self._csv_rows is not None and hasattr(logger, "truncate_rows"):
                logger.truncate_rows(self._csv_rows)
            elif hasattr(logger, "truncate_after"):
                logger.truncate_after(module.g_step)

    def on_train_batch_end(self, trainer: pl.Trainer, module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        """One more batch of this epoch trained on."""
        self.position.consumed += 1

    def on_save_checkpoint(self, trainer: pl.Trainer, module: Any, checkpoint: dict) -> None:
        """Store the data position and the values waiting for the next log row."""
        pending = {k: torch.stack(v).cpu() for k, v in module._pending_logs.items() if v}
        checkpoint["ganforge_resume"] = {
            "data": self.position.state_dict(),
            "pending_logs": pending,
            "last_logs": dict(module.last_logs),
            "csv_rows": next((lg.row_count for lg in trainer.loggers if hasattr(lg, "row_count")), None),
        }

    def on_load_checkpoint(self, trainer: pl.Trainer, module: Any, checkpoint: dict) -> None:
        """Restore :meth:`on_save_checkpoint` (older checkpoints lack it: the epoch restarts)."""
        state = checkpoint.get("ganforge_resume")
        if not state:
            return
        self.position.load_state_dict(state["data"])
        module._pending_logs.clear()
        for key, values in state.get("pending_logs", {}).items():
            module._pending_logs[key] = [v.to(module.device) for v in values.unbind(0)]
        module.last_logs.update(state.get("last_logs", {}))
        self._csv_rows = state.get("csv_rows")
