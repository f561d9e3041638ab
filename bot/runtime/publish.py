"""Publishing new content to the running bot: `python -m bot.runtime.publish` (`make publish`).

For content editors: after editing data/faq/<tema>.yml, one command checks the
content, trains a model if anything changed, measures it on the held-out dev set, and
tells the running Rasa to use it (Rasa's `PUT /model`; `make run` starts Rasa with
`--enable-api` on 127.0.0.1) unless it scores worse than the model running now
(`bot/evaluation/gate.py`). The website stays up. What the command prints is in
Norwegian: editors read it.

Rasa builds a new tracker store when it loads a model: with the default in-memory
store, conversations going on lose what the bot remembered (unsure count, last
topic). A persistent tracker store (endpoints.yml, production) keeps them. So a
publish with nothing changed must not load a model again: Rasa gives every training
a new model id, so "changed" is decided by a fingerprint of what the model is trained
from, kept beside models/nav.tar.gz.
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
from bot.runtime.training import content_fingerprint, ensure_model

DEFAULT_RASA_URL = "http://127.0.0.1:5005"
# Loading a model takes Rasa 10-40 s on this machine kind; allow for a busy one.
LOAD_TIMEOUT_SECONDS = 300


class NotRunning(Exception):
    """No Rasa answers at the URL."""


class LoadTimedOut(Exception):
    """Rasa did not finish loading the model in time; it may still be loading it."""


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


def publish(rasa_url: str, model: Path, timeout: float = LOAD_TIMEOUT_SECONDS) -> dict[str, str]:
    """Makes the running Rasa load `model`; returns the status after loading.

    Raises NotRunning when no Rasa answers, RuntimeError when Rasa refused the model, and
    LoadTimedOut when Rasa took longer than `timeout`.
    """
    try:
        _request(
            f"{rasa_url.rstrip('/')}/model",
            method="PUT",
            body={"model_file": str(model.resolve())},
            timeout=timeout,
        )
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"Rasa refused the model ({exc.code}): {exc.read()[:500]!r}") from exc
    except (urllib.error.URLError, ConnectionError) as exc:
        raise NotRunning(str(exc)) from exc
    except TimeoutError as exc:
        # Connected and sent, no answer in time (urllib raises this one unwrapped).
        raise LoadTimedOut(f"no answer from Rasa within {timeout:.0f} s") from exc
    return loaded_model(rasa_url)


@dataclass(frozen=True)
class Stamp:
    """What models/nav.tar.gz was trained from: the content's fingerprint and the model's id."""

    fingerprint: str
    model_id: str

    @staticmethod
    def path(published: Path) -> Path:
        return published.with_name(published.name.removesuffix(".tar.gz") + ".published.json")

    @classmethod
    def read(cls, published: Path) -> Stamp | None:
        try:
            data = json.loads(cls.path(published).read_text("utf-8"))
            return cls(str(data["fingerprint"]), str(data["model_id"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, published: Path) -> None:
        path = self.path(published)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({"fingerprint": self.fingerprint, "model_id": self.model_id}), "utf-8"
        )
        os.replace(temporary, path)


def _is_model(path: Path, expected_id: str) -> bool:
    """Whether `path` is still the model with `expected_id` (`make train` or a hand copy may
    have replaced it since)."""
    try:
        return path.exists() and model_id(path) == expected_id
    except Exception:  # noqa: BLE001 - an unreadable archive is simply not that model
        return False


@dataclass(frozen=True)
class Released:
    """How a release ended, in Norwegian for editors."""

    published: bool
    message: str
    details: str = ""
    quality: Verdict | None = None


PUBLISHED = "Publisert: boten svarer nå med det nye innholdet."
UNCHANGED = "Ingen endringer: boten kjører allerede med dette innholdet."
UNCHANGED_NOT_RUNNING = (
    "Ingen endringer siden forrige publisering, men boten svarer ikke nå. "
    "Den bruker dette innholdet når den starter."
)
REFUSED = (
    "Den nye modellen svarer dårligere enn boten gjør nå, så ingenting er publisert. Boten svarer som før."
)
REFUSED_ADVICE = (
    "Se på eksemplene som er endret for svarene over: et eksempel som ligner spørsmål "
    "til et annet svar, kan trekke spørsmål dit. I endringsloggen kan du hente tilbake "
    "teksten fra før. Lagre, og publiser igjen."
)
NOT_RUNNING = "Modellen er trent, men boten svarer ikke nå. Den tas i bruk neste gang boten starter."
LOAD_REFUSED = "Boten kunne ikke ta i bruk den nye modellen, så ingenting er publisert. Boten svarer som før."
LOAD_TIMED_OUT = (
    "Boten ble ikke ferdig med å ta i bruk det nye innholdet i tide, så det er ikke registrert som "
    "publisert. Sjekk om boten svarer, og publiser igjen."
)
NOT_SAVED = (
    "Boten bruker det nye innholdet, men modellfilen kunne ikke lagres, så neste oppstart bruker den forrige."
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


def _keep(candidate: Path, published: Path, stamp: Stamp) -> None:
    """Makes `candidate` the published model, with what it was trained from."""
    os.replace(candidate, published)
    code_stamp = candidate.with_name(candidate.name.removesuffix(".tar.gz") + ".nlu-code.sha256")
    if code_stamp.exists():
        shutil.copy(
            code_stamp, published.with_name(published.name.removesuffix(".tar.gz") + ".nlu-code.sha256")
        )
    stamp.write(published)


def install(
    candidate: Path,
    published: Path,
    rasa_url: str,
    fingerprint: str,
    verdict: Verdict | None = None,
    details: str = "",
    timeout: float = LOAD_TIMEOUT_SECONDS,
) -> Released:
    """Loads the gated `candidate` into the running Rasa, then makes it `published`.

    Rasa loads the candidate from where it is, so `published` stays the model the bot
    runs until the load succeeded: a refused or unfinished load changes nothing on disk.
    Only when no Rasa answers does the candidate become `published` at once, for the
    next start (it passed the gate).
    """
    try:
        loaded = publish(rasa_url, candidate, timeout)
    except NotRunning:
        _keep(candidate, published, Stamp(fingerprint, model_id(candidate)))
        return Released(False, NOT_RUNNING, rasa_url, verdict)
    except RuntimeError as exc:
        return Released(False, LOAD_REFUSED, f"{details}\n{exc}".strip(), verdict)
    except LoadTimedOut as exc:
        # Rasa may still finish loading the candidate: leave it where Rasa reads it.
        return Released(False, LOAD_TIMED_OUT, f"{details}\n{exc}".strip(), verdict)
    try:
        _keep(candidate, published, Stamp(fingerprint, loaded["model_id"]))
    except OSError as exc:
        return Released(True, PUBLISHED, f"{details}\n{NOT_SAVED} ({exc})".strip(), verdict)
    return Released(True, PUBLISHED, details, verdict)


def _load_published(
    rasa_url: str, published: Path, running: str | None, timeout: float, progress: Callable[[str], None]
) -> Released:
    """The content is published, but the running bot does not use it (or no bot answers)."""
    if running is None:
        return Released(False, UNCHANGED_NOT_RUNNING, rasa_url)
    # Rasa was started with another model: the published one goes in as it is, no training.
    progress("Boten laster det publiserte innholdet …")
    try:
        publish(rasa_url, published, timeout)
    except NotRunning:
        return Released(False, UNCHANGED_NOT_RUNNING, rasa_url)
    except RuntimeError as exc:
        return Released(False, LOAD_REFUSED, str(exc))
    except LoadTimedOut as exc:
        return Released(False, LOAD_TIMED_OUT, str(exc))
    return Released(True, PUBLISHED)


def release(
    root: Path,
    config: Path,
    models: Path,
    rasa_url: str,
    shared: Path,
    progress: Callable[[str], None],
    titles: Mapping[str, str] | None = None,
    load_timeout: float = LOAD_TIMEOUT_SECONDS,
) -> Released:
    """Trains the content of `root`, measures it, and publishes it if it is not worse.

    Content already published (same fingerprint as `models/nav.tar.gz`'s stamp) is not
    trained, measured or loaded again while the running Rasa runs that model. The new
    model is trained beside the published one (`models/candidate/`) and replaces
    `models/nav.tar.gz` only when it passes the gate and Rasa loaded it (or no Rasa
    answers), so a refused model is neither running nor started by the next `make run`.
    """
    published = models / "nav.tar.gz"
    fingerprint = content_fingerprint(root, config)
    stamp = Stamp.read(published)
    if stamp is not None and stamp.fingerprint == fingerprint:
        running = _running_model_id(rasa_url)
        if running == stamp.model_id:
            return Released(True, UNCHANGED)
        if _is_model(published, stamp.model_id):
            return _load_published(rasa_url, published, running, load_timeout, progress)
    progress("Trener boten med det nye innholdet (1–3 minutter) …")
    candidate = ensure_model(models / "candidate", "nav", config, root=root)
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
    progress("Boten laster det nye innholdet …")
    return install(candidate, published, rasa_url, fingerprint, verdict, details, load_timeout)


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
