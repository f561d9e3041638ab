"""The running Rasa's HTTP API as a release uses it: which model it runs, and loading another.

`make run` starts Rasa with `--enable-api` on 127.0.0.1: `GET /status` names the model it
runs, `PUT /model` makes it load another one without a restart.

Several Rasa instances (`make run-cluster`, deploy/): they share their trackers (PostgreSQL)
and locks (Redis), but each holds its own model, so a release names every instance
(`RASA_URLS`, see `instances`) and loads them one after another (`load_each`): while one
loads, the others answer. Rasa loads a model in its event loop and answers nobody
meanwhile, so a message the balancer sends it then waits for the whole load; with a
`Drain` (RASA_DRAIN_COMMAND) the balancer leaves the instance out while it loads.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

logger = logging.getLogger(__name__)

# Loading a model takes Rasa 10-40 s on this machine kind; allow for a busy one.
LOAD_TIMEOUT_SECONDS = 300
# Rasa answers its status between messages: one that has just loaded a model has the
# messages that waited meanwhile to answer first.
STATUS_TIMEOUT_SECONDS = 15


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


def loaded_model(rasa_url: str, timeout: float = STATUS_TIMEOUT_SECONDS) -> dict[str, str]:
    """Rasa's `GET /status`: the model file and id it runs with."""
    try:
        status = json.loads(_request(f"{rasa_url.rstrip('/')}/status", timeout=timeout))
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        raise NotRunning(str(exc)) from exc
    return {"model_file": str(status.get("model_file", "")), "model_id": str(status.get("model_id", ""))}


def running_model_id(rasa_url: str) -> str | None:
    """The id of the model the running Rasa uses; None if no Rasa answers."""
    try:
        return loaded_model(rasa_url)["model_id"]
    except NotRunning:
        return None


def model_id(model: Path) -> str:
    """The id Rasa gave the model when it trained it (from the archive's metadata)."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    return str(LocalModelStorage.metadata_from_archive(model).model_id)


def load_model(rasa_url: str, model: Path, timeout: float = LOAD_TIMEOUT_SECONDS) -> dict[str, str]:
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
    try:
        return loaded_model(rasa_url)
    except NotRunning:
        # Rasa said it loaded the model; a busy one may not tell its status at once.
        return {"model_file": model.name, "model_id": model_id(model)}


def instances(rasa: str | Sequence[str]) -> tuple[str, ...]:
    """The Rasa instances a release reaches: one URL, or several (a sequence, or one string
    of URLs separated by commas or spaces, as `RASA_URLS` gives them), each once."""
    parts = rasa.replace(",", " ").split() if isinstance(rasa, str) else [u.strip() for u in rasa]
    urls = tuple(dict.fromkeys(url.rstrip("/") for url in parts if url))
    if not urls:
        raise ValueError("no Rasa URL given")
    return urls


def running_model_ids(rasa: str | Sequence[str]) -> dict[str, str | None]:
    """Each instance's running model id; None for an instance that does not answer."""
    return {url: running_model_id(url) for url in instances(rasa)}


class Outcome(StrEnum):
    """How loading a model into one instance ended."""

    loaded = "loaded"
    not_running = "not_running"
    refused = "refused"
    timed_out = "timed_out"


@dataclass(frozen=True)
class InstanceLoad:
    url: str
    outcome: Outcome
    detail: str = ""  # the model id loaded, or why not


DRAIN_ENV = "RASA_DRAIN_COMMAND"
DRAIN_GRACE_ENV = "RASA_DRAIN_SECONDS"


@dataclass(frozen=True)
class Drain:
    """Takes one Rasa instance out of the balancer in front of them while it loads a model,
    and puts it back: runs `command drain URL`, waits `grace` seconds for the messages
    under way on it, and afterwards `command undrain URL`. `make run-cluster` gives
    scripts/cluster_drain.sh (nginx); no command: nothing is drained."""

    command: tuple[str, ...] = ()
    grace: float = 5.0

    @classmethod
    def from_env(cls) -> Drain:
        grace = os.environ.get(DRAIN_GRACE_ENV, "")
        return cls(tuple(shlex.split(os.environ.get(DRAIN_ENV, ""))), float(grace) if grace else 5.0)

    def _run(self, action: str, url: str) -> bool:
        try:
            subprocess.run([*self.command, action, url], check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            logger.warning("%s %s failed: %s", action, url, exc)
            return False
        return True

    def out(self, url: str) -> None:
        if self.command and self._run("drain", url):
            time.sleep(self.grace)

    def back(self, url: str) -> None:
        if self.command:
            self._run("undrain", url)


def load_each(
    rasa: str | Sequence[str],
    model: Path,
    timeout: float = LOAD_TIMEOUT_SECONDS,
    drain: Drain | None = None,
) -> list[InstanceLoad]:
    """Loads `model` into the instances one after another (never two at once: an instance
    that loads answers nobody meanwhile), each drained from the balancer meanwhile when
    there are several (`drain`, default from the environment), stopping at the first that
    refuses it or does not finish in time; the instances after that one are not in the list."""
    urls = instances(rasa)
    drain = (drain or Drain.from_env()) if len(urls) > 1 else Drain()
    done: list[InstanceLoad] = []
    for url in urls:
        drain.out(url)
        try:
            loaded = load_model(url, model, timeout)
        except NotRunning as exc:
            done.append(InstanceLoad(url, Outcome.not_running, str(exc)))
            continue
        except RuntimeError as exc:
            done.append(InstanceLoad(url, Outcome.refused, str(exc)))
            break
        except LoadTimedOut as exc:
            done.append(InstanceLoad(url, Outcome.timed_out, str(exc)))
            break
        finally:
            drain.back(url)
        done.append(InstanceLoad(url, Outcome.loaded, loaded["model_id"]))
    return done
