"""The editors' publish button: the release pipeline (bot/release/pipeline.py) as one job at a
time in the background, with a status the hub polls.

A failed or refused step leaves the running bot as it was. What the job says is in
Norwegian: editors read it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.content.checks import check_content
from bot.content.store import FaqStore
from bot.evaluation.gate import Verdict
from bot.paths import SHARED
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


class Publisher:
    """Runs publish jobs for the content under `store.root`, one at a time."""

    def __init__(
        self,
        store: FaqStore,
        config: Path,
        rasa_url: str,
        models: Path,
        shared: Path = SHARED,
    ) -> None:
        self.store = store
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

    def start(self, by: str) -> Status:
        with self._lock:
            if self._status.state == State.running:
                raise AlreadyRunning()
            self._status = Status(State.running, Step.checking.value, by, _now())
            self._thread = threading.Thread(target=self._run, name="publish", daemon=True)
            self._thread.start()
            return self._status

    def measure_published(self) -> None:
        """Measures the running model for the gate now, in the background, not at the first publish."""
        measure_published(self.models, self.shared)

    def _run(self) -> None:
        try:
            self._steps()
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
