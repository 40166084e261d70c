"""Metrics of an image model during and after training (what ``ImagesDomain.evaluate`` runs).

* Unconditional/conditional models: FID, KID and IS of ``metrics.n_samples`` samples of
  the EMA generator against the held-out split; cgan adds ``label_accuracy`` (how often
  the reference classifier recognises the requested class).
* pix2pix: L1/SSIM of translated held-out inputs against their targets, and FID of the
  translations against the real targets.
* CycleGAN: FID per direction (``AtoB/...`` against real B, ``BtoA/...`` against real A),
  and L1/SSIM per direction when the held-out domains are true pairs.

Feature network (``metrics.feature_net``): ``classifier`` (default) -- the reference
classifier for the training data, loaded from the cache or trained once (see
:mod:`ganforge_images.metrics.evaluator_store`), or the file ``metrics.classifier_path``;
``inception`` -- InceptionV3 from ``metrics.inception_weights``; ``none`` -- skip.
Real-image statistics and feature networks are kept per data module, so periodic
evaluation only pays for the generated images.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from typing import Any

import torch

from ganforge.errors import choices_error
from ganforge.schema import build
from ganforge_images.metrics import (
    FeatureNet,
    GenerationMetrics,
    InceptionFeatureNet,
    PairedMetrics,
    load_classifier,
    load_or_train_classifier,
    metric_key,
)
from ganforge_images.metrics.path_length import path_lengths, perceptual_path_length
from ganforge_images.schemas import ImagesMetrics

log = logging.getLogger("ganforge.images")

FEATURE_NETS = ("classifier", "inception", "none")


def metrics_config(cfg: Any | None) -> ImagesMetrics:
    """The typed ``metrics`` settings of a run config (``cfg.metrics``; every key is in
    ``domain/images.yaml``). ``cfg=None`` (a module built in Python, no run config): the
    domain YAML's own ``metrics`` block, what ``gan-run`` would use."""
    node = cfg.metrics if cfg is not None else _domain_yaml_metrics()
    metrics = build(ImagesMetrics, node, "metrics")
    if metrics.feature_net not in FEATURE_NETS:
        raise choices_error("feature network", metrics.feature_net, FEATURE_NETS, where="metrics.feature_net")
    return metrics


def _domain_yaml_metrics() -> Any:
    from importlib import resources

    from omegaconf import OmegaConf

    with resources.files("ganforge_images.conf").joinpath("domain", "images.yaml").open(encoding="utf-8") as fh:
        return OmegaConf.load(fh).metrics


@dataclass
class Domain:
    """Images of one domain for metrics: training (for the classifier) and held-out (reference)."""

    train: torch.Tensor
    train_labels: torch.Tensor | None
    test: torch.Tensor
    test_labels: torch.Tensor | None
    split: str


