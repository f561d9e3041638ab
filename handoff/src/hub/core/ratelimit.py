"""Counting limits: at most ``limit`` events per key within a sliding window.

Plain code with an injected clock (seconds as a float), so tests move time by hand.
The hub keeps one window per kind of limit (:class:`Limits`: new conversations per
client address, failed logins, typing events).

Where the counts live: in this process (:class:`SlidingWindow`, behind the async
:class:`Window` interface as :class:`LocalWindow`), or, with ``HUB_REDIS_URL``, in Redis
(``adapters/redis_limits.py``: the same rule in one Lua script per call), shared by
every hub instance, so N instances still allow the limit once, not N times. Typing
events are always counted in the process: dropping a few more of them costs nothing.

Why not a library: ``limits`` and ``pyrate-limiter`` read the system clock (the
tests run on the hub's own clock) and bring storage backends the hub does not use;
``sanic-limiter`` is unmaintained since 2018. What is needed here is a few lines.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Protocol

from hub.settings import Settings


class SlidingWindow:
    """At most ``limit`` events per key in any ``window_seconds``; ``limit <= 0`` is no limit.

    ``allow`` records an event if there is room; ``add`` records one regardless (a failed
    login happened whether or not it was allowed); ``retry_after`` says how long until
    the next event would be allowed. At most ``max_keys`` keys are remembered: past that
    the keys with the oldest latest event are forgotten first.
    """

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float],
        max_keys: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self.max_keys = max_keys
        # Insertion order = order of each key's latest event (a key is moved to the end).
        self._events: dict[Hashable, deque[float]] = {}

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def _recent(self, key: Hashable, now: float) -> deque[float] | None:
        events = self._events.get(key)
        if events is None:
            return None
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def count(self, key: Hashable) -> int:
        events = self._recent(key, self.clock())
        return len(events) if events else 0

    def blocked(self, key: Hashable) -> bool:
        """True when the key has used up its events in the current window."""
        return self.enabled and self.count(key) >= self.limit

    def add(self, key: Hashable) -> float:
        """Record an event now (whatever the count); returns its time, for :meth:`forget`."""
        now = self.clock()
        if not self.enabled:
            return now
        events = self._recent(key, now)
        if events is None:
            events = deque()
        else:
            del self._events[key]  # re-inserted at the end: most recently used
        events.append(now)
        if len(events) > self.limit:  # only the newest ``limit`` matter
            events.popleft()
        self._events[key] = events
        if len(self._events) > self.max_keys:
            self._forget(now)
        return now

    def forget(self, key: Hashable, at: float) -> None:
        """Take back one event recorded at ``at`` (counted before its outcome was known)."""
        events = self._events.get(key)
        if events is not None and at in events:
            events.remove(at)
            if not events:
                del self._events[key]

    def allow(self, key: Hashable) -> bool:
        """Record an event for ``key`` and return True, or return False if over the limit."""
        if self.blocked(key):
            return False
        self.add(key)
        return True

    def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` may have an event again (0 when it may now)."""
        now = self.clock()
        events = self._recent(key, now)
        if not self.enabled or events is None or len(events) < self.limit:
            return 0.0
        return max(0.0, events[-self.limit] + self.window - now)

    def reset(self, key: Hashable) -> None:
        self._events.pop(key, None)

    def _forget(self, now: float) -> None:
        for key in list(self._events):
            self._recent(key, now)
        # Down to nine tenths, so a full table is not scanned again at the next key.
        while len(self._events) > self.max_keys * 9 // 10:
            del self._events[next(iter(self._events))]


class Window(Protocol):
    """A sliding window as the use cases see it (in this process or shared)."""

    limit: int

    async def take(self, key: Hashable) -> Any | None:
        """Record an event for ``key`` if there is room (atomically): a handle for
        :meth:`forget`, or None when the key is over the limit."""

    async def forget(self, key: Hashable, handle: Any) -> None:
        """Take back the event :meth:`take` recorded."""

    async def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` may have an event again (0 when it may now)."""

    async def reset(self, key: Hashable) -> None:
        """Forget every event of ``key``."""


class LocalWindow:
    """A :class:`SlidingWindow` of this process behind the :class:`Window` interface."""

    def __init__(self, window: SlidingWindow) -> None:
        self.window = window
        self.limit = window.limit

    async def take(self, key: Hashable) -> Any | None:
        if self.window.blocked(key):
            return None
        return self.window.add(key)

    async def forget(self, key: Hashable, handle: Any) -> None:
        self.window.forget(key, handle)

    async def retry_after(self, key: Hashable) -> float:
        return self.window.retry_after(key)

    async def reset(self, key: Hashable) -> None:
        self.window.reset(key)


class WindowFactory(Protocol):
    """Makes shared windows (``adapters/redis_limits.py``)."""

    def window(
        self, name: str, limit: int, window_seconds: float, clock: Callable[[], float]
    ) -> Window: ...


@dataclass(frozen=True)
class Limits:
    """The hub's limits (settings: ``HUB_CONVERSATIONS_PER_MINUTE``, ``HUB_LOGIN_*``,
    ``HUB_TYPING_PER_SECOND``)."""

    # New conversations per client address.
    conversations: Window
    # Login attempts that failed, per user name and client address, and per address
    # (one address trying many user names: each attempt costs an argon2 hash).
    login_failures: Window
    login_failures_per_address: Window
    # Typing events per conversation and side; the rest are dropped without a word.
    # Always in this process.
    typing: SlidingWindow

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        clock: Callable[[], float],
        shared: WindowFactory | None = None,
    ) -> Limits:
        """``shared``: where the windows every instance shares live (None: this process)."""
        lockout = settings.login_lockout_minutes * 60

        def window(name: str, limit: int, seconds: float) -> Window:
            if shared is not None and limit > 0:
                return shared.window(name, limit, seconds, clock)
            return LocalWindow(SlidingWindow(limit, seconds, clock))

        return cls(
            window("conversations", settings.conversations_per_minute, 60),
            window("login_failures", settings.login_failures, lockout),
            window("login_failures_per_address", settings.login_failures_per_address, lockout),
            SlidingWindow(settings.typing_per_second, 1, clock),
        )
