"""Tests of the offline image metrics: reference classifier, FID/KID/IS, cache, Inception, L1/SSIM."""

from __future__ import annotations

import json

import pytest
import torch

from ganforge.errors import GanforgeError
from ganforge_images.data.embedded import load_digits
from ganforge_images.data.folder import prepare_array
from ganforge_images.metrics import (
    INCEPTION_WEIGHTS_FILE,
    GenerationMetrics,
    InceptionFeatureNet,
    PairedMetrics,
    load_classifier,
    load_or_train_classifier,
    metric_key,
    train_reference_classifier,
)

FAST = dict(epochs=2, batch_size=32, width=16, accelerator="cpu")


@pytest.fixture(scope="module")
def digits():
    """1,200 embedded training digits and 300 test digits at 28x28 in [-1, 1]."""
    x, y = load_digits("train")
    xt, yt = load_digits("test")
    return (
        prepare_array(x[:1200], 28, 1), torch.from_numpy(y[:1200]),
        prepare_array(xt[:300], 28, 1), torch.from_numpy(yt[:300]),
    )


@pytest.fixture(scope="module")
def classifier(digits):
    x, y, xt, yt = digits
    return train_reference_classifier(x, y, xt, yt, **FAST)


def test_reference_classifier_reaches_clear_accuracy_on_tiny_real_set(classifier, digits):
    assert classifier.val_accuracy > 0.75  # chance is 0.1
    _, _, xt, yt = digits
    accuracy = (classifier.model.eval().logits(xt).argmax(1) == yt).float().mean().item()
    assert accuracy == pytest.approx(classifier.val_accuracy, abs=1e-6)
    feats = classifier.model.features(xt[:5])
    assert feats.shape == (5, 128) and feats.dtype == torch.float32


def test_fid_is_zero_against_itself_and_large_against_noise(classifier, digits):
    x, _, xt, _ = digits
    net = classifier.model
    metrics = GenerationMetrics(net, xt[:200], "test", n_samples=200, kid_subset_size=50)
    same = metrics(xt[:200])
    fid_key = metric_key("fid", net.name, 200, "test")
    assert set(same) == {fid_key, "kid/classifier/n200/test", "is/classifier/n200"}
    assert abs(same[fid_key]) < 1e-3
    other_real = metrics(x[:200])[fid_key]
    noise = metrics(torch.rand(200, 1, 28, 28) * 2 - 1)
    assert noise[fid_key] > 10 * max(other_real, 1e-3)
    assert noise["kid/classifier/n200/test"] > same["kid/classifier/n200/test"]
    assert same["is/classifier/n200"] > noise["is/classifier/n200"] + 1.0
    assert same["is/classifier/n200"] <= 10.0 + 1e-4


def test_generation_metrics_draw_from_a_sampler_and_check_counts(classifier, digits):
    _, _, xt, _ = digits
    metrics = GenerationMetrics(classifier.model, xt[:100], "val", n_samples=150, batch_size=64, compute_kid=False)
    calls = []

    def sampler(k):
        calls.append(k)
        return xt[:k]

    out = metrics(sampler)
    assert calls == [64, 64, 22]
    assert list(out) == ["fid/classifier/n150/val", "is/classifier/n150"]
    with pytest.raises(GanforgeError, match="metrics.n_samples=150"):
        metrics(xt[:100])


def test_rotation_classifier_for_unlabelled_data_has_no_inception_score(digits):
    x, _, xt, _ = digits
    trained = train_reference_classifier(x[:300], None, xt[:100], None, **{**FAST, "epochs": 1})
    assert trained.model.config.task == "rotation" and trained.model.num_classes is None
    assert trained.val_accuracy > 0.25 + 0.1  # above chance on 4 rotations
    out = GenerationMetrics(trained.model, xt[:50], "test", n_samples=50, kid_subset_size=20)(xt[50:100])
    assert sorted(out) == ["fid/classifier/n50/test", "kid/classifier/n50/test"]


