"""The reference classifier ganforge trains on a data set to serve as its FID/KID/IS network.

The ImageNet Inception network says little about 28x28 digits and needs weights that
cannot be downloaded offline; a small CNN trained on the data set itself gives a
feature space that does (the "classifier FID" used for MNIST-like data since
Binkowski et al. 2018 and Lucic et al. 2018). Labelled data trains on the labels;
unlabelled data (plain folders, translation domains) trains on predicting which of four
rotations was applied (Gidaris et al. 2018), which still learns shape features; IS is
then not meaningful and is not reported.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import lightning.pytorch as pl
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchmetrics.classification import MulticlassAccuracy

from ganforge.distributed import distributed_available
from ganforge.errors import GanforgeError, choices_error
from ganforge_images.metrics.features import FeatureNet

log = logging.getLogger("ganforge.images")

CLASSIFIER_TASKS = ("labels", "rotation")


@dataclass(frozen=True)
class ClassifierConfig:
    """Everything needed to rebuild a :class:`ReferenceClassifier` from a saved state dict."""

    channels: int
    image_size: int
    num_classes: int
    task: str = "labels"
    width: int = 32
    feature_dim: int = 128


def _conv(c_in: int, c_out: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(True)]


class ReferenceClassifier(FeatureNet):
    """Small CNN: three conv stages, pooling to a 4x4 grid, a ``feature_dim`` embedding, logits.

    Works at the data set's own resolution (adaptive pooling accepts any size); images
    of another size are resized to ``config.image_size`` first.
    """

    def __init__(self, config: ClassifierConfig, name: str = "classifier") -> None:
        super().__init__()
        self.config = config
        self.name = name
        self.num_features = config.feature_dim
        # rotation logits are not classes of the data: IS would be meaningless
        self.num_classes = config.num_classes if config.task == "labels" else None
        w = config.width
        self.body = nn.Sequential(
            *_conv(config.channels, w),
            nn.MaxPool2d(2),
            *_conv(w, 2 * w),
            nn.MaxPool2d(2),
            *_conv(2 * w, 4 * w),
            # a fixed 4x4 grid keeps where strokes are (global pooling would discard it) at any input size
            nn.AdaptiveAvgPool2d(4),
            nn.Flatten(),
            nn.Linear(4 * w * 16, config.feature_dim),
            nn.ReLU(True),
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(config.feature_dim, config.num_classes))

    def _prepare(self, images: torch.Tensor) -> torch.Tensor:
        if images.dim() != 4 or images.shape[1] != self.config.channels:
            raise GanforgeError(
                f"{self.name}: expected images [N, {self.config.channels}, H, W], got {list(images.shape)}"
            )
        size = self.config.image_size
        if images.shape[-2:] != (size, size):
            images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
        return images

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        """Embeddings with gradients (used while training)."""
        return self.body(self._prepare(images))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Logits (training entry point)."""
        return self.head(self.embed(images))

    @torch.no_grad()
    def features(self, images: torch.Tensor) -> torch.Tensor:
        """``feature_dim`` embeddings for FID/KID."""
        return self.embed(images)

    @torch.no_grad()
    def logits(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits for IS."""
        return self.head(self.embed(images))


def rotation_task(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Self-supervised labels: every image rotated by 0/90/180/270 degrees, label = quarter turns."""
    rotated = [torch.rot90(images, k, dims=(2, 3)) for k in range(4)]
    labels = torch.arange(4).repeat_interleave(images.shape[0])
    return torch.cat(rotated), labels


class ClassifierTraining(pl.LightningModule):
    """Lightning wrapper that trains a :class:`ReferenceClassifier` with cross-entropy."""

    def __init__(self, model: ReferenceClassifier, lr: float = 1e-3) -> None:
        super().__init__()
        self.model, self.lr = model, lr
        self.val_accuracy = MulticlassAccuracy(num_classes=model.config.num_classes, average="micro",
                                               distributed_available_fn=distributed_available)

    def training_step(self, batch, batch_idx):
        images, labels = batch
        loss = F.cross_entropy(self.model(images), labels)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        images, labels = batch
        self.val_accuracy.update(self.model(images).argmax(1), labels)
        self.log("val_accuracy", self.val_accuracy, on_epoch=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.lr)


@dataclass
class TrainedClassifier:
    """A trained reference classifier with how well it did on held-out data."""

    model: ReferenceClassifier
    val_accuracy: float
    n_train: int
    n_val: int
    epochs: int

    def summary(self) -> dict:
        """Plain-value description (stored next to the weights)."""
        return {
            "config": asdict(self.model.config),
            "val_accuracy": self.val_accuracy,
            "n_train": self.n_train,
            "n_val": self.n_val,
            "epochs": self.epochs,
        }


class ClassifierProgress(pl.Callback):
    """A rich bar over the reference classifier's optimizer steps with an ETA (its training
    takes about a minute on a CPU, once per data set, and would otherwise look like a hang)."""

    def __init__(self, description: str, total: int):
        self.description, self.total = description, int(total)
        self._progress = None
        self._task = None

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Open the bar (not while another live display, e.g. gan-run's own bar, is showing)."""
        from rich.errors import LiveError

        from ganforge.progress import progress_bar

        progress = progress_bar()  # on stderr: stdout carries the evaluator's result lines
        try:
            progress.start()
        except LiveError:
            log.info("%s (%d steps)", self.description, self.total)
            return
        self._progress = progress
        self._task = progress.add_task(self.description, total=self.total)

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, outputs, batch, batch_idx: int) -> None:
        """Advance by one optimizer step."""
        if self._progress is not None:
            self._progress.update(self._task, completed=trainer.global_step)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Close the bar."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def on_exception(self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException) -> None:
        """Close the bar so the error prints cleanly."""
        self.on_train_end(trainer, pl_module)


def train_reference_classifier(
    train_images: torch.Tensor,
    train_labels: torch.Tensor | None,
    val_images: torch.Tensor,
    val_labels: torch.Tensor | None,
    *,
    num_classes: int | None = None,
    epochs: int = 3,
    min_steps: int = 0,
    max_val: int = 2000,
    batch_size: int = 64,
    lr: float = 1e-3,
    width: int = 32,
    seed: int = 0,
    name: str = "classifier",
    accelerator: str = "auto",
    progress: bool = True,
) -> TrainedClassifier:
    """Train a reference classifier with a real Lightning ``Trainer`` and measure its accuracy.

    Images are float ``[N, C, H, W]`` in ``[-1, 1]``. With ``train_labels=None`` the
    rotation task is used. ``val_accuracy`` is the accuracy on ``val_images`` (for the
    rotation task, on their four rotations). ``min_steps`` raises the number of epochs so
    that small data sets still get that many optimizer steps; at most ``max_val``
    validation images are used. ``progress`` shows a rich bar with an ETA.
    """
    if train_images.dim() != 4 or train_images.shape[-1] != train_images.shape[-2]:
        raise GanforgeError(f"reference classifier: expected square images [N, C, H, W], got {list(train_images.shape)}")
    val_images = val_images[:max_val]
    val_labels = None if val_labels is None else val_labels[:max_val]
    if len(train_images) < 2 or len(val_images) < 1:
        raise GanforgeError(
            f"reference classifier: need at least 2 training and 1 validation image, got {len(train_images)} and "
            f"{len(val_images)}"
        )
    task = "labels" if train_labels is not None else "rotation"
    if task == "labels":
        if val_labels is None:
            raise GanforgeError("reference classifier: training labels given but no validation labels")
        num_classes = int(num_classes or int(train_labels.max()) + 1)
        train_set = TensorDataset(train_images.float(), train_labels.long())
        val_set = TensorDataset(val_images.float(), val_labels.long())
    else:
        num_classes = 4
        train_set = TensorDataset(*rotation_task(train_images.float()))
        val_set = TensorDataset(*rotation_task(val_images.float()))
    if task not in CLASSIFIER_TASKS:  # pragma: no cover - defensive
        raise choices_error("classifier task", task, CLASSIFIER_TASKS)
    config = ClassifierConfig(
        channels=int(train_images.shape[1]), image_size=int(train_images.shape[-1]),
        num_classes=num_classes, task=task, width=width,
    )
    steps_per_epoch = max(1, len(train_set) // batch_size + (len(train_set) % batch_size > 0))
    epochs = max(int(epochs), -(-int(min_steps) // steps_per_epoch))
    with torch.random.fork_rng(devices=[]):
        # seeded without touching the caller's global random state
        torch.manual_seed(seed)
        model = ReferenceClassifier(config, name=name)
        shuffle = torch.Generator().manual_seed(seed)
        train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, generator=shuffle)
        val_loader = DataLoader(val_set, batch_size=max(batch_size, 256))
        task_module = ClassifierTraining(model, lr=lr)
        trainer = pl.Trainer(
            max_epochs=epochs,
            accelerator=accelerator,
            devices=1,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            num_sanity_val_steps=0,
            check_val_every_n_epoch=epochs,  # accuracy is only needed once, at the end
            callbacks=[ClassifierProgress(f"training the reference {name} ({task} task, {epochs} epochs)",
                                          epochs * steps_per_epoch)] if progress else [],
        )
        trainer.fit(task_module, train_loader, val_loader)
    accuracy = float(trainer.callback_metrics["val_accuracy"])
    model = model.cpu().eval()
    return TrainedClassifier(model, accuracy, len(train_set), len(val_set), epochs)
