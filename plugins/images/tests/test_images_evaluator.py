"""The evaluator command trains the reference classifier a run would use, and later runs reuse it."""

from __future__ import annotations

import pytest

from ganforge.errors import GanforgeError
from ganforge_images.evaluator_cli import main, prepare_classifiers

TINY = ["data.size=16", "data.limit=300", "metrics.classifier_epochs=1", "metrics.classifier_min_steps=40",
        "metrics.classifier_width=8"]


def test_evaluator_trains_then_reuses_the_cached_classifier(tmp_path, capsys):
    overrides = [*TINY, f"metrics.cache_dir={tmp_path}"]
    first = prepare_classifiers(overrides)
    assert [r["role"] for r in first] == ["images"]
    assert first[0]["val_accuracy"] > 0.5 and first[0]["config"]["task"] == "labels"
    assert first[0]["path"].startswith(str(tmp_path / "evaluators"))
    main(overrides)
    out = capsys.readouterr().out
    assert out.startswith(f"images: {first[0]['path']} (labels task, 300 training images")
    # the same path is what a training run's evaluation looks up
    from ganforge import compose_config
    from ganforge_images.domain import ImagesDomain
    from ganforge_images.evaluation import evaluate_images

    cfg = compose_config(["domain=images", "model=wgan-gp", "debug=smoke", *overrides])
    plugin = ImagesDomain()
    dm = plugin.build_datamodule(cfg)
    dm.setup("fit")
    module = plugin.make_module(cfg, dm.spec())
    metrics = evaluate_images(module, dm)
    assert "fid/classifier/n32/test" in metrics
    assert len(list((tmp_path / "evaluators").glob("*.pt"))) == 1  # no second classifier was trained


def test_evaluator_for_cyclegan_prepares_one_classifier_per_domain(tmp_path):
    results = prepare_classifiers(["model=cyclegan", *TINY, f"metrics.cache_dir={tmp_path}"])
    assert [r["role"] for r in results] == ["A", "B"]
    assert results[0]["path"] != results[1]["path"]


def test_evaluator_errors_are_one_line(tmp_path):
    with pytest.raises(GanforgeError, match="retrain=maybe: expected true or false"):
        prepare_classifiers(["retrain=maybe"])
    with pytest.raises(GanforgeError, match="Could not override 'metrics.nope'"):
        prepare_classifiers(["metrics.nope=1"])
    with pytest.raises(GanforgeError, match="metrics.feature_net=inception: nothing to train"):
        prepare_classifiers(["metrics.feature_net=inception"])
