"""Start the real system as subprocesses for tests, browser tests and the benchmark.

Importable helpers (the front-end's browser tests reuse them):

- :func:`free_port` - a free TCP port on 127.0.0.1.
- :func:`start_hub` - the hub (``sanic hub.server:app_from_env --factory``) from
  ``.venv/hub``, configured with ``HUB_*`` variables; returns a :class:`Proc`.
- :func:`start_rasa_stack` - the action server and the NLG server (the published texts;
  each on 127.0.0.1, with a fresh token that Rasa sends) and the Rasa server from ``.venv/bot`` with a trained model; the action
  server calls the hub at ``hub_url`` with ``bot_secret``. Rasa takes 30-40 s to start.
- :func:`start_content_service` - the bot's content service (editors' FAQ editing
  and publishing) from ``.venv/bot``, on a copy of the project's content made by
  :func:`copy_content`.
- :func:`model_path` - the test model (``.cache/test-model/test.tar.gz`` or
  ``HUB_TEST_MODEL``), or None.

Every process is started in its own process group and ended by :meth:`Proc.stop`
(SIGTERM, then SIGKILL) or :meth:`Proc.kill` (SIGKILL at once, for crash tests).

Example::

    hub_port = free_port()
    rasa = start_rasa_stack(model_path(), hub_url=f"http://127.0.0.1:{hub_port}", bot_secret="s")
    hub = start_hub(port=hub_port, database_url="sqlite:////tmp/h.db",
                    rasa_url=rasa.rasa_url, bot_secret="s", env={"HUB_ALWAYS_OPEN": "true"})
    ...
    hub.stop(); rasa.stop()
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HUB_VENV = REPO / ".venv" / "hub"
BOT_VENV = REPO / ".venv" / "bot"
LOG_DIR = Path(tempfile.gettempdir()) / "hub-test-logs"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_range(count: int) -> int:
    """A first port of ``count`` consecutive free ones on 127.0.0.1 (the cluster script
    numbers its processes' ports from one base)."""
    for _ in range(50):
        base = random.randrange(20000, 60000 - count)
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free range of ports")


def model_path() -> Path | None:
    candidate = Path(
        os.environ.get("HUB_TEST_MODEL", REPO / ".cache" / "test-model" / "test.tar.gz")
    )
    return candidate if candidate.is_file() else None


def wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until ``GET url`` answers 200 (or fail if ``proc`` dies)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@dataclass
class Proc:
    name: str
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self, timeout: float = 10) -> None:
        if self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group: a crash, not a shutdown."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _spawn(name: str, cmd: list[str], env: dict[str, str], cwd: Path, url: str) -> Proc:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"{name}-{os.getpid()}-{time.monotonic_ns()}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Proc(name, proc, url, log)


def _started(proc: Proc, path: str, timeout: float) -> Proc:
    """Waits until ``proc`` answers ``path``; stops it and says why if it does not."""
    try:
        wait_http(proc.url + path, timeout, proc.proc)
    except Exception as exc:
        proc.stop()
        raise RuntimeError(f"{proc.name} did not start: {exc}\n{proc.log_tail()}") from exc
    return proc


def start_hub(
    *,
    port: int | None = None,
    database_url: str,
    rasa_url: str,
    bot_secret: str = "test-bot-secret",
    env: dict[str, str] | None = None,
    timeout: float = 30,
    access_log: bool = False,
) -> Proc:
    """Start the hub on 127.0.0.1:``port`` and wait for ``/health``."""
    port = port or free_port()
    full_env = {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_RASA_URL": rasa_url,
        "HUB_BOT_SECRET": bot_secret,
        "HUB_LOG_LEVEL": "INFO",
        **(env or {}),
    }
    cmd = [
        str(HUB_VENV / "bin" / "sanic"),
        "hub.server:app_from_env",
        "--factory",
        "--single-process",
        "--host=127.0.0.1",
        f"--port={port}",
        "--access-logs" if access_log else "--no-access-logs",
        "--no-motd",
    ]
    return _started(
        _spawn("hub", cmd, full_env, REPO, f"http://127.0.0.1:{port}"), "/health", timeout
    )


@dataclass
class RasaStack:
    rasa: Proc
    actions: Proc
    endpoints: Path
    action_token: str
    nlg: Proc | None = None
    texts: Path | None = None
    rasa_url: str = field(init=False)

    def __post_init__(self) -> None:
        self.rasa_url = self.rasa.url

    def stop(self) -> None:
        self.rasa.stop(20)
        self.actions.stop()
        if self.nlg is not None:
            self.nlg.stop()


