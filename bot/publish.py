"""`make publish` (`python -m bot.publish`): the release pipeline from the command line.

For content editors: after editing data/faq/<tema>.yml, one command checks the content,
makes changed texts live at once (no training when only texts changed), trains a model if
examples, intents or config changed, measures it on the held-out dev set, and tells the
running Rasa to use it unless it scores worse than the model running now
(bot/release/pipeline.py). What it prints is in Norwegian: editors read it.
"""

from __future__ import annotations

import argparse
import os
import sys

from bot.content.checks import check_content
from bot.content.store import FaqStore
from bot.paths import CONFIG, MODELS, PROJECT_ROOT, SHARED
from bot.release.changes import DEFAULT_MAX_FINETUNES
from bot.release.messages import ROUTE_TEXTS
from bot.release.pipeline import ContentRefused, publish_content

DEFAULT_RASA_URL = "http://127.0.0.1:5005"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check, train if needed, measure, and publish to the running bot."
    )
    parser.add_argument(
        "--rasa-url",
        default=os.environ.get("RASA_URLS") or os.environ.get("RASA_URL", DEFAULT_RASA_URL),
        help="the running Rasa, or several separated by commas (each loads the new model in turn)",
    )
    parser.add_argument("--skip-checks", action="store_true", help="only train, measure and publish")
    parser.add_argument(
        "--from-scratch", action="store_true",
        help="train a new model from scratch even when only examples changed (no fine-tuning)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    store = FaqStore.for_project(PROJECT_ROOT, SHARED)
    done = publish_content(
        store, None if args.skip_checks else lambda texts_only: check_content(PROJECT_ROOT, SHARED, texts_only),
        CONFIG, MODELS, args.rasa_url, SHARED, lambda step: print(step, flush=True),
        by=os.environ.get("USER") or "make publish",  # who, in the publication history
        max_finetunes=0 if args.from_scratch else DEFAULT_MAX_FINETUNES,
    )  # fmt: skip
    if isinstance(done, ContentRefused):
        for result in done.failed:
            print(f"\nIkke i orden: {result.what}\n{result.output}")
        print("Ingenting er publisert. Rett feilene over og kjør kommandoen igjen.")
        return 1
    if done.quality is not None:
        print(done.quality.report())
    if done.details:
        print(done.details)
    print(done.message)
    if done.route.value in ROUTE_TEXTS:
        print(ROUTE_TEXTS[done.route.value])
    if done.published:
        return 0
    return 0 if done.quality is None or done.quality.passed else 1


if __name__ == "__main__":
    sys.exit(main())
