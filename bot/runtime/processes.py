"""Starting the action server (and Rasa) as real processes, for tools and tests."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.paths import PROJECT_ROOT, RASA
from bot.runtime.action_server import TOKEN_ENV

NLG_TOKEN_ENV = "NLG_SERVER_TOKEN"  # bot.runtime.nlg_server.TOKEN_ENV, without importing aiohttp here

if TYPE_CHECKING:
    from rasa.utils.endpoints import EndpointConfig


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Polls `url` until it answers 200; fails early if `process` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(url, timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def _serving(
    command: list[str], ready_url: str, env: dict[str, str], log: Path | None, timeout: float
) -> Iterator[None]:
    """Runs `command` from the project root until the block ends, once `ready_url` answers."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
    )
    try:
        wait_for_http(ready_url, timeout=timeout, process=process)
        yield
    finally:
        _stop(process)
        if log:
            out.close()  # type: ignore[union-attr]


@dataclass(frozen=True)
class ActionServer:
    """A running action server: its webhook and the token Rasa must send."""

    url: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def endpoint(self) -> EndpointConfig:
        """For `Agent.load(..., action_endpoint=...)`."""
        from rasa.utils.endpoints import EndpointConfig

        return EndpointConfig(url=self.url, headers=self.headers)

    def endpoints_yml(self) -> str:
        """An endpoints.yml for `rasa run` / `rasa test` that calls this server."""
        return (
            f'action_endpoint:\n  url: "{self.url}"\n'
            f'  headers:\n    Authorization: "Bearer {self.token}"\n'
        )


@contextlib.contextmanager
def action_server(
    port: int | None = None, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[ActionServer]:
    """Runs the action server (bot/runtime/action_server.py) on 127.0.0.1 from the project
    root, with a fresh token unless `env` has one."""
    port = port or free_port()
    env = dict(env or {})
    token = env.setdefault(TOKEN_ENV, secrets.token_urlsafe(24))
    command = [sys.executable, "-m", "bot.runtime.action_server", "--port", str(port)]
    with _serving(command, f"http://127.0.0.1:{port}/health", env, log, timeout=90):
        yield ActionServer(f"http://127.0.0.1:{port}/webhook", token)


@contextlib.contextmanager
def rasa_server(model: Path, port: int | None = None, log: Path | None = None) -> Iterator[str]:
    """Runs `rasa run --enable-api` on 127.0.0.1 with `model`; yields its base URL.

    endpoints.yml names the action server's and the NLG server's tokens from the
    environment, and Rasa refuses to start when one is unset: without them given, fresh
    tokens that no server knows (nothing here makes this Rasa answer a message).
    """
    port = port or free_port()
    command = [RASA, "run", "--enable-api", "-i", "127.0.0.1", "--port", str(port), "-m", str(model)]
    quiet = {
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        TOKEN_ENV: os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(24),
        NLG_TOKEN_ENV: os.environ.get(NLG_TOKEN_ENV) or secrets.token_urlsafe(24),
    }
    with _serving(command, f"http://127.0.0.1:{port}/status", quiet, log, timeout=300):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def nlg_server(texts: Path, port: int | None = None, log: Path | None = None) -> Iterator[ActionServer]:
    """Runs the NLG server (bot/runtime/nlg_server.py) on 127.0.0.1 over the live `texts`,
    with a fresh token; yields its URL and token (as for the action server)."""
    port = port or free_port()
    token = secrets.token_urlsafe(24)
    command = [sys.executable, "-m", "bot.runtime.nlg_server", "--port", str(port), "--texts", str(texts)]
    with _serving(command, f"http://127.0.0.1:{port}/health", {NLG_TOKEN_ENV: token}, log, timeout=60):
        yield ActionServer(f"http://127.0.0.1:{port}/nlg", token)


def quiet_rasa_logs() -> None:
    """Rasa's structlog prints every parse at debug level by default: warnings only."""
    import logging

    from rasa.utils.log_utils import configure_structlog

    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)


@contextlib.contextmanager
def content_service(
    root: Path,
    token: str,
    rasa_url: str,
    config: Path | None = None,
    log: Path | None = None,
    measure_at_start: bool = False,
) -> Iterator[str]:
    """Runs the content service for the project at `root`; yields its base URL.

    Without `measure_at_start` it leaves the published model unmeasured until a publish needs it.
    """
    port = free_port()
    command = [sys.executable, "-m", "bot.content.service", "--port", str(port), "--root", str(root)]
    command += ["--rasa-url", rasa_url] + (["--config", str(config)] if config else [])
    command += [] if measure_at_start else ["--no-measure-at-start"]
    env = {"NAV_CONTENT_TOKEN": token, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
    with _serving(command, f"http://127.0.0.1:{port}/health", env, log, timeout=60):
        yield f"http://127.0.0.1:{port}"