def start_rasa_stack(
    model: Path,
    *,
    hub_url: str,
    bot_secret: str,
    timeout: float = 180,
    tracker_store: str = "",
    texts: Path | None = None,
) -> RasaStack:
    """Start the action server, the NLG server and Rasa (``--enable-api``) with ``model``;
    ``tracker_store``: an endpoints.yml ``tracker_store:`` block (default: in memory);
    ``texts``: the live texts the NLG server renders from (default: the repository's
    content's, written to a temporary file)."""
    action_port, rasa_port, nlg_port = free_port(), free_port(), free_port()
    tmp = Path(tempfile.mkdtemp(prefix="hub-rasa-"))
    # The action server (bot/runtime/action_server.py) and the NLG server
    # (bot/runtime/nlg_server.py) answer only Rasa, which sends their tokens from endpoints.yml.
    action_token, nlg_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    if texts is None:
        texts = tmp / "nav.texts.json"
        subprocess.run(
            [str(BOT_VENV / "bin" / "python"), "-m", "bot.runtime.live_texts",
             "--root", str(REPO), "--out", str(texts)],
            cwd=REPO, check=True, capture_output=True,
        )  # fmt: skip
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f'  headers:\n    Authorization: "Bearer {action_token}"\n'
        f'nlg:\n  url: "http://127.0.0.1:{nlg_port}/nlg"\n'
        f'  headers:\n    Authorization: "Bearer {nlg_token}"\n' + tracker_store
    )
    env = {
        # The bot's OpenMP settings, as scripts/run.sh sets them (bot/__init__.py says why).
        "OMP_WAIT_POLICY": "PASSIVE",
        "OMP_NUM_THREADS": "1",
        **os.environ,
        "HUB_URL": hub_url,
        "HUB_BOT_SECRET": bot_secret,
        "ACTION_SERVER_TOKEN": action_token,
    }
    actions = _spawn(
        "actions",
        [str(BOT_VENV / "bin" / "python"), "-m", "bot.runtime.action_server",
         "--port", str(action_port)],
        env,
        REPO,
        f"http://127.0.0.1:{action_port}",
    )  # fmt: skip
    nlg = _spawn(
        "nlg",
        [str(BOT_VENV / "bin" / "python"), "-m", "bot.runtime.nlg_server",
         "--port", str(nlg_port), "--texts", str(texts)],
        {**env, "NLG_SERVER_TOKEN": nlg_token},
        REPO,
        f"http://127.0.0.1:{nlg_port}",
    )  # fmt: skip
    rasa = _spawn(
        "rasa",
        [
            str(BOT_VENV / "bin" / "rasa"),
            "run",
            "--enable-api",
            "-m",
            str(model),
            "--port",
            str(rasa_port),
            "-i",
            "127.0.0.1",
            "--endpoints",
            str(endpoints),
        ],
        env,
        REPO,
        f"http://127.0.0.1:{rasa_port}",
    )
    stack = RasaStack(rasa, actions, endpoints, action_token, nlg, texts)
    try:
        wait_http(actions.url + "/health", timeout, actions.proc)
        wait_http(nlg.url + "/health", timeout, nlg.proc)
        wait_http(rasa.url + "/status", timeout, rasa.proc)
    except Exception as exc:
        tail = rasa.log_tail() + "\n" + actions.log_tail() + "\n" + nlg.log_tail()
        stack.stop()
        raise RuntimeError(f"Rasa stack did not start: {exc}\n{tail}") from exc
    return stack


def copy_content(target: Path) -> Path:
    """A copy of the project's content (config, domain, data) for tests that change it."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.yml", "domain.yml"):
        shutil.copy(REPO / name, target / name)
    shutil.copytree(REPO / "data", target / "data")
    return target


def start_content_service(
    root: Path,
    *,
    token: str,
    rasa_url: str,
    config: Path | None = None,
    timeout: float = 60,
    measure_at_start: bool = False,
) -> Proc:
    """Start the content service for the project copy at ``root``; wait for ``/health``.

    Without ``measure_at_start`` it does not measure the published model for the gate in
    the background (minutes of CPU that tests which never train do not need); a publish
    that trains then measures it, as the first publish did before.
    """
    port = free_port()
    cmd = [
        str(BOT_VENV / "bin" / "python"), "-m", "bot.content.service", "--port", str(port),
        "--root", str(root), "--rasa-url", rasa_url,
    ]  # fmt: skip
    if config is not None:
        cmd += ["--config", str(config)]
    if not measure_at_start:
        cmd.append("--no-measure-at-start")
    env = {**os.environ, "NAV_CONTENT_TOKEN": token, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return _started(
        _spawn("content", cmd, env, REPO, f"http://127.0.0.1:{port}"), "/health", timeout
    )
