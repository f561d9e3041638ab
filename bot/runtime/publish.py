"""Publishing new content to the running bot: `python -m bot.runtime.publish` (`make publish`).

For content editors: after editing data/faq/<tema>.yml, one command checks the
content, trains a model if anything changed, and tells the running Rasa to use it
(Rasa's `PUT /model`; `make run` starts Rasa with `--enable-api` on 127.0.0.1). The
website stays up. What the command prints is in Norwegian: editors read it.

Rasa builds a new tracker store when it loads a model: with the default in-memory
store, conversations going on lose what the bot remembered (unsure count, last
topic). A persistent tracker store (endpoints.yml, production) keeps them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from bot.content.checks import SHARED, check_content
from bot.content.store import FaqStore
from bot.runtime.processes import PROJECT_ROOT
from bot.runtime.training import ensure_model

DEFAULT_RASA_URL = "http://127.0.0.1:5005"
# Loading a model takes Rasa 10-40 s on this machine kind; allow for a busy one.
LOAD_TIMEOUT_SECONDS = 300


class NotRunning(Exception):
    """No Rasa answers at the URL."""


def _request(url: str, method: str = "GET", body: dict[str, str] | None = None, timeout: float = 5) -> bytes:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return bytes(response.read())


def loaded_model(rasa_url: str) -> dict[str, str]:
    """Rasa's `GET /status`: the model file and id it runs with."""
    try:
        status = json.loads(_request(f"{rasa_url.rstrip('/')}/status"))
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        raise NotRunning(str(exc)) from exc
    return {"model_file": str(status.get("model_file", "")), "model_id": str(status.get("model_id", ""))}


def model_id(model: Path) -> str:
    """The id Rasa gave the model when it trained it (from the archive's metadata)."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    return str(LocalModelStorage.metadata_from_archive(model).model_id)


def publish(rasa_url: str, model: Path) -> dict[str, str]:
    """Makes the running Rasa load `model`; returns the status after loading.

    Raises NotRunning when no Rasa answers, and RuntimeError when Rasa refused the model.
    """
    try:
        _request(
            f"{rasa_url.rstrip('/')}/model",
            method="PUT",
            body={"model_file": str(model.resolve())},
            timeout=LOAD_TIMEOUT_SECONDS,
        )
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"Rasa refused the model ({exc.code}): {exc.read()[:500]!r}") from exc
    except (urllib.error.URLError, ConnectionError) as exc:
        raise NotRunning(str(exc)) from exc
    return loaded_model(rasa_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check, train if needed, and publish to the running bot.")
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", DEFAULT_RASA_URL))
    parser.add_argument("--skip-checks", action="store_true", help="only train and publish")
    args = parser.parse_args(argv)
    # What is published, read before the checks: the editors' page marks the rest unpublished.
    store = FaqStore.for_project(PROJECT_ROOT, SHARED)
    versions = store.versions()

    if not args.skip_checks:
        print("Sjekker innholdet …", flush=True)
        failed = [r for r in check_content() if not r.ok]
        if failed:
            for result in failed:
                print(f"\nIkke i orden: {result.what}\n{result.output}")
            print("Ingenting er publisert. Rett feilene over og kjør kommandoen igjen.")
            return 1
        print("Innholdet er i orden.")
    print("Trener boten hvis noe er endret (1–3 minutter) …", flush=True)
    model = ensure_model(PROJECT_ROOT / "models", "nav", PROJECT_ROOT / "config.yml")
    try:
        if loaded_model(args.rasa_url)["model_id"] == model_id(model):
            # Loading again would only make Rasa forget the conversations going on.
            print("Ingen endringer: boten kjører allerede med dette innholdet.")
            store.record_published(versions)
            return 0
        print("Boten laster den nye modellen …", flush=True)
        publish(args.rasa_url, model)
    except NotRunning:
        print(
            f"Modellen er klar ({model}), men boten kjører ikke på {args.rasa_url}. "
            "Den brukes neste gang du starter med «make run»."
        )
        return 0
    store.record_published(versions)
    print("Publisert: boten svarer nå med det nye innholdet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
