"""The action server (bot/runtime/action_server.py): loopback only, its own token, no
echo of the tracker in its error answers. Rasa's own calls through the token are shown
by tests/dialogue (Agent with ActionServer.endpoint()), `rasa test` in test_stories.py
and handoff/tests/test_with_rasa.py (the whole stack)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.paths import PROJECT_ROOT
from bot.runtime.action_server import TOKEN_ENV, authorised, check_host, check_token
from bot.runtime.processes import ActionServer, action_server, free_port

MARKER = "Hemmeligord"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    # A hub nobody answers at: these tests never reach the handoff.
    with action_server(env={"HUB_URL": "http://127.0.0.1:9", "HUB_BOT_SECRET": "s"}, log=log) as running:
        yield running


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on `port` (Linux: /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_listens_on_loopback_only(server: ActionServer) -> None:
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    # 0100007F is 127.0.0.1 (little-endian); 0.0.0.0 would be 00000000.
    assert _listening_addresses(port) == {"0100007F"}


def test_calls_without_the_token_are_refused(server: ActionServer) -> None:
    base = server.url.removesuffix("/webhook")
    call = {"next_action": "action_handoff", "tracker": {"sender_id": "x"}, "domain": {}}
    assert requests.get(f"{base}/health", timeout=5).status_code == 200  # for probes
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token-of-some-length"},
        {"Authorization": server.token},
    ):
        assert requests.post(server.url, json=call, headers=headers, timeout=5).status_code == 401
        assert requests.get(f"{base}/actions", headers=headers, timeout=5).status_code == 401
    # With the token (what Rasa sends from endpoints.yml): the action list.
    listed = requests.get(f"{base}/actions", headers=server.headers, timeout=5)
    assert listed.status_code == 200 and {"name": "action_handoff"} in listed.json()


def test_a_failing_action_does_not_echo_the_tracker(server: ActionServer) -> None:
    call = {"next_action": "action_handoff", "tracker": f"{MARKER} mitt fødselsnummer", "domain": {}}
    answer = requests.post(server.url, json=call, headers=server.headers, timeout=10)
    assert answer.status_code == 500
    assert MARKER not in answer.text and answer.json() == {"error": "TypeError"}


def _start(host: str, token: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    if token is not None:
        env[TOKEN_ENV] = token
    return subprocess.run(
        [sys.executable, "-m", "bot.runtime.action_server", "--host", host, "--port", str(free_port())],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_to_start_without_a_token_or_on_every_interface() -> None:
    no_token = _start("127.0.0.1", None)
    assert no_token.returncode == 2 and TOKEN_ENV in no_token.stderr
    everywhere = _start("0.0.0.0", "a-token-that-is-long-enough")
    assert everywhere.returncode == 2 and "reachable from outside" in everywhere.stderr


def test_address_and_token_rules() -> None:
    for ok in ("127.0.0.1", "::1", "10.0.3.7", "192.168.1.20", "172.16.0.5"):
        assert check_host(ok) == ok
    for bad in ("0.0.0.0", "::", "8.8.8.8", "actions.example.no"):
        with pytest.raises(ValueError):
            check_host(bad)
    with pytest.raises(ValueError):
        check_token("short")
    with pytest.raises(ValueError):
        check_token(None)
    assert authorised("Bearer " + "t" * 20, "t" * 20)
    assert not authorised(None, "t" * 20) and not authorised("Bearer x", "t" * 20)


def test_project_endpoints_send_the_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv(TOKEN_ENV, "token-from-the-environment")
    monkeypatch.setenv("NLG_SERVER_TOKEN", "nlg-token-from-the-environment")
    endpoint = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint is not None
    assert endpoint.url.startswith("http://127.0.0.1:")
    assert endpoint.headers == {"Authorization": "Bearer token-from-the-environment"}
    # Every bot message comes from the NLG server (the published texts), with its own token.
    nlg = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "nlg")
    assert nlg is not None and nlg.url == "http://127.0.0.1:5057/nlg"
    assert nlg.headers == {"Authorization": "Bearer nlg-token-from-the-environment"}


def test_an_idle_connection_from_rasa_stays_open_longer_than_rasa_keeps_it(server: ActionServer) -> None:
    """Rasa's aiohttp client keeps an idle connection for 15 s and reuses it; a server that
    closed it sooner (Sanic's default: 5 s) races that reuse, and Rasa's action call then
    fails ("Cannot write to closing transport": the bot answers nothing, seen under load
    in the cluster tests). The server must keep it longer."""
    import socket
    import time

    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        assert b" 200 " in conn.recv(4096)
        time.sleep(16)  # idle longer than aiohttp's keep-alive (15 s)
        conn.sendall(request)
        assert b" 200 " in conn.recv(4096)
