"""`kefu assist train` retrains the classifier; `kefu assist eval` writes the evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kefu.config import BASE_DIR


class Command(BaseCommand):
    help = "Agent assist: train the classifier or evaluate the analyzer."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="retrain on the corpus plus the site's labels")
        train.add_argument(
            "--corpus-dir",
            action="append",
            type=Path,
            default=[],
            help="extra directory of labelled *.jsonl files (repeatable)",
        )
        evaluate = sub.add_parser("eval", help="held-out scores and benchmarks -> Markdown")
        evaluate.add_argument("--output", type=Path, default=BASE_DIR / "docs" / "assist-eval.md")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "train":
            from kefu.assist.actions import export_corrections
            from kefu.assist.train import model_path, train_and_save

            exported = export_corrections()
            self.stdout.write(f"{exported} cases confirmed or corrected by agents exported")
            model = train_and_save(options["corpus_dir"])
            self.stdout.write(
                f"trained on {model.trained_on} messages; saved {model_path(model.fingerprint)}"
            )
        else:
            from kefu.assist.evaluate import run

            text = run(path=options["output"])
            self.stdout.write(text.split("\n\n", 3)[2])
            self.stdout.write(f"written to {options['output']}")
