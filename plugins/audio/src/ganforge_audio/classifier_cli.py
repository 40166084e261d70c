"""``gan-audio-classifier``: train, save and use the log-mel classifier behind the audio IS.

Examples::

    # spoken digits (FSDD): label = leading digit, official train split (index 5-49)
    gan-audio-classifier train --data ../shared/data/audio/recordings --labels regex \\
        --label-pattern '^(\\d)_' --exclude '_[0-4]\\.wav$' --sample-rate 8000 --window 4096 \\
        --out digits.pt
    # Inception score of the held-out real clips (or of generated WAVs)
    gan-audio-classifier score --classifier digits.pt --data ../shared/data/audio/recordings \\
        --include '_[0-4]\\.wav$'

A run then uses it with ``metrics.classifier=digits.pt``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ganforge.errors import GanforgeError
from ganforge_audio.audio_io import load_audio_folder
from ganforge_audio.classifier import load_classifier, save_classifier, train_classifier
from ganforge_audio.metrics import inception_score


def _data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", required=True, help="folder of audio files (recursive)")
    p.add_argument("--include", help="regex: keep files whose relative path matches")
    p.add_argument("--exclude", help="regex: drop files whose relative path matches")
    p.add_argument("--max-files", type=int)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface (sub-commands ``train`` and ``score``)."""
    parser = argparse.ArgumentParser(prog="gan-audio-classifier", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train a classifier on a labelled folder and save it")
    _data_args(train)
    train.add_argument("--labels", choices=["folder", "regex"], default="folder")
    train.add_argument("--label-pattern", help="regex with one group, searched in the file name (labels=regex)")
    train.add_argument("--sample-rate", type=int, default=16000)
    train.add_argument("--window", type=int, default=16384)
    train.add_argument("--epochs", type=int, default=15)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--width", type=int, default=16)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", required=True, help="where to write the classifier (.pt)")
    score = sub.add_parser("score", help="Inception score of the audio files in a folder")
    _data_args(score)
    score.add_argument("--classifier", required=True)
    score.add_argument("--splits", type=int, default=10)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; prints one JSON line of results. User errors exit with status 2."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            data = load_audio_folder(args.data, args.sample_rate, args.window, labels=args.labels,
                                     label_pattern=args.label_pattern, include=args.include,
                                     exclude=args.exclude, max_files=args.max_files)
            model, metrics = train_classifier(data.stacked(), data.labels, data.class_names, args.sample_rate,
                                              epochs=args.epochs, batch_size=args.batch_size, width=args.width,
                                              seed=args.seed)
            save_classifier(model, args.out, metrics)
            print(json.dumps({"classifier": str(args.out), "classes": data.class_names, **metrics}))
        else:
            model = load_classifier(args.classifier)
            data = load_audio_folder(args.data, model.sample_rate, model.window, include=args.include,
                                     exclude=args.exclude, max_files=args.max_files)
            mean, std = inception_score(model, data.stacked(), model.sample_rate, splits=args.splits)
            print(json.dumps({"inception_score": mean, "inception_score_std": std, "files": len(data.files)}))
    except GanforgeError as exc:
        print(f"gan-audio-classifier: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
