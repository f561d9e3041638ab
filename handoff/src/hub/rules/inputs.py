"""What the hub accepts from outside, checked once at the edge (HTTP bodies, query
arguments, WebSocket frames), so that nothing further in can fail on it.

Each check raises :class:`~hub.errors.InvalidRequest` (a 400, or an ``error`` frame
on a WebSocket) with a Norwegian message. Why each rule exists:

- Lone surrogates (``"\\ud800"``, valid JSON, invalid Unicode) cannot be encoded as
  UTF-8: not stored, not sent back, not logged.
- NUL (``"\\u0000"``) is refused by PostgreSQL in any text column.
- Deep nesting: Python's JSON reader recurses once per level, and no request of
  ours nests deeper than a few levels.
- Numbers in query arguments are ASCII digits: ``"²".isdigit()`` is true, but
  ``int("²")`` fails.
- Ids are 64-bit (BIGINT on PostgreSQL); a larger number can never be an id.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hub.errors import InvalidRequest

# Every id column is 64-bit: BIGINT on PostgreSQL, INTEGER (64-bit) on SQLite.
MAX_ID = 2**63 - 1
# The deepest body the hub reads is an object holding a list of objects; the limit
# leaves room for the editors' content and the bot's transcripts.
MAX_JSON_DEPTH = 32

_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_DIGITS = re.compile("[0-9]{1,19}")

NOT_JSON = "Forespørselen er ikke gyldig JSON."
BAD_CHARS = "Forespørselen inneholder ugyldige tegn."
TOO_DEEP = f"Forespørselen er nøstet for dypt (høyst {MAX_JSON_DEPTH} nivåer)."


def clean(text: str) -> bool:
    """True when ``text`` can be stored and sent on: no NUL, no lone surrogate."""
    return _BAD_CHARS.search(text) is None


def check_json(value: Any) -> None:
    """Raise if any string (key or value) in ``value`` has bad characters, or if it
    nests deeper than :data:`MAX_JSON_DEPTH`. Iterative: depth cannot hurt it."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not clean(item):
                raise InvalidRequest(BAD_CHARS)
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise InvalidRequest(TOO_DEEP)
            if isinstance(item, dict):
                stack.extend((k, depth) for k in item)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


def parse_json(raw: str | bytes) -> Any:
    """Any JSON value, checked with :func:`check_json`."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        # ValueError covers bad syntax, bad UTF-8 and integers too long to read.
        raise InvalidRequest(NOT_JSON) from None
    check_json(data)
    return data


def parse_json_object(
    raw: str | bytes, message: str = "Forespørselen må være et JSON-objekt."
) -> dict[str, Any]:
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise InvalidRequest(message)
    return data


def int_arg(raw: str | None, default: int, low: int, high: int, message: str) -> int:
    """A whole number from a query argument: ASCII digits within ``low..high``."""
    if raw is None:
        return default
    if _DIGITS.fullmatch(raw) is None:
        raise InvalidRequest(message)
    value = int(raw)
    if not low <= value <= high:
        raise InvalidRequest(message)
    return value


def is_id(value: Any) -> bool:
    """A message id as a client may send one (``last_seen_id``): 0 means none yet."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID
