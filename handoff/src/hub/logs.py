"""Structured logs: one JSON object per line, personal numbers masked, no visitor text.

Every logger of the process writes through the one handler set up here: the hub's,
Sanic's (root, error, access, server, websockets) and everything else via the root
logger (SQLAlchemy, asyncio, warnings). What keeps visitor text out:

- nothing logs a request or frame body, and no log call passes message text;
- SQLAlchemy hides statement parameters in its exceptions (db/engine.py,
  ``hide_parameters``) and never echoes statements;
- access lines (when Sanic's access log is on) name the path, never the query string;
- whatever still slips into a message or an exception is masked for personal numbers.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

import navpii

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
ACCESS_LOGGER = "sanic.access"
# Loggers that would otherwise get handlers of their own (Sanic's) or print plain text.
OWN_LOGGERS = (
    "hub",
    "sanic.root",
    "sanic.error",
    ACCESS_LOGGER,
    "sanic.server",
    "sanic.websockets",
)


def _without_query(request_line: str) -> str:
    """``"GET http://host/path?q=..."`` → ``"GET http://host/path"``."""
    return request_line.split("?", 1)[0]


def _masked(value: Any) -> Any:
    """``value`` with personal numbers masked in every string, however deep; other
    objects as their masked text (they are written with ``str`` anyway)."""
    if isinstance(value, str):
        return navpii.mask(value)
    if isinstance(value, bool | float | None):
        return value
    if isinstance(value, int):
        text = str(value)
        return value if navpii.mask(text) == text else navpii.mask(text)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_masked(v) for v in value]
    return navpii.mask(str(value))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": navpii.mask(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = _masked(value)
        if record.name == ACCESS_LOGGER and isinstance(entry.get("request"), str):
            entry["request"] = _without_query(entry["request"])
        if record.exc_info:
            entry["exception"] = navpii.mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class JsonLinesHandler(logging.Handler):
    """One formatted record per line on stderr.

    Not a ``logging.StreamHandler``: the ``sanic`` command loads tracerite, which
    patches ``StreamHandler.emit`` to print exceptions as boxed plain text with the
    values of local variables (a visitor's message among them).
    """

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def _unload_tracerite() -> None:
    """tracerite's ``sys.excepthook`` prints a crash with local variables: the default
    hook prints the traceback without them."""
    tracerite = sys.modules.get("tracerite")
    if tracerite is not None:
        tracerite.unload()


def setup_logging(level: str = "INFO") -> None:
    _unload_tracerite()
    handler = JsonLinesHandler()
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in OWN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    # Statements (with their parameters) are logged from INFO on: never.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logging.captureWarnings(True)
