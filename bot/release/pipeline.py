"""The release pipeline: check the content, train a model if anything changed, measure it on
the held-out dev set, and make the running Rasa load it unless it scores worse than the model
running now (`bot/evaluation/gate.py`). The website stays up.

Two callers, one pipeline: `make publish` (`bot/publish.py`) and the editors' publish button
(`bot/content/publishing.py`). What it reports is in Norwegian (`bot/release/messages.py`):
editors read it. Content already published is not trained, measured or loaded again
(`bot/release/stamp.py` says why).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.evaluation.gate import Verdict
from bot.release.messages import (
    LOAD_REFUSED,
    LOAD_TIMED_OUT,
    NOT_RUNNING,
    NOT_SAVED,
    PUBLISHED,
    REFUSED,
    REFUSED_ADVICE,
    UNCHANGED,
    UNCHANGED_NOT_RUNNING,
    Step,
    not_measured,
)
from bot.release.quality import check_quality
from bot.release.rasa_api import (
    LOAD_TIMEOUT_SECONDS,
    LoadTimedOut,
    NotRunning,
    load_model,
    model_id,
    running_model_id,
)
from bot.release.stamp import Stamp, is_model, keep
from bot.runtime.training import content_fingerprint, ensure_model

Progress = Callable[[str], None]


@dataclass(frozen=True)
class CheckResult:
    """One check the whole content must pass before a model is trained (bot/content/checks.py)."""

    ok: bool
    what: str  # what was checked, in Norwegian
    output: str = ""


class Content(Protocol):
    """The content a release publishes: bot.content.store.FaqStore. A protocol keeps this
    package below bot.content, whose content service calls the pipeline."""

    @property
    def root(self) -> Path: ...

    def versions(self) -> dict[str, str]: ...

    def titles(self) -> dict[str, str]: ...

    def record_published(self, versions: dict[str, str]) -> None: ...


@dataclass(frozen=True)
class Released:
    """How a release ended, in Norwegian for editors."""

    published: bool
    message: str
    details: str = ""
    quality: Verdict | None = None


@dataclass(frozen=True)
class ContentRefused:
    """The content failed a check: nothing was trained or published."""

    failed: tuple[CheckResult, ...]


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
        loaded = load_model(rasa_url, candidate, timeout)
    except NotRunning:
        keep(candidate, published, Stamp(fingerprint, model_id(candidate)))
        return Released(False, NOT_RUNNING, rasa_url, verdict)
    except RuntimeError as exc:
        return Released(False, LOAD_REFUSED, f"{details}\n{exc}".strip(), verdict)
    except LoadTimedOut as exc:
        # Rasa may still finish loading the candidate: leave it where Rasa reads it.
        return Released(False, LOAD_TIMED_OUT, f"{details}\n{exc}".strip(), verdict)
    try:
        keep(candidate, published, Stamp(fingerprint, loaded["model_id"]))
    except OSError as exc:
        return Released(True, PUBLISHED, f"{details}\n{NOT_SAVED} ({exc})".strip(), verdict)
    return Released(True, PUBLISHED, details, verdict)


def _load_published(
    rasa_url: str, published: Path, running: str | None, timeout: float, progress: Progress
) -> Released:
    """The content is published, but the running bot does not use it (or no bot answers)."""
    if running is None:
        return Released(False, UNCHANGED_NOT_RUNNING, rasa_url)
    # Rasa was started with another model: the published one goes in as it is, no training.
    progress(Step.loading_published)
    try:
        load_model(rasa_url, published, timeout)
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
    progress: Progress,
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
        running = running_model_id(rasa_url)
        if running == stamp.model_id:
            return Released(True, UNCHANGED)
        if is_model(published, stamp.model_id):
            return _load_published(rasa_url, published, running, load_timeout, progress)
    progress(Step.training)
    candidate = ensure_model(models / "candidate", "nav", config, root=root)
    verdict: Verdict | None = None
    details = ""
    dev = shared / "eval" / "dev.yml"
    if dev.exists():
        progress(Step.measuring)
        verdict, details = check_quality(candidate, published, dev, models / "scores", titles)
        if not verdict.passed:
            return Released(False, REFUSED, f"{REFUSED_ADVICE} {details}".strip(), verdict)
    else:
        details = not_measured(dev)
    progress(Step.loading)
    return install(candidate, published, rasa_url, fingerprint, verdict, details, load_timeout)


def publish_content(
    content: Content,
    check: Callable[[], Sequence[CheckResult]] | None,
    config: Path,
    models: Path,
    rasa_url: str,
    shared: Path,
    progress: Progress,
    load_timeout: float = LOAD_TIMEOUT_SECONDS,
) -> Released | ContentRefused:
    """The whole release of `content`: `check` it (unless None), then `release` it, and
    record what was published so the editors' page marks the rest unpublished."""
    # Read before the checks: an editor's save during the release stays unpublished.
    versions = content.versions()
    if check is not None:
        progress(Step.checking)
        failed = tuple(result for result in check() if not result.ok)
        if failed:
            return ContentRefused(failed)
        progress(Step.checked)
    done = release(content.root, config, models, rasa_url, shared, progress, content.titles(), load_timeout)
    if done.published:
        content.record_published(versions)
    return done
