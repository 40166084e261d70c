"""Image metrics that work offline: FID/KID/IS in a pluggable feature space, L1/SSIM for pairs.

Feature networks: :class:`~ganforge_images.metrics.classifier.ReferenceClassifier`
(trained by ganforge on the data set and cached, the default) and
:class:`~ganforge_images.metrics.inception.InceptionFeatureNet` (the standard FID
InceptionV3 from a local weights file).
"""

from ganforge_images.metrics.classifier import (
    ClassifierConfig,
    ReferenceClassifier,
    TrainedClassifier,
    rotation_task,
    train_reference_classifier,
)
from ganforge_images.metrics.evaluator_store import (
    data_fingerprint,
    default_cache_dir,
    evaluator_path,
    load_classifier,
    load_or_train_classifier,
    save_classifier,
)
from ganforge_images.metrics.features import FeatureHead, FeatureNet
from ganforge_images.metrics.generation import GenerationMetrics, metric_key
from ganforge_images.metrics.inception import INCEPTION_WEIGHTS_FILE, INCEPTION_WEIGHTS_URL, InceptionFeatureNet
from ganforge_images.metrics.paired import PairedMetrics

__all__ = [
    "ClassifierConfig",
    "FeatureHead",
    "FeatureNet",
    "GenerationMetrics",
    "INCEPTION_WEIGHTS_FILE",
    "INCEPTION_WEIGHTS_URL",
    "InceptionFeatureNet",
    "PairedMetrics",
    "ReferenceClassifier",
    "TrainedClassifier",
    "data_fingerprint",
    "default_cache_dir",
    "evaluator_path",
    "load_classifier",
    "load_or_train_classifier",
    "metric_key",
    "rotation_task",
    "save_classifier",
    "train_reference_classifier",
]
