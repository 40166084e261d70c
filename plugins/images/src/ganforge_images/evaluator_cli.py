"""``gan-images-evaluator``: train (or find) the reference classifier that FID/KID/IS use for a data set.

Takes the same ``key=value`` overrides as ``gan-run domain=images`` and prepares exactly
the classifier(s) a training run with those overrides would use, in the same cache
(``metrics.cache_dir``, ``$GANFORGE_CACHE_DIR`` or ``~/.cache/ganforge``)::

    gan-images-evaluator data.path=../shared/data/mnist data.size=28
    gan-images-evaluator                       # the embedded digits (data.path=null)
    gan-images-evaluator model=cyclegan data.path=~/horse2zebra metrics.classifier_epochs=5
    gan-images-evaluator data.path=~/digits retrain=true

Without the console script installed: ``python -m ganforge_images.evaluator_cli ...``.
Prints one line per classifier: role, file, task and held-out accuracy.
"""

from __future__ import annotations

import sys

from ganforge.errors import GanforgeError

PROG = "gan-images-evaluator"


def prepare_classifiers(overrides: list[str]) -> list[dict]:
    """Compose the run config for ``overrides``, then load or train its reference classifier(s)."""
    from ganforge import compose_config, get_registry
    from ganforge_images.evaluation import ImageEvaluator, metrics_config

    retrain = False
    rest = []
    for item in overrides:
        key, _, value = item.partition("=")
        if key == "retrain":
            if value.lower() not in ("true", "false"):
                raise GanforgeError(f"retrain={value}: expected true or false")
            retrain = value.lower() == "true"
        else:
            rest.append(item)
    if not any(o.startswith("domain=") for o in rest):
        rest.insert(0, "domain=images")
    if not any(o.startswith("model=") for o in rest):
        # every unconditional/conditional image model shares one classifier; wgan-gp's config
        # carries the full metrics block, so metrics.* overrides compose
        rest.append("model=wgan-gp")
    try:
        cfg = compose_config(rest)
    except GanforgeError:
        raise
    except Exception as exc:  # noqa: BLE001 - Hydra's composition errors, reported in one line
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GanforgeError(f"{' '.join(rest)}: {line}") from None
    if cfg.domain.name != "images":
        raise GanforgeError(f"domain={cfg.domain.name}: {PROG} prepares classifiers for domain=images only")
    plugin = get_registry().get("images")
    datamodule = plugin.build_datamodule(cfg)
    datamodule.setup("fit")
    mcfg = metrics_config(cfg)
    if mcfg.feature_net != "classifier" or mcfg.classifier_path:
        raise GanforgeError(
            f"metrics.feature_net={mcfg.feature_net}: nothing to train (only the default 'classifier' "
            "without metrics.classifier_path is trained by ganforge)"
        )
    kind = plugin.model_class(cfg.model.name).data_kind
    evaluator = ImageEvaluator(datamodule, mcfg, retrain=retrain)
    results = []
    for role, domain in evaluator.reference_domains(kind).items():
        evaluator.feature_net(role, domain)
        results.append({"role": role, **evaluator.classifier_info[role]})
    return results


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    from ganforge import exit_with_error as fail

    argv = sys.argv[1:] if argv is None else argv
    if {"-h", "--help"} & set(argv):
        print(__doc__)
        return
    try:
        results = prepare_classifiers(argv)
    except GanforgeError as exc:
        fail(PROG, exc)
    for r in results:
        print(
            f"{r['role']}: {r['path']} ({r['config']['task']} task, {r['n_train']} training images, "
            f"held-out accuracy {r['val_accuracy']:.4f})"
        )


if __name__ == "__main__":
    main()
