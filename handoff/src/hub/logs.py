"""Structured logs: one JSON object per line, personal numbers masked."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

import navpii

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


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
        if record.exc_info:
            entry["exception"] = navpii.mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("hub", "sanic.root", "sanic.error", "sanic.server"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
