"""The one stand-in for Rasa's HTTP API on loopback, for the hub's tests and the benchmark.

A real HTTP server (the hub talks to it as to Rasa) that records what the hub sends. The
real Rasa is in test_with_rasa.py and the browser tests; this one is for what Rasa cannot
be made to do on demand: answer at once, answer nothing, think too long, trickle, go down.

- Messages (``POST /webhooks/rest/webhook``) get ``reply(message)``: by default the
  welcome to ``/start`` and :func:`answer_to` otherwise, each offering :data:`FAQ_BUTTON`.
  Other replies: :func:`nothing` (a paused tracker), :func:`not_understood` (with the
  bot's signal), :func:`instant` (the benchmark), :func:`welcome_only`, :func:`down`
  (every POST refused: the bot does not answer, its trackers can still be erased).
- ``delay``: seconds to think before answering a message (not ``/start``), so that
  exchanges are in flight when a test needs them to be. ``hold``: ``"silent"`` reads a
  message (not ``/start``) and says nothing; ``"trickle"`` sends the status and headers
  at once, then one byte of the body every 0.1 s (only a deadline on the whole answer
  stops the wait). ``held`` is set once a message is held back.
- ``GET /domain`` answers :attr:`domain` (empty by default); ``up = False`` makes every
  request a 502. Tracker events (the resume) get ``{}``; erasing a tracker
  (``PUT /conversations/<id>/tracker/events`` with no events) is recorded in
  ``erased``, after ``erase_delay`` seconds.
- It also stands in for the bot's content service (``/faqs``, ``/publish``): ``[]`` or
  ``{}`` to anything, so the fuzz run reaches the editors' routes.

Run as a script (``python handoff/tests/fake_rasa.py --port N --reply instant``) it
serves in its own process: the benchmark's Rasa that costs the hub nothing.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WELCOME = "Hei! Jeg er Navs chatbot."
FAQ_BUTTON = {"title": "Søke om dagpenger", "payload": '/faq{"faq_id":"dagpenger_soke"}'}
EMPTY_DOMAIN: dict[str, Any] = {"intents": [], "responses": {}}

Reply = Callable[[str], list[dict[str, Any]]]


def answer_to(message: str) -> str:
    return f"Du skrev: {message}"


def echo(message: str) -> list[dict[str, Any]]:
    """The default: a welcome, or the message echoed; both offer FAQ_BUTTON."""
    text = WELCOME if message == "/start" else answer_to(message)
    return [{"recipient_id": "x", "text": text, "buttons": [FAQ_BUTTON]}]


def nothing(message: str) -> list[dict[str, Any]]:
    """What a paused tracker answers to everything."""
    return []


def welcome_only(message: str) -> list[dict[str, Any]]:
    return [{"text": WELCOME}]


def not_understood(message: str) -> list[dict[str, Any]]:
    """The welcome, then for every question a reply with the bot's signal that it did
    not understand (so the question lands in the editors' unanswered list)."""
    if message == "/start":
        return [{"text": WELCOME}]
    return [
        {"text": "Beklager, det forstod jeg ikke."},
        {"custom": {"nav_signal": "not_understood"}},
    ]


def instant(message: str) -> list[dict[str, Any]]:
    return [{"text": "Her er svaret fra chatboten."}]


def down(message: str) -> list[dict[str, Any]]:
    """Never called: with this reply every POST (messages, the resume) gets a 501, as from
    a server that only keeps trackers; GET and erasing still work."""
    raise AssertionError("down() answers nothing")


REPLIES: dict[str, Reply] = {
    "echo": echo,
    "nothing": nothing,
    "welcome_only": welcome_only,
    "not_understood": not_understood,
    "instant": instant,
    "down": down,
}


class FakeRasa:
    def __init__(
        self,
        reply: Reply = echo,
        *,
        delay: float = 0.0,
        hold: str | None = None,
        erase_delay: float = 0.0,
        port: int = 0,
        keep_alive: bool = False,
    ) -> None:
        if hold not in (None, "silent", "trickle"):
            raise ValueError(f"hold: {hold!r}")
        self.reply, self.delay, self.hold, self.erase_delay = reply, delay, hold, erase_delay
        self.up = True
        self.domain: dict[str, Any] = EMPTY_DOMAIN
        # Every request: (method, path, body parsed as JSON, or None), and its headers.
        self.requests: list[tuple[str, str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.bodies: list[str] = []  # every POST body as sent
        self.received: list[str] = []  # the messages
        self.erased: list[str] = []  # conversations whose tracker was erased
        self.held = threading.Event()  # a message is being held back
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", port), self._handler(keep_alive))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ---- what the hub sent -------------------------------------------------

    def messages(self) -> list[str]:
        with self.lock:
            return list(self.received)

    def posts(self) -> list[tuple[str, Any]]:
        """(path, body) of every POST, in order."""
        with self.lock:
            return [(path, body) for method, path, body in self.requests if method == "POST"]

    def calls_to(self, path: str) -> int:
        with self.lock:
            return sum(1 for _, p, _ in self.requests if p == path)

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
            self.headers.clear()
            self.bodies.clear()
            self.received.clear()

    # ---- serving -----------------------------------------------------------

    def __enter__(self) -> FakeRasa:
        self.thread.start()
        _wait_ready(self.url + "/status")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def headers_of(self, path: str) -> list[dict[str, str]]:
        """The headers (lower-case names) of every request to ``path``."""
        with self.lock:
            return [
                h for (_, p, _), h in zip(self.requests, self.headers, strict=True) if p == path
            ]

    def _record(self, method: str, path: str, raw: bytes, headers: dict[str, str]) -> Any:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self.lock:
            self.requests.append((method, path, body))
            self.headers.append(headers)
            if method == "POST":
                self.bodies.append(raw.decode("utf-8", "replace"))
        return body

    def _handler(self, keep_alive: bool) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            if keep_alive:
                protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                if keep_alive:
                    # Without TCP_NODELAY, Nagle + delayed ACK add ~40 ms to every answer.
                    self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                super().setup()

            def log_message(self, *args: Any) -> None:
                pass

            def _body(self, method: str) -> Any:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                return fake._record(method, self.path, raw, headers)

            def do_GET(self) -> None:
                self._body("GET")
                if not fake.up:
                    self._answer({}, 502)
                elif self.path == "/domain":
                    self._answer(fake.domain)
                else:
                    self._answer([] if self.path == "/faqs" else {})

            def do_PUT(self) -> None:
                body = self._body("PUT")
                if not fake.up:
                    self._answer({}, 502)
                    return
                parts = self.path.strip("/").split("/")
                if (
                    len(parts) == 4
                    and parts[0] == "conversations"
                    and parts[2:]
                    == [
                        "tracker",
                        "events",
                    ]
                ):
                    if body != []:
                        self._answer({"error": "erasing sends no events"}, 400)
                        return
                    time.sleep(fake.erase_delay)
                    with fake.lock:
                        fake.erased.append(parts[1])
                    self._answer({"events": []})
                else:
                    self._answer({})

            def do_POST(self) -> None:
                body = self._body("POST")
                if not fake.up:
                    self._answer({}, 502)
                    return
                if fake.reply is down:
                    self._answer({"error": "not implemented"}, 501)
                    return
                if not self.path.startswith("/webhooks/"):
                    self._answer({})  # tracker events (resume), content publish
                    return
                message = body.get("message", "") if isinstance(body, dict) else ""
                with fake.lock:
                    fake.received.append(message)
                if message != "/start":
                    if fake.hold is not None:
                        self._hold()
                        return
                    if fake.delay:
                        time.sleep(fake.delay)
                self._answer(fake.reply(message))

            def _hold(self) -> None:
                fake.held.set()
                if fake.hold == "silent":
                    fake.stopping.wait(60)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                try:
                    while not fake.stopping.wait(0.1):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                except OSError:
                    pass  # the hub gave up and closed the connection

            def _answer(self, data: Any, status: int = 200) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        return Handler


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) resets connections in a burst (a sweep resuming
    # twenty conversations at once from one hub).
    request_queue_size = 256


def _wait_ready(url: str, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description="A stand-in for Rasa on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--reply", choices=sorted(REPLIES), default="echo")
    args = parser.parse_args()
    fake = FakeRasa(REPLIES[args.reply], port=args.port, keep_alive=True)
    fake.server.serve_forever()


if __name__ == "__main__":
    main()
