"""One database read shared by every WebSocket of this instance that needs it.

Each queue change reaches every advisor's console and every queued visitor (``queues``
events, from this instance and, over the PostgreSQL relay, from the others). Read per
socket, one change cost one transaction per connected socket on every hub. Here the
sockets that heard of a change at (event loop) time ``since`` share one read started at
or after ``since``: the one running, or a new one. So an answer is never older than the
change that asked for it, and one change costs one read per instance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedRead(Generic[T]):
    def __init__(self, read: Callable[[], Awaitable[T]]) -> None:
        self._read = read
        self._done: tuple[float, T] | None = None
        self._running: tuple[float, asyncio.Future[T]] | None = None

    async def get(self, since: float) -> T:
        """A result read at or after ``since`` (``asyncio`` loop time)."""
        if self._done is not None and self._done[0] >= since:
            return self._done[1]
        if self._running is None or self._running[0] < since:
            started = asyncio.get_running_loop().time()
            task = asyncio.ensure_future(self._read())
            self._running = (started, task)

            def finished(t: asyncio.Future[T], started: float = started) -> None:
                if self._running is not None and self._running[1] is t:
                    self._running = None
                if not t.cancelled() and t.exception() is None:
                    if self._done is None or self._done[0] < started:
                        self._done = (started, t.result())

            task.add_done_callback(finished)
        return await asyncio.shield(self._running[1])