def test_classifier_is_cached_by_data_and_reused(tmp_path, digits):
    x, y, xt, yt = digits
    kwargs = dict(cache_dir=tmp_path, epochs=1, batch_size=64, width=8, accelerator="cpu")
    model, meta, trained_now = load_or_train_classifier(x[:256], y[:256], xt[:64], yt[:64], **kwargs)
    path = tmp_path / "evaluators" / f"classifier-{meta['fingerprint']}.pt"
    assert trained_now and meta["path"] == str(path) and path.is_file()
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert sidecar["n_train"] == 256 and 0.0 <= sidecar["val_accuracy"] <= 1.0
    again, meta2, trained_again = load_or_train_classifier(x[:256], y[:256], xt[:64], yt[:64], **kwargs)
    assert not trained_again and meta2["fingerprint"] == meta["fingerprint"]
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values()))
    _, meta3, _ = load_or_train_classifier(x[256:512], y[256:512], xt[:64], yt[:64], **kwargs)
    assert meta3["fingerprint"] != meta["fingerprint"]


def test_unreadable_classifier_file_is_a_one_line_error(tmp_path):
    bad = tmp_path / "classifier-x.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(GanforgeError, match="classifier-x.pt: not a ganforge reference classifier"):
        load_classifier(bad)
    with pytest.raises(GanforgeError, match="missing.pt: file not found"):
        load_classifier(tmp_path / "missing.pt")


def test_inception_needs_an_existing_weights_file(tmp_path):
    with pytest.raises(GanforgeError) as err:
        InceptionFeatureNet(tmp_path / "nope.pth")
    assert "nope.pth" in str(err.value) and INCEPTION_WEIGHTS_FILE in str(err.value)
    assert "\n" not in str(err.value)


def test_inception_loads_a_local_weights_file(tmp_path, monkeypatch):
    fid_module = pytest.importorskip("torch_fidelity.feature_extractor_inceptionv3")
    # build a randomly initialised network offline, save it as the weights file would be
    with monkeypatch.context() as patch:
        patch.setattr(fid_module, "load_state_dict_from_url", lambda *a, **k: None)
        patch.setattr(fid_module.FeatureExtractorInceptionV3, "load_state_dict", lambda self, sd, *a, **k: None)
        random_net = fid_module.FeatureExtractorInceptionV3("inception-v3-compat", ["2048"])
    weights = tmp_path / INCEPTION_WEIGHTS_FILE
    torch.save(random_net.state_dict(), weights)
    net = InceptionFeatureNet(weights)
    grey = torch.rand(2, 1, 28, 28) * 2 - 1
    assert net.features(grey).shape == (2, 2048)
    assert net.logits(grey).shape == (2, 1008)
    wrong = tmp_path / "wrong.pth"
    torch.save({"fc.weight": torch.zeros(3)}, wrong)
    with pytest.raises(GanforgeError, match="wrong.pth: not a valid InceptionV3 state dict"):
        InceptionFeatureNet(wrong)


def test_paired_metrics_l1_and_ssim():
    torch.manual_seed(0)
    target = torch.rand(4, 1, 28, 28) * 2 - 1
    same = PairedMetrics()
    same.update(target, target)
    assert same.compute(split="test") == {"l1/n4/test": 0.0, "ssim/n4/test": pytest.approx(1.0)}
    other = PairedMetrics()
    other.update(-target, target)
    out = other.compute(prefix="AtoB/")
    assert out["AtoB/l1/n4/test"] == pytest.approx((target.abs()).mean().item(), rel=1e-5)
    assert out["AtoB/ssim/n4/test"] < 0.5
    with pytest.raises(GanforgeError, match=r"prediction shape \[4, 1, 28, 28\] != target shape \[4, 1, 14, 14\]"):
        other.update(target, target[..., :14, :14])


def test_paired_metrics_accept_strided_tensors():
    """Translation outputs can be non-contiguous views (a cyclegan run crashed in MAE's view)."""
    torch.manual_seed(0)
    pred = torch.rand(4, 8, 8, 3).permute(0, 3, 1, 2) * 2 - 1  # NCHW view of NHWC memory
    target = pred.contiguous().clone()
    metrics = PairedMetrics()
    metrics.update(pred, target)
    values = metrics.compute()
    assert values["l1/n4/test"] == pytest.approx(0.0, abs=1e-7)
    assert values["ssim/n4/test"] == pytest.approx(1.0, abs=1e-4)
