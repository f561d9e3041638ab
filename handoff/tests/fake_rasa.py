"""A stand-in for Rasa's HTTP API on loopback that records what the hub sends.

For the tests that must see the exact request body (what reached Rasa as an intent),
and for the fuzz run, which needs a bot that answers at once. The real Rasa is in
test_with_rasa.py.

It answers every message with one reply offering :data:`FAQ_BUTTON`, ``/status``
with 200, ``/domain`` with an empty domain and the tracker events API with ``{}``.
It also stands in for the bot's content service (``/faqs``, ``/publish``): ``[]``
or ``{}`` to anything, so the fuzz run reaches the editors' routes.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WELCOME = "Hei! Jeg er Navs chatbot."
FAQ_BUTTON = {"title": "Søke om dagpenger", "payload": '/faq{"faq_id":"dagpenger_soke"}'}


def answer_to(message: str) -> str:
    return f"Du skrev: {message}"


class FakeRasa:
    """``delay``: seconds to think before answering a message (not ``/start``), so
    that exchanges are in flight when a test needs them to be."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.received: list[str] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/domain":
                    self._answer({"intents": [], "responses": {}})
                else:
                    self._answer([] if self.path == "/faqs" else {})

            def do_PUT(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer({})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not self.path.startswith("/webhooks/rest/webhook"):
                    self._answer({})  # tracker events (resume), content publish
                    return
                message = json.loads(body or b"{}").get("message", "")
                with outer.lock:
                    outer.received.append(message)
                if outer.delay and message != "/start":
                    time.sleep(outer.delay)
                text = WELCOME if message == "/start" else answer_to(message)
                self._answer([{"recipient_id": "x", "text": text, "buttons": [FAQ_BUTTON]}])

            def _answer(self, data: Any) -> None:
                raw = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def messages(self) -> list[str]:
        with self.lock:
            return list(self.received)

    def __enter__(self) -> FakeRasa:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
