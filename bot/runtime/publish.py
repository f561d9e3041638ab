"""Publishing new content to the running bot: `python -m bot.runtime.publish` (`make publish`).

For content editors: after editing data/faq/<tema>.yml, one command checks the
content, trains a model if anything changed, measures it on the held-out dev set, and
tells the running Rasa to use it (Rasa's `PUT /model`; `make run` starts Rasa with
`--enable-api` on 127.0.0.1) unless it scores worse than the model running now
(`bot/evaluation/gate.py`). The website stays up. What the command prints is in
Norwegian: editors read it.

Rasa builds a new tracker store when it loads a model: with the default in-memory
store, conversations going on lose what the bot remembered (unsure count, last
topic). A persistent tracker store (endpoints.yml, production) keeps them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.content.checks import SHARED, check_content
from bot.content.store import FaqStore
from bot.evaluation.gate import Verdict, judge
from bot.runtime.processes import PROJECT_ROOT
from bot.runtime.quality import measure
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


@dataclass(frozen=True)
class Released:
    """How a release ended, in Norwegian for editors."""

    published: bool
    message: str
    details: str = ""
    quality: Verdict | None = None


PUBLISHED = "Publisert: boten svarer nå med det nye innholdet."
UNCHANGED = "Ingen endringer: boten kjører allerede med dette innholdet."
REFUSED = (
    "Den nye modellen svarer dårligere enn boten gjør nå, så ingenting er publisert. Boten svarer som før."
)
REFUSED_ADVICE = (
    "Se på eksemplene som er endret for svarene over: et eksempel som ligner spørsmål "
    "til et annet svar, kan trekke spørsmål dit. I endringsloggen kan du hente tilbake "
    "teksten fra før. Lagre, og publiser igjen."
)


def _running_model_id(rasa_url: str) -> str | None:
    """The id of the model the running Rasa uses; None if no Rasa answers."""
    try:
        return loaded_model(rasa_url)["model_id"]
    except NotRunning:
        return None


def check_quality(
    candidate: Path, published: Path, cases: Path, cache: Path, titles: Mapping[str, str] | None = None
) -> tuple[Verdict, str]:
    """The gate's verdict on `candidate` against `published`, and a note for editors if any.

    Rasa's /status names the running model's file but not its folder: the comparison is
    with the published model, which `make run` starts.
    """
    new = measure(candidate, model_id(candidate), cases, cache)
    before, note = None, ""
    if published.exists():
        try:
            before = measure(published, model_id(published), cases, cache)
        except Exception:  # noqa: BLE001 - unreadable or from older code: the targets alone decide
            note = "Modellen boten bruker nå, kunne ikke måles. Bare målene avgjør."
    return judge(new, before, titles), note


def release(
    root: Path,
    config: Path,
    models: Path,
    rasa_url: str,
    shared: Path,
    progress: Callable[[str], None],
    titles: Mapping[str, str] | None = None,
) -> Released:
    """Trains the content of `root`, measures it, and publishes it if it is not worse.

    The new model is trained beside the published one (`models/candidate/`) and replaces
    `models/nav.tar.gz` only when it passes the gate, so a refused model is neither
    running nor started by the next `make run`.
    """
    progress("Trener boten med det nye innholdet (1–3 minutter) …")
    candidate = ensure_model(models / "candidate", "nav", config, root=root)
    new_id = model_id(candidate)
    if _running_model_id(rasa_url) == new_id:
        return Released(True, UNCHANGED)
    published = models / "nav.tar.gz"
    verdict: Verdict | None = None
    details = ""
    dev = shared / "eval" / "dev.yml"
    if dev.exists():
        progress("Tester den nye modellen på testspørsmål (1–2 minutter) …")
        verdict, details = check_quality(candidate, published, dev, models / "scores", titles)
        if not verdict.passed:
            return Released(False, REFUSED, f"{REFUSED_ADVICE} {details}".strip(), verdict)
    else:
        details = f"Ikke målt: testsettet finnes ikke her ({dev})."
    os.replace(candidate, published)
    shutil.copy(candidate.with_name("nav.nlu-code.sha256"), published.with_name("nav.nlu-code.sha256"))
    progress("Boten laster det nye innholdet …")
    try:
        publish(rasa_url, published)
    except NotRunning:
        message = "Modellen er trent, men boten svarer ikke nå. Den tas i bruk neste gang boten starter."
        return Released(False, message, rasa_url, verdict)
    return Released(True, PUBLISHED, details, verdict)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check, train if needed, measure, and publish to the running bot."
    )
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", DEFAULT_RASA_URL))
    parser.add_argument("--skip-checks", action="store_true", help="only train, measure and publish")
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
    titles = {entry.id: entry.title for entry in store.entries()}
    done = release(
        PROJECT_ROOT, PROJECT_ROOT / "config.yml", PROJECT_ROOT / "models", args.rasa_url, SHARED,
        lambda step: print(step, flush=True), titles,
    )  # fmt: skip
    if done.quality is not None:
        print(done.quality.report())
    if done.details:
        print(done.details)
    print(done.message)
    if done.published:
        store.record_published(versions)
        return 0
    return 0 if done.quality is None or done.quality.passed else 1


if __name__ == "__main__":
    sys.exit(main())
