"""Exact resumption: a data order that can restart mid-epoch, with unchanged results.

Lightning restores weights, optimizers and loop counters, but a plain ``DataLoader``
restarts its epoch from the first batch with a new random order drawn from the global
RNG, so a resumed run trains on different batches from the first step on. ganforge
therefore converts every plugin's training ``DataLoader`` (no plugin code involved):

* :class:`ResumableBatchSampler` replaces the loader's ``RandomSampler`` /
  ``SequentialSampler`` + ``BatchSampler`` and reproduces them exactly: at the start of
  each epoch it makes the same draws from the global torch RNG that the DataLoader and
  the ``RandomSampler`` would make, and shuffles with the same seed, so an uninterrupted
  run sees the very batches (and RNG stream) it saw before this module existed. Under
  DDP it orders like Lightning's ``DistributedSampler`` (``seed + epoch``, one shard per
  rank); it is one, so Lightning injects no other sampler.
* :class:`DataPosition` records the epoch, its shuffle seed and how many batches the
  model has *trained on* in it (not the ones the loader prefetched); :class:`ResumeState`
  stores that in every checkpoint together with the module's pending log values, so a
  resumed epoch uses the same order, skips the batches already used and makes no draw.

Loaders that cannot be converted (iterable datasets, custom samplers, subclasses of
``DataLoader``) are left alone; their resume is as exact as their own sampling.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import lightning.pytorch as pl
import torch
from lightning.pytorch.callbacks import Callback
from torch.utils.data import BatchSampler, DataLoader, DistributedSampler, RandomSampler, SequentialSampler

log = logging.getLogger("ganforge")


def _draw() -> int:
    # exactly what DataLoader (worker base seed) and RandomSampler (shuffle seed) draw
    return int(torch.empty((), dtype=torch.int64).random_().item())


class DataPosition:
    """Where the training data stream is: epoch, its shuffle seed, batches trained on."""

    def __init__(self) -> None:
        self.epoch = -1  # no epoch started yet
        self.consumed = 0
        self.seed: int | None = None
        self._resume: tuple[int, int, int | None] | None = None

    def resuming(self, batches_per_epoch: int) -> bool:
        """True when the next epoch iteration continues a checkpoint's unfinished epoch."""
        return self._resume is not None and self._resume[1] < batches_per_epoch

    def begin_epoch(self, batches_per_epoch: int) -> tuple[int, int, int | None]:
        """Called when an epoch's iteration starts: ``(epoch, batches to skip, seed)``;
        the seed is ``None`` for a fresh epoch (the sampler draws it)."""
        if self.resuming(batches_per_epoch):
            epoch, skip, seed = self._resume
        else:  # a new epoch (also when the checkpoint was saved at an epoch's very end)
            epoch = self._resume[0] + 1 if self._resume is not None else self.epoch + 1
            skip, seed = 0, None
        self._resume = None
        self.epoch, self.consumed, self.seed = epoch, skip, seed
        return epoch, skip, seed

    def state_dict(self) -> dict:
        """Epoch, shuffle seed and trained batches (for checkpoints)."""
        return {"epoch": self.epoch, "consumed": self.consumed, "seed": self.seed}

    def load_state_dict(self, state: dict) -> None:
        """Resume from :meth:`state_dict`: the next epoch iteration continues that epoch."""
        self.epoch, self.consumed, self.seed = int(state["epoch"]), int(state["consumed"]), state.get("seed")
        self._resume = (self.epoch, self.consumed, self.seed) if self.epoch >= 0 else None


class ResumableSampler(DistributedSampler):
    """Index order of one epoch: ``RandomSampler``'s (one process) or
    ``DistributedSampler``'s (DDP). Lightning's ``set_epoch`` calls are ignored: after a
    mid-epoch resume its epoch counter need not match the data stream's."""

    def __init__(self, dataset: Any, num_replicas: int, rank: int, shuffle: bool, seed: int):
        super().__init__(dataset, num_replicas=num_replicas, rank=rank, shuffle=shuffle, seed=seed)
        if num_replicas == 1:
            self.num_samples = self.total_size = len(dataset)  # no padding on one process

    def set_epoch(self, epoch: int) -> None:
        """Ignored: :class:`ResumableBatchSampler` sets the epoch from the data position."""

    def indices(self, epoch: int, epoch_seed: int) -> list[int]:
        """This rank's indices of ``epoch`` (``epoch_seed``: RandomSampler's seed on one process)."""
        if self.num_replicas == 1:
            if not self.shuffle:
                return list(range(len(self.dataset)))
            generator = torch.Generator()
            generator.manual_seed(epoch_seed)
            return torch.randperm(len(self.dataset), generator=generator).tolist()
        self.epoch = epoch
        return list(super().__iter__())


class ResumableBatchSampler(BatchSampler):
    """Batches of a :class:`ResumableSampler` that skip what a resumed epoch already used."""

    def __init__(self, sampler: ResumableSampler, batch_size: int, drop_last: bool, position: DataPosition,
                 loader: DataLoader):
        super().__init__(sampler, batch_size, drop_last)
        self.position = position
        self.loader = loader
        self._quiet = torch.Generator()

    def __iter__(self) -> Iterator[list[int]]:
        # DataLoader calls iter(batch_sampler) right before drawing its worker base seed
        # from loader.generator (None = the global RNG, as it always did). A resumed
        # epoch must not draw again: point it at a private generator for that iteration.
        fresh = not self.position.resuming(len(self))
        object.__setattr__(self.loader, "generator", None if fresh else self._quiet)
        return self._batches()

    def _batches(self) -> Iterator[list[int]]:
        # a generator: nothing happens (and no epoch starts) until the first batch is drawn
        epoch, skip, seed = self.position.begin_epoch(len(self))
        if seed is None:
            if self.sampler.num_replicas == 1 and self.sampler.shuffle:
                seed = _draw()  # RandomSampler's own draw
            else:
                seed = self.sampler.seed + epoch  # DistributedSampler's order; sequential: unused
            self.position.seed = seed
        indices = self.sampler.indices(epoch, seed)
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
    elif loader.generator is not None:
        reason = "it has its own generator"
    if reason is not None:
        log.debug("training data loader kept as is (%s): mid-epoch resume restarts its epoch", reason)
        return loader
    shuffle = isinstance(loader.sampler, RandomSampler)
    sampler = ResumableSampler(loader.dataset, num_replicas=world_size, rank=rank, shuffle=shuffle, seed=seed)
    batch_sampler = ResumableBatchSampler(
        sampler, loader.batch_sampler.batch_size, loader.batch_sampler.drop_last, position, loader
    )
    # DataLoader forbids reassigning these after construction to stop accidental changes
    # mid-iteration; this happens before any iteration, and rebuilding the loader instead
    # would lose arguments only its creator knows (pin_memory_device, worker settings ...)
    object.__setattr__(loader, "sampler", sampler)
    object.__setattr__(loader, "batch_sampler", batch_sampler)
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
