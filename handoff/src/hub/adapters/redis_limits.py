"""The hub's limits shared by every instance, in Redis (``HUB_REDIS_URL``).

Each window key is a sorted set of event times (scores, in the hub clock's seconds)
under ``HUB_REDIS_PREFIX``; one Lua script per call drops the events older than the
window, counts, and records or answers, atomically, so simultaneous requests on
several hubs cannot all slip under the limit. The rule is the one of
``core/ratelimit.py``'s ``SlidingWindow``. Keys expire with their window.

Redis down: the limit is not checked (logged), rather than refusing every visitor.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Hashable
from typing import Any

from redis import asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger("hub")

_SCRIPT = """
local key = KEYS[1]
local op, now, window, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
if op == 'take' then
  if n >= limit then return false end
  redis.call('ZADD', key, now, ARGV[5])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return ARGV[5]
end
if n < limit then return '0' end
local oldest = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


def _key_text(key: Hashable) -> str:
    return json.dumps(list(key) if isinstance(key, tuple) else key, ensure_ascii=False)


class RedisWindow:
    def __init__(
        self,
        store: RedisLimits,
        name: str,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float],
    ) -> None:
        self.store, self.name, self.limit = store, name, limit
        self.window, self.clock = window_seconds, clock

    def _key(self, key: Hashable) -> str:
        return f"{self.store.prefix}limit:{self.name}:{_key_text(key)}"

    async def _run(self, op: str, key: Hashable, member: str = "") -> Any:
        args: list[str | int] = [op, repr(self.clock()), repr(self.window), self.limit, member]
        return await self.store.script(keys=[self._key(key)], args=args)

    async def take(self, key: Hashable) -> Any | None:
        member = f"{self.clock()!r}:{secrets.token_hex(6)}"
        try:
            taken = await self._run("take", key, member)
        except RedisError as exc:
            log.warning("redis unavailable: limit not checked", extra={"error": str(exc)})
            return member
        return member if taken else None

    async def forget(self, key: Hashable, handle: Any) -> None:
        try:
            await self.store.client.zrem(self._key(key), handle)
        except RedisError as exc:
            log.warning("redis unavailable", extra={"error": str(exc)})

    async def retry_after(self, key: Hashable) -> float:
        try:
            return max(0.0, float(await self._run("retry", key)))
        except RedisError:
            return 0.0

    async def reset(self, key: Hashable) -> None:
        try:
            await self.store.client.delete(self._key(key))
        except RedisError as exc:
            log.warning("redis unavailable", extra={"error": str(exc)})


class RedisLimits:
    """The connection (a pool) and the script; makes the windows."""

    def __init__(self, url: str, prefix: str) -> None:
        self.client: aioredis.Redis = aioredis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2
        )
        self.prefix = prefix
        self.script = self.client.register_script(_SCRIPT)

    def window(
        self, name: str, limit: int, window_seconds: float, clock: Callable[[], float]
    ) -> RedisWindow:
        return RedisWindow(self, name, limit, window_seconds, clock)

    async def ping(self) -> bool:
        try:
            return bool(await self.client.ping())
        except RedisError:
            return False

    async def close(self) -> None:
        await self.client.aclose()
