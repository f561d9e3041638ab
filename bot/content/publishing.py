"""The editors' publish button: the release pipeline (bot/release/pipeline.py) as one job at a
time in the background, with a status the hub polls.

A failed or refused step leaves the running bot as it was. What the job says is in
Norwegian: editors read it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.content.checks import check_content
from bot.content.store import FaqStore
from bot.evaluation.gate import Verdict
from bot.paths import SHARED
from bot.release import history
from bot.release.changes import DEFAULT_MAX_FINETUNES
from bot.release.messages import Step
from bot.release.pipeline import ContentRefused, measure_published, publish_content


class State(StrEnum):
    idle = "idle"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


@dataclass(frozen=True)
class Status:
    state: State = State.idle
    message: str = "Ingen publisering er startet."
    by: str = ""
    started_at: str = ""
    finished_at: str = ""
    details: str = ""
    quality: Verdict | None = None  # the new model's scores beside the running one's
    route: str = ""  # the path the publish took (bot/release/changes.py), once it is known

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "message": self.message,
            "by": self.by,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "details": self.details,
            "quality": self.quality.as_json() if self.quality else None,
            "route": self.route,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class AlreadyRunning(Exception):
    """A publish job is under way."""


class NotKept(Exception):
    """No such publication, or its model file is not kept any more."""


class Publisher:
    """Runs publish jobs for the content under `store.root`, one at a time."""

    def __init__(
        self,
        store: FaqStore,
        config: Path,
        rasa_url: str,
        models: Path,
        shared: Path = SHARED,
        keep_models: int = history.DEFAULT_KEEP_MODELS,
        max_finetunes: int = DEFAULT_MAX_FINETUNES,
    ) -> None:
        self.store = store
        self.keep_models = keep_models
        self.max_finetunes = max_finetunes
        self.config = config
        self.rasa_url = rasa_url
        self.models = models
        self.shared = shared
        self._lock = threading.Lock()
        self._status = Status()
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> Status:
        with self._lock:
            return self._status

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)

    @property
    def published(self) -> Path:
        return self.models / "nav.tar.gz"

    def start(self, by: str) -> Status:
        return self._start(by, Step.checking.value, self._steps)

    def start_restore(self, by: str, publication_id: int) -> Status:
        """Puts publication `publication_id` back, as a job like a publish (one at a time).
        Raises NotKept when its model is not kept any more (or there is no such publication)."""
        wanted = history.find(self.published, publication_id)
        if wanted is None or not history.restorable(self.published, wanted):
            raise NotKept()
        return self._start(by, Step.restoring.value, lambda: self._restore(by, publication_id))

    def _start(self, by: str, message: str, job: Callable[[], None]) -> Status:
        with self._lock:
            if self._status.state == State.running:
                raise AlreadyRunning()
            self._status = Status(State.running, message, by, _now())
            self._thread = threading.Thread(target=self._run, args=(job,), name="publish", daemon=True)
            self._thread.start()
            return self._status

    def publications(self) -> list[dict[str, Any]]:
        """The publication history, newest first: what each changed, whether it is the one
        the bot uses now, and whether it can be put back (its model file is kept)."""
        found = history.publications(self.published)
        return [
            {**p.as_json(), "current": i == 0, "restorable": history.restorable(self.published, p)}
            for i, p in enumerate(reversed(found))
        ]

    def _restore(self, by: str, publication_id: int) -> None:
        done = history.restore(self.published, publication_id, self.rasa_url, by, self.keep_models)
        if done.done and done.publication is not None:
            # The FAQs saved since that publication are not live any more: marked unpublished.
            self.store.record_published(done.publication.versions)
        self._finish(
            State.succeeded if done.done else State.failed, done.message, done.details, route="restore"
        )

    def measure_published(self) -> None:
        """Measures the running model for the gate now, in the background, not at the first publish."""
        measure_published(self.models, self.shared)

    def _run(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - whatever broke, the editor must hear it
            self._finish(
                State.failed, "Publiseringen stoppet på grunn av en feil. Boten svarer som før.", str(exc)
            )

    def _progress(self, step: str) -> None:
        # The page says "Sjekker innholdet …" until the next step starts, as it always has.
        if step != Step.checked:
            self._set(message=str(step))

    def _steps(self) -> None:
        done = publish_content(
            self.store, lambda texts_only: check_content(self.store.root, self.shared, texts_only),
            self.config, self.models, self.rasa_url, self.shared, self._progress,
            by=self.status.by, keep_models=self.keep_models, max_finetunes=self.max_finetunes,
        )  # fmt: skip
        if isinstance(done, ContentRefused):
            details = "\n\n".join(f"{r.what}:\n{r.output}" for r in done.failed)
            self._finish(
                State.failed, "Innholdet har feil, så ingenting er publisert. Boten svarer som før.", details
            )
            return
        state = State.succeeded if done.published else State.failed
        self._finish(state, done.message, done.details, done.quality, done.route.value)

    def _finish(
        self, state: State, message: str, details: str = "", quality: Verdict | None = None, route: str = ""
    ) -> None:
        self._set(
            state=state,
            message=message,
            details=details[-4000:],
            finished_at=_now(),
            quality=quality,
            route=route,
        )
