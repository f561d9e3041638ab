"""The release pipeline: check the content, then, by what changed (`bot/release/changes.py`):

- only texts: replace the live texts (bot/runtime/live_texts.py) the NLG server renders every
  bot message from; the next answer carries them. No training, no model load.
- what a model depends on: train a model, measure it on the dev set, and make the running
  Rasa load it unless it scores worse than the model running now (`bot/evaluation/gate.py`);
  its texts go live once it is loaded. The website stays up.

Two callers, one pipeline: `make publish` (`bot/publish.py`) and the editors' publish button
(`bot/content/publishing.py`). What it reports is in Norwegian (`bot/release/messages.py`):
editors read it. Content already published is not trained, measured or loaded again
(`bot/release/stamp.py` says why).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from bot.evaluation.gate import Verdict
from bot.release import history
from bot.release.changes import DEFAULT_MAX_FINETUNES, FINETUNE_EPOCH_FRACTION, Route, finetunes_next, route
from bot.release.messages import (
    HISTORY_NOT_SAVED,
    LOAD_REFUSED,
    LOAD_TIMED_OUT,
    NOT_RUNNING,
    NOT_SAVED,
    PUBLISHED,
    PUBLISHED_TEXTS,
    REFUSED,
    REFUSED_ADVICE,
    UNCHANGED,
    UNCHANGED_NOT_RUNNING,
    Step,
    instance_line,
    not_measured,
)
from bot.release.quality import check_quality, measure_in_background
from bot.release.rasa_api import (
    LOAD_TIMEOUT_SECONDS,
    InstanceLoad,
    Outcome,
    instances,
    load_each,
    model_id,
    running_model_ids,
)
from bot.release.stamp import Stamp, is_model, keep
from bot.runtime.live_texts import (
    Responses,
    project_responses,
    snapshot_digest,
    texts_digest,
    texts_path,
    write_snapshot,
)
from bot.runtime.training import (
    Finetune,
    content_fingerprint,
    ensure_model,
    model_fingerprint,
    shape_fingerprint,
)

logger = logging.getLogger(__name__)

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

    def published_versions(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class Released:
    """How a release ended, in Norwegian for editors."""

    published: bool
    message: str
    details: str = ""
    quality: Verdict | None = None
    route: Route = Route.model


@dataclass(frozen=True)
class ContentRefused:
    """The content failed a check: nothing was trained or published."""

    failed: tuple[CheckResult, ...]


def _report(
    rasa_url: str | Sequence[str], loads: Sequence[InstanceLoad], rolled_back: Sequence[str] = ()
) -> str:
    """Per instance, what the release did (only when there are several: one is the whole story)."""
    urls = instances(rasa_url)
    if len(urls) < 2:
        return ""
    outcomes = {load.url: load.outcome.value for load in loads}
    outcomes.update(dict.fromkeys(rolled_back, "rolled_back"))
    return "\n".join(instance_line(url, outcomes.get(url, "not_reached")) for url in urls)


def _failure(loads: Sequence[InstanceLoad]) -> InstanceLoad | None:
    return next((load for load in loads if load.outcome in (Outcome.refused, Outcome.timed_out)), None)


def _roll_back(loads: Sequence[InstanceLoad], published: Path, timeout: float) -> list[str]:
    """The instances that took a model the release then gave up go back to `published`,
    so every instance answers with the same model; returns those that did."""
    back = [load.url for load in loads if load.outcome == Outcome.loaded]
    if not back or not published.is_file():
        return []
    return [load.url for load in load_each(back, published, timeout) if load.outcome == Outcome.loaded]


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part).strip()


def install(
    candidate: Path,
    published: Path,
    rasa_url: str | Sequence[str],
    trained: Stamp,
    verdict: Verdict | None = None,
    details: str = "",
    timeout: float = LOAD_TIMEOUT_SECONDS,
    responses: Responses | None = None,
) -> Released:
    """Loads the gated `candidate` into every running Rasa instance (`rasa_url`: one or
    several, bot/release/rasa_api.py `instances`), one after another, then makes it
    `published`, with its `responses` as the live texts and `trained` (what it was trained
    from; its model id is the one Rasa reports) as its stamp.

    Rasa loads the candidate from where it is, so `published` stays the model the bot
    runs until the load succeeded: a refused or unfinished load changes nothing on disk,
    and the instances that had loaded it already go back to the published model. An
    instance that does not answer starts with the published model when it comes back.
    Only when no instance answers does the candidate become `published` at once, for the
    next start (it passed the gate).
    """
    loads = load_each(rasa_url, candidate, timeout)
    failed = _failure(loads)
    if failed is not None:
        report = _report(rasa_url, loads, _roll_back(loads, published, timeout))
        # A timed-out Rasa may still finish loading the candidate: it stays where Rasa reads it.
        message = LOAD_REFUSED if failed.outcome == Outcome.refused else LOAD_TIMED_OUT
        return Released(False, message, _join(details, report, failed.detail), verdict)
    loaded = [load for load in loads if load.outcome == Outcome.loaded]
    if not loaded:
        keep(candidate, published, replace(trained, model_id=model_id(candidate)))
        if responses is not None:
            write_snapshot(texts_path(published), responses)
        return Released(False, NOT_RUNNING, ", ".join(instances(rasa_url)), verdict)
    details = _join(details, _report(rasa_url, loads))
    try:
        # The texts first: the model is running, its texts must be the live ones.
        if responses is not None:
            write_snapshot(texts_path(published), responses)
        keep(candidate, published, replace(trained, model_id=loaded[0].detail))
    except OSError as exc:
        return Released(True, PUBLISHED, f"{details}\n{NOT_SAVED} ({exc})".strip(), verdict)
    return Released(True, PUBLISHED, details, verdict)


def _load_published(
    rasa_url: str | Sequence[str], stale: Sequence[str], published: Path, timeout: float, progress: Progress
) -> Released:
    """The content is published, but the `stale` instances do not run it (they started with
    another model): the published model goes in as it is, no training."""
    progress(Step.loading_published)
    loads = load_each(stale, published, timeout)
    failed = _failure(loads)
    if failed is not None:
        message = LOAD_REFUSED if failed.outcome == Outcome.refused else LOAD_TIMED_OUT
        return Released(False, message, _join(_report(rasa_url, loads), failed.detail))
    if not any(load.outcome == Outcome.loaded for load in loads):
        return Released(False, UNCHANGED_NOT_RUNNING, ", ".join(stale))
    return Released(True, PUBLISHED, _report(rasa_url, loads))


def gate_cases(shared: Path) -> Path:
    """The set the gate measures a candidate on: the dev set."""
    return shared / "eval" / "dev.yml"


def scores_dir(models: Path) -> Path:
    """Where the gate keeps each model's scores (no sentences of the set)."""
    return models / "scores"


