"""The limits shared in Redis (adapters/redis_limits.py) follow the in-process window's rule
(core/ratelimit.py), on a real Redis and the hub's clock moved by hand."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator

import pytest
import redis

from hub.adapters.redis_limits import RedisLimits
from hub.core.ratelimit import LocalWindow, SlidingWindow, Window

REDIS_URL = os.environ.get("HUB_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def store() -> AsyncIterator[RedisLimits]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (CI=true)")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    prefix = f"hub-test-{secrets.token_hex(4)}:"
    limits = RedisLimits(REDIS_URL, prefix)
    yield limits
    await limits.close()
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def _walk(window: Window, clock: Clock) -> list[object]:
    """The same steps on any window; what each answered."""
    seen: list[object] = []
    handles = [await window.take(("kari", "192.0.2.1")) for _ in range(3)]
    seen.append([h is not None for h in handles])
    seen.append(await window.take(("kari", "192.0.2.1")) is None)  # over the limit
    seen.append(await window.take(("ola", "192.0.2.1")) is not None)  # another key
    clock.now += 10
    seen.append(round(await window.retry_after(("kari", "192.0.2.1"))))
    await window.forget(("kari", "192.0.2.1"), handles[1])  # taken back: room for one
    seen.append(await window.retry_after(("kari", "192.0.2.1")))
    seen.append(await window.take(("kari", "192.0.2.1")) is not None)
    clock.now += 50  # the first event is a minute old
    seen.append(await window.take(("kari", "192.0.2.1")) is not None)
    await window.reset(("kari", "192.0.2.1"))
    seen.append([await window.take(("kari", "192.0.2.1")) is not None for _ in range(4)])
    return seen


async def test_a_window_in_redis_answers_as_one_in_the_process(store: RedisLimits) -> None:
    shared_clock, local_clock = Clock(), Clock()
    shared = await _walk(store.window("logins", 3, 60, shared_clock), shared_clock)
    local = await _walk(LocalWindow(SlidingWindow(3, 60, local_clock)), local_clock)
    assert shared == local
    assert shared == [[True] * 3, True, True, 50, 0.0, True, True, [True, True, True, False]]
