"""All of the hub's configuration, in one place.

Every setting is read from an environment variable (``HUB_*``) by
:func:`Settings.from_env`; tests build :class:`Settings` directly. The README's
settings table lists the same names and defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

_HANDOFF_DIR = Path(__file__).resolve().parents[2]


def _default_web_dir() -> str:
    dist = _HANDOFF_DIR / "web" / "dist"
    return str(dist if dist.is_dir() else _HANDOFF_DIR / "web")


@dataclass(frozen=True)
class Settings:
    # Storage
    database_url: str = "sqlite+aiosqlite:///hub.db"
    auto_migrate: bool = True
    # On PostgreSQL: connections per instance (kept open; extra at busy moments; the wait
    # for one before a request fails)
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_pool_timeout_seconds: float = 30.0
    # On PostgreSQL: carry live events between hub instances (LISTEN/NOTIFY)
    pg_notify: bool = True
    # Rasa
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 10.0
    bot_secret: str = ""
    # The bot's content service, for editors (empty = content editing is off)
    content_url: str = ""
    content_token: str = ""
    # Opening hours and queue
    timezone: str = "Europe/Oslo"
    opening_hours: str = "mon-fri 09:00-15:00"
    public_holidays: str = "norway"  # "norway" or "none"
    closed_dates: tuple[date, ...] = ()
    always_open: bool = False
    queue_capacity: int = 25  # waiting visitors per topic
    queue_absent_seconds: int = 180
    average_chat_minutes: float = 6.0
    # Limits
    max_message_chars: int = 1000
    max_body_bytes: int = 16 * 1024
    messages_per_minute: int = 20
    # Per client address (0 = no limit). Generous: one office or home network behind one
    # address opens many; this only stops a script. Counted across instances with redis_url.
    conversations_per_minute: int = 30
    # Failed logins: after this many for one user name from one address within
    # login_lockout_minutes, that pair gets 429 until the oldest failure is that old.
    login_failures: int = 5
    # Failed logins from one address, whatever the user name.
    login_failures_per_address: int = 50
    login_lockout_minutes: float = 15.0
    # Redis for the limits that several hub instances share (new conversations, failed
    # logins); empty: counted in this process (one instance, `make run`).
    redis_url: str = ""
    redis_prefix: str = "hub:"
    # Typing events per conversation and side per second; more are dropped silently.
    typing_per_second: int = 5
    # Advisors
    advisor_token_hours: float = 8.0
    # An advisor counts as at work (available, staffing the queue) only while a console
    # shows it: a login, then a WebSocket heartbeat (or a poll) at least this often. After
    # that their chats go back to the queue (the sweep, every sweep_seconds).
    advisor_presence_seconds: float = 60.0
    default_max_chats: int = 3
    # The login cookie is Secure when the browser came over TLS; true forces it always.
    cookie_secure: bool = False
    # Reverse proxies in front of the hub (0 = none): only then are X-Forwarded-For and
    # X-Forwarded-Proto believed (client address for the limits; TLS for cookies).
    trusted_proxies: int = 0
    # Browsers: other sites that may embed the widget (CORS and the visitor WebSocket's
    # Origin check); empty = the hub's own origin only
    allowed_origins: tuple[str, ...] = ()
    # Retention: conversations older than retention_days are deleted (with Rasa's
    # trackers) every retention_sweep_minutes inside the hub (0 = only by `hub purge`).
    retention_days: int = 30
    retention_sweep_minutes: float = 60.0
    # Rasa's SQL tracker store (endpoints.yml `tracker_store: type: SQL`), as a database
    # URL: the hub deletes its `events` rows itself. Empty: Rasa keeps trackers in memory
    # and the hub empties them through Rasa's HTTP API.
    rasa_tracker_db_url: str = ""
    # Logs, pages
    log_level: str = "INFO"
    ws_poll_seconds: float = 15.0
    sweep_seconds: float = 20.0
    web_dir: str = field(default_factory=_default_web_dir)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from ``HUB_<NAME>`` variables; unknown ones are ignored."""
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = source.get(f"HUB_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _parse(f.name, str(f.type), raw)
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def origin(raw: str) -> str:
    """A web origin as browsers send it: ``scheme://host[:port]``, lower case, no path."""
    value = raw.strip().rstrip("/").lower()
    scheme, sep, host = value.partition("://")
    if scheme not in {"http", "https"} or not sep or not host or any(c in host for c in "/?#@* "):
        raise ValueError(f"not an origin (https://host[:port]): {raw.strip()!r}")
    return value


def _parse(name: str, type_name: str, raw: str) -> Any:
    raw = raw.strip()
    try:
        if type_name == "bool":
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
        if type_name.startswith("tuple[date"):
            return tuple(date.fromisoformat(p.strip()) for p in raw.split(",") if p.strip())
        if name == "allowed_origins":
            return tuple(origin(p) for p in raw.split(",") if p.strip())
    except ValueError as exc:
        raise ValueError(f"HUB_{name.upper()}: cannot read {raw!r}") from exc
    return raw