def measure_published(models: Path, shared: Path) -> None:
    """Measures the published model in the background unless it was measured before, so that
    an editor's first publish measures only its candidate (bot/release/quality.py)."""
    measure_in_background(models / "nav.tar.gz", gate_cases(shared), scores_dir(models))


@dataclass(frozen=True)
class Plan:
    """What a publish of `root` does: its route, and the texts that go live."""

    route: Route
    responses: Responses
    fingerprint: str
    model_inputs: str
    shape: str


def plan(root: Path, config: Path, models: Path, responses: Responses | None = None) -> Plan:
    """The route for `root`'s content against the published model and the live texts."""
    published = models / "nav.tar.gz"
    responses = project_responses(root) if responses is None else responses
    inputs = model_fingerprint(root, config)
    stamp = Stamp.read(published)
    published_inputs = stamp.model_inputs or None if stamp is not None else None
    chosen = route(published_inputs, inputs, snapshot_digest(texts_path(published)), texts_digest(responses))
    return Plan(chosen, responses, content_fingerprint(root, config), inputs, shape_fingerprint(root, config))


def release(
    root: Path,
    config: Path,
    models: Path,
    rasa_url: str | Sequence[str],
    shared: Path,
    progress: Progress,
    titles: Mapping[str, str] | None = None,
    load_timeout: float = LOAD_TIMEOUT_SECONDS,
    planned: Plan | None = None,
    max_finetunes: int = DEFAULT_MAX_FINETUNES,
) -> Released:
    """Publishes the content of `root` by the route `plan` decides.

    Texts only: the live texts are replaced, and the next bot message carries them. The
    model's inputs changed: a new model is trained beside the published one
    (`models/candidate/`; fine-tuned from the published one when only examples changed, at
    most `max_finetunes` times in a row), measured, and replaces `models/nav.tar.gz` (and its texts
    go live) only when it passes the gate and Rasa loaded it (or no Rasa answers), so a
    refused model is neither running nor started by the next `make run`. A published
    model the running Rasa does not use (it started with another) is loaded as it is.
    """
    published = models / "nav.tar.gz"
    chosen = planned or plan(root, config, models)
    if chosen.route != Route.model:
        # The route says the published model matches the content, so it has a stamp. (Its
        # content passed all checks when it was published: a text-only publish that turns
        # out to need a model below was checked only for texts.)
        stamp = Stamp.read(published) or Stamp("", "")
        running = {url: id_ for url, id_ in running_model_ids(rasa_url).items() if id_ is not None}
        if not running and chosen.route == Route.unchanged:
            urls = ", ".join(instances(rasa_url))
            return Released(False, UNCHANGED_NOT_RUNNING, urls, route=Route.unchanged)
        stale = [url for url, id_ in running.items() if id_ != stamp.model_id]
        if stale:
            if not is_model(published, stamp.model_id):
                chosen = replace(chosen, route=Route.model)  # replaced by hand since: train
            else:
                # Rasa was started with another model: the published one goes in as it is.
                loaded = _load_published(rasa_url, stale, published, load_timeout, progress)
                if not loaded.published or chosen.route == Route.unchanged:
                    return replace(loaded, route=Route.unchanged)
    if chosen.route == Route.unchanged:
        return Released(True, UNCHANGED, route=Route.unchanged)
    if chosen.route == Route.texts:
        write_snapshot(texts_path(published), chosen.responses)
        return Released(True, PUBLISHED_TEXTS, route=Route.texts)
    progress(Step.training)
    candidate, finetunes = _train(root, config, models, chosen.shape, max_finetunes)
    verdict: Verdict | None = None
    details = ""
    dev = gate_cases(shared)
    if dev.exists():
        progress(Step.measuring)
        verdict, details = check_quality(candidate, published, dev, scores_dir(models), titles)
        if not verdict.passed:
            return Released(False, REFUSED, f"{REFUSED_ADVICE} {details}".strip(), verdict)
    else:
        details = not_measured(dev)
    progress(Step.loading)
    trained = Stamp(chosen.fingerprint, "", chosen.model_inputs, chosen.shape, finetunes)
    return install(candidate, published, rasa_url, trained, verdict, details, load_timeout, chosen.responses)