def classifier_split(domain: Domain) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor, torch.Tensor | None]:
    """(train, labels, val, labels) for the classifier; without a separate split, hold out 10%."""
    if domain.split != "train":
        return domain.train, domain.train_labels, domain.test, domain.test_labels
    n_val = max(1, len(domain.train) // 10)
    cut = lambda t, s: None if t is None else t[s]  # noqa: E731
    return (
        domain.train[:-n_val], cut(domain.train_labels, slice(None, -n_val)),
        domain.train[-n_val:], cut(domain.train_labels, slice(-n_val, None)),
    )


class ImageEvaluator:
    """Evaluates modules trained on one data module, caching feature nets and real statistics."""

    def __init__(self, datamodule: Any, mcfg: ImagesMetrics, retrain: bool = False):
        self.datamodule = datamodule
        self.mcfg = mcfg  # the typed ``metrics`` settings (:func:`metrics_config`)
        self.retrain = retrain  # train the reference classifiers again even when cached
        self._nets: dict[str, FeatureNet] = {}
        self._generation: dict[tuple[str, int], GenerationMetrics] = {}
        self._inception: FeatureNet | None = None
        self.classifier_info: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ data per model kind
    def image_domain(self) -> Domain:
        """Train/held-out images of an :class:`~ganforge_images.data.datamodule.ImageDataModule`."""
        dm = self.datamodule
        test_images, test_labels = dm.test_data()
        split = "train" if test_images is dm.images else "test"
        return Domain(dm.images, dm.labels, test_images, test_labels, split)

    def translation_domains(self) -> tuple[Domain, Domain, Any]:
        """Domains A and B of a paired/unpaired data module, and its held-out data."""
        dm = self.datamodule
        train, test = dm.train, dm.test_data()
        split = "train" if test is train else test.split
        la, lb = (getattr(train, "labels_a", None), getattr(train, "labels_b", None))
        ta, tb = (getattr(test, "labels_a", None), getattr(test, "labels_b", None))
        if hasattr(train, "labels"):  # paired: labels describe the targets
            lb, tb = train.labels, test.labels
        return Domain(train.a, la, test.a, ta, split), Domain(train.b, lb, test.b, tb, split), test

    # ------------------------------------------------------------------ feature networks
    def feature_net(self, role: str, domain: Domain) -> FeatureNet:
        """The feature network for images like ``domain`` (cached per role)."""
        if role in self._nets:
            return self._nets[role]
        kind = self.mcfg.feature_net
        if kind == "inception":
            if self._inception is None:
                self._inception = InceptionFeatureNet(self.mcfg.inception_weights or "")
            net = self._inception
        elif self.mcfg.classifier_path:
            net, meta = load_classifier(self.mcfg.classifier_path)
            net.name = "classifier"
            log.info("metrics: reference classifier %s (val accuracy %.3f)", self.mcfg.classifier_path, meta["val_accuracy"])
        else:
            x, y, vx, vy = classifier_split(domain)
            net, meta, trained = load_or_train_classifier(
                x, y, vx, vy, cache_dir=self.mcfg.cache_dir, epochs=int(self.mcfg.classifier_epochs),
                min_steps=int(self.mcfg.classifier_min_steps),
                width=int(self.mcfg.classifier_width), info={"role": role}, retrain=self.retrain,
            )
            net.name = "classifier"
            log.info(
                "metrics: %s reference classifier %s (%s task, val accuracy %.3f)",
                "trained" if trained else "cached", meta["path"], meta["config"]["task"], meta["val_accuracy"],
            )
            self.classifier_info[role] = meta
        self._nets[role] = net.eval()
        return self._nets[role]

    def generation(self, role: str, domain: Domain, n: int) -> GenerationMetrics:
        """FID/KID/IS against ``domain``'s held-out images for ``n`` generated images (cached)."""
        key = (role, n)
        if key not in self._generation:
            real = domain.test[: int(self.mcfg.n_real)]
            self._generation[key] = GenerationMetrics(
                self.feature_net(role, domain), real, domain.split, n,
                batch_size=int(self.mcfg.batch_size), compute_kid=bool(self.mcfg.kid),
            )
        return self._generation[key]

    def reference_domains(self, kind: str) -> dict[str, Domain]:
        """The domains whose reference classifiers a model of data ``kind`` uses, by role."""
        if kind == "paired":
            return {"B": self.translation_domains()[1]}
        if kind == "unpaired":
            domain_a, domain_b, _ = self.translation_domains()
            return {"A": domain_a, "B": domain_b}
        return {"images": self.image_domain()}

    # ------------------------------------------------------------------ evaluation per model kind
    def evaluate(self, module: Any) -> dict[str, float]:
        """All metrics for ``module`` (keys as in the module docstring)."""
        kind = module.data_kind
        if kind == "paired":
            return self.evaluate_paired(module)
        if kind == "unpaired":
            return self.evaluate_unpaired(module)
        return self.evaluate_generation(module)

    def evaluate_generation(self, module: Any) -> dict[str, float]:
        """FID/KID/IS of samples (and label accuracy for class-conditional models)."""
        if self.mcfg.feature_net == "none":
            return {}
        domain = self.image_domain()
        n = int(self.mcfg.n_samples)
        metrics = self.generation("images", domain, n)
        out = metrics(lambda k: module.sample(k).cpu())
        net = metrics.net
        if module.conditional and net.num_classes == module.num_classes:
            correct, done, batch = 0, 0, int(self.mcfg.batch_size)
            labels = module.sample_labels(n).cpu()
            while done < n:
                want = labels[done : done + batch]
                images = module.sample(len(want), label=want.tolist()).cpu()
                correct += int((net.logits(images).argmax(1) == want).sum())
                done += len(want)
            out[metric_key("label_accuracy", net.name, n)] = correct / n
        n_ppl = int(self.mcfg.ppl_samples)
        if n_ppl and hasattr(module, "sampling_generator") and hasattr(module.sampling_generator(), "mapping"):
            out[metric_key("ppl_wend", net.name, n_ppl)] = self.path_length(module, net, n_ppl)
        return out

    def path_length(self, module: Any, net: FeatureNet, n: int) -> float:
        """Perceptual path length in W ("end" sampling) of a style-based generator, in ``net``'s features."""
        g = module.sampling_generator().eval()
        values = path_lengths(g, net.features, n, int(module.latent_dim), batch=int(self.mcfg.batch_size),
                              device=module.device)
        return perceptual_path_length(values)

    def evaluate_paired(self, module: Any) -> dict[str, float]:
        """L1/SSIM against targets and FID of translations (pix2pix)."""
        domain_a, domain_b, test = self.translation_domains()
        n = min(int(self.mcfg.n_samples), len(test.a))
        translated = module.translate(test.a[:n]).cpu()
        pairs = PairedMetrics()
        pairs.update(translated, test.b[:n])
        out = pairs.compute(split=domain_b.split)
        if self.mcfg.feature_net != "none" and n >= 2:
            out.update(self.generation("B", domain_b, n)(translated))
        return out

    def evaluate_unpaired(self, module: Any) -> dict[str, float]:
        """FID per direction, plus L1/SSIM where the held-out domains are true pairs (CycleGAN)."""
        domain_a, domain_b, test = self.translation_domains()
        out: dict[str, float] = {}
        for direction, source, target, role in (("AtoB", test.a, domain_b, "B"), ("BtoA", test.b, domain_a, "A")):
            n = min(int(self.mcfg.n_samples), len(source))
            translated = module.translate(source[:n], direction).cpu()
            if test.paired:
                pairs = PairedMetrics()
                pairs.update(translated, target.test[:n])
                out.update(pairs.compute(prefix=f"{direction}/", split=target.split))
            if self.mcfg.feature_net != "none" and n >= 2:
                scores = self.generation(role, target, n)(translated)
                out.update({f"{direction}/{k}": v for k, v in scores.items()})
        return out


_EVALUATORS: weakref.WeakKeyDictionary[Any, ImageEvaluator] = weakref.WeakKeyDictionary()


def evaluate_images(module: Any, datamodule: Any) -> dict[str, float]:
    """Entry point used by the domain: metrics of ``module`` on ``datamodule``'s held-out data."""
    if datamodule is None:
        return {}
    mcfg = metrics_config(module.run_config)
    evaluator = _EVALUATORS.get(datamodule)
    if evaluator is None or evaluator.mcfg != mcfg:
        evaluator = ImageEvaluator(datamodule, mcfg)
        _EVALUATORS[datamodule] = evaluator
    return evaluator.evaluate(module)
