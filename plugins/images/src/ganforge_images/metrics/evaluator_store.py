"""Where trained reference classifiers live, and how a run finds the one for its data.

A classifier is identified by a fingerprint of the exact training images and labels it
was (or would be) trained on, so the same data set gets the same classifier in every
later run whatever path it was read from, and a changed data set never reuses a stale
one; the training recipe (epochs, width ...) is part of the fingerprint too. Files go to ``<cache_dir>/evaluators/classifier-<fingerprint>.pt`` with a JSON
sidecar describing them. ``cache_dir`` defaults to ``$GANFORGE_CACHE_DIR`` or
``~/.cache/ganforge`` (data folders, e.g. a read-only shared copy, are never written).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import torch

from ganforge.errors import GanforgeError
from ganforge_images.metrics.classifier import (
    ClassifierConfig,
    ReferenceClassifier,
    TrainedClassifier,
    train_reference_classifier,
)

# bump when ReferenceClassifier's architecture or training recipe changes: old files are then ignored
EVALUATOR_VERSION = 1


def default_cache_dir() -> Path:
    """:func:`ganforge.cache_dir`: ``$GANFORGE_CACHE_DIR`` if set, else ``~/.cache/ganforge``."""
    from ganforge import cache_dir

    return cache_dir()


def data_fingerprint(images: torch.Tensor, labels: torch.Tensor | None, recipe: dict[str, Any] | None = None) -> str:
    """Short hash of images (quantised to 8 bits), labels and the training recipe: the classifier's identity."""
    recipe_text = json.dumps(recipe or {}, sort_keys=True, default=str)
    digest = hashlib.sha256(f"v{EVALUATOR_VERSION}|{tuple(images.shape)}|{recipe_text}".encode())
    quantised = ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    digest.update(quantised.cpu().contiguous().numpy().tobytes())
    if labels is not None:
        digest.update(labels.detach().to(torch.int64).cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:12]


def evaluator_path(fingerprint: str, cache_dir: str | Path | None = None) -> Path:
    """Weights file of the classifier with this fingerprint."""
    root = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    return root / "evaluators" / f"classifier-{fingerprint}.pt"


def save_classifier(trained: TrainedClassifier, path: Path, info: dict[str, Any] | None = None) -> Path:
    """Write weights + description (``.pt``) and a human-readable ``.json`` sidecar."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"version": EVALUATOR_VERSION, "name": trained.model.name, **trained.summary(), **(info or {})}
    tmp = path.with_suffix(".tmp")
    torch.save({"meta": meta, "state_dict": trained.model.state_dict()}, tmp)
    tmp.replace(path)  # atomic: a concurrent run never reads a half-written file
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    return path


def load_classifier(path: str | Path) -> tuple[ReferenceClassifier, dict[str, Any]]:
    """Load a saved reference classifier (eval mode) and its description."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise GanforgeError(f"metrics.classifier_path={path}: file not found; train one with gan-images-evaluator")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        meta = blob["meta"]
        model = ReferenceClassifier(ClassifierConfig(**meta["config"]), name=meta["name"])
        model.load_state_dict(blob["state_dict"])
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported in one line
        raise GanforgeError(f"{path}: not a ganforge reference classifier file ({type(exc).__name__})") from None
    return model.eval(), meta


def load_or_train_classifier(
    train_images: torch.Tensor,
    train_labels: torch.Tensor | None,
    val_images: torch.Tensor,
    val_labels: torch.Tensor | None,
    *,
    cache_dir: str | Path | None = None,
    retrain: bool = False,
    info: dict[str, Any] | None = None,
    **train_kwargs: Any,
) -> tuple[ReferenceClassifier, dict[str, Any], bool]:
    """Return the cached classifier for this data, training and caching it if absent.

    Returns ``(model, meta, trained_now)``. ``model.name`` is ``classifier-<fingerprint>``,
    the name recorded in metric keys.
    """
    fingerprint = data_fingerprint(train_images, train_labels, train_kwargs)
    path = evaluator_path(fingerprint, cache_dir)
    if path.is_file() and not retrain:
        model, meta = load_classifier(path)
        return model, {**meta, "path": str(path)}, False
    trained = train_reference_classifier(
        train_images, train_labels, val_images, val_labels, name=f"classifier-{fingerprint}", **train_kwargs
    )
    save_classifier(trained, path, {"fingerprint": fingerprint, **(info or {})})
    _, meta = load_classifier(path)
    return trained.model, {**meta, "path": str(path)}, True