def _train(root: Path, config: Path, models: Path, shape: str, max_finetunes: int) -> tuple[Path, int]:
    """A candidate model of `root` and its fine-tunings in a row: fine-tuned from the published
    model when only examples changed since it (`finetunes_next`), else trained from scratch,
    as it is too when fine-tuning fails (Rasa marks it experimental)."""
    published = models / "nav.tar.gz"
    stamp = Stamp.read(published)
    if stamp is not None and is_model(published, stamp.model_id):
        finetunes = finetunes_next(stamp.shape, shape, stamp.finetunes, max_finetunes)
        if finetunes is not None:
            base = Finetune(published, FINETUNE_EPOCH_FRACTION)
            try:
                return ensure_model(models / "candidate", "nav", config, root=root, finetune=base), finetunes
            except RuntimeError:
                logger.exception("Fine-tuning %s failed: training from scratch.", published)
    return ensure_model(models / "candidate", "nav", config, root=root), 0


def publish_content(
    content: Content,
    check: Callable[[bool], Sequence[CheckResult]] | None,
    config: Path,
    models: Path,
    rasa_url: str | Sequence[str],
    shared: Path,
    progress: Progress,
    load_timeout: float = LOAD_TIMEOUT_SECONDS,
    by: str = "",
    keep_models: int = history.DEFAULT_KEEP_MODELS,
    max_finetunes: int = DEFAULT_MAX_FINETUNES,
) -> Released | ContentRefused:
    """The whole release of `content`: `check` it (unless None; with True when only texts
    changed, so only the checks on texts run), then `release` it, and record what was
    published so the editors' page marks the rest unpublished, and in the publication history
    (`bot/release/history.py`, by `by`, keeping the last `keep_models` models). A model is
    fine-tuned at most `max_finetunes` times in a row (0: always trained from scratch)."""
    # Read before the checks: an editor's save during the release stays unpublished. The
    # texts are read with the versions (again if a save came in between), so the live
    # texts are exactly the content recorded as published.
    for _ in range(3):
        versions = content.versions()
        responses = project_responses(content.root)
        if content.versions() == versions:
            break
    planned = plan(content.root, config, models, responses)
    if check is not None:
        progress(Step.checking)
        failed = tuple(result for result in check(planned.route != Route.model) if not result.ok)
        if failed:
            return ContentRefused(failed)
        progress(Step.checked)
    published = models / "nav.tar.gz"
    with contextlib.suppress(OSError):  # the history is a record: it never stops a publish
        history.record_start(published, content.published_versions(), keep_models)
    titles = content.titles()
    done = release(
        content.root, config, models, rasa_url, shared, progress, titles, load_timeout, planned, max_finetunes
    )  # fmt: skip
    if done.published:
        content.record_published(versions)
    if done.published and done.route in (Route.texts, Route.model):
        kind = history.Kind.texts if done.route == Route.texts else history.Kind.model
        scores = done.quality.as_json() if done.quality is not None else None
        try:
            history.record(published, kind, by, versions, titles, scores, keep=keep_models)
        except OSError as exc:
            done = replace(done, details=f"{done.details}\n{HISTORY_NOT_SAVED} ({exc})".strip())
    return done
