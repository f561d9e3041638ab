"""The hub the fuzz tests attack (test_fuzz.py, test_fuzz_ws.py), and the values that once
broke it.

A real hub on SQLite, and on PostgreSQL when it runs, with an advisor and an editor logged
in and conversations opened (some queued), so the fuzzer gets past the login and secret
checks: conversation ids in paths are often real ones, with their secret. Rasa and the
content service are a fake on loopback (tests/fake_rasa.py). Bounded: FUZZ_EXAMPLES cases
per operation.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import Phase
from hypothesis import strategies as st

from hub.adapters.broker import Broker
from hub.db.base import Role
from hub.db.engine import create_engine, session_factory
from hub.db.migrate import upgrade
from hub.db.unit import unit_of_work
from hub.services import advisors as advisor_svc
from tests.conftest import _truncate
from tests.fake_rasa import FakeRasa
from tests.live import HUB_ENV, PASSWORD
from tests.stack import Proc, start_hub

FUZZ_EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "20"))


BOT_SECRET = "fuzz-bot-secret"


CONVERSATIONS = 12
# No shrinking: it can take minutes against a server; the failing example is printed.


PHASES = [Phase.explicit, Phase.generate]
# Log lines that mean the hub failed on our side (tracebacks are logged at error).


FAILURE = re.compile(r'"level": "(error|critical)"|Traceback|undecodable input')


# ---- the hub under test ------------------------------------------------------


@dataclass
class Target:
    hub: Proc
    advisor_token: str
    editor_token: str
    spare_tokens: list[str]  # for the logout operation, which ends its login
    kari_token: str = ""  # the WebSocket fuzzing's own advisor
    secrets: dict[str, str] = field(default_factory=dict)  # conversation id -> secret
    log_offset: int = 0

    def new_log(self) -> str:
        with open(self.hub.log, "rb") as f:
            f.seek(self.log_offset)
            data = f.read()
        self.log_offset += len(data)
        return data.decode(errors="replace")

    def assert_quiet_log(self, context: str) -> None:
        failures = [line for line in self.new_log().splitlines() if FAILURE.search(line)]
        assert not failures, f"{context}: the hub logged a failure:\n" + "\n".join(failures[:20])


_TARGET: Target | None = None


def target() -> Target:
    assert _TARGET is not None
    return _TARGET


async def _accounts(url: str) -> dict[str, list[str]]:
    """Migrate, and create the accounts with live logins (the CLI and HTTP logins
    take seconds each, for the password hashing): username -> tokens."""
    engine = create_engine(url, null_pool=True)
    await upgrade(engine)
    now = datetime.now(UTC)
    hashed = await advisor_svc.hash_password(PASSWORD)
    tokens: dict[str, list[str]] = {}
    try:
        async with unit_of_work(session_factory(engine), Broker()) as u:
            # kari is for the WebSocket fuzzing only; ola's spare logins for logout.
            for username, role, logins in (
                ("ola", Role.advisor, 6),
                ("kari", Role.advisor, 1),
                ("redaktor", Role.editor, 1),
            ):
                account = await advisor_svc.create_advisor(
                    u, username, username.title(), hashed, 1000, now, role
                )
                await advisor_svc.set_status(u, account, "available")
                await u.session.flush()
                tokens[username] = [
                    (await advisor_svc.start_session(u, account.id, now, 8))[0]
                    for _ in range(logins)
                ]
    finally:
        await engine.dispose()
    return tokens


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def fuzz_target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    global _TARGET
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_database")
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'hub.db'}"
    tokens = asyncio.run(_accounts(url))
    with FakeRasa() as rasa:
        hub = start_hub(
            database_url=url,
            rasa_url=rasa.url,
            bot_secret=BOT_SECRET,
            env={
                **HUB_ENV,
                "HUB_CONTENT_URL": rasa.url,
                "HUB_CONTENT_TOKEN": "fuzz",
                # The limits answer 429 (fine), but would soon stop the fuzzer short.
                "HUB_CONVERSATIONS_PER_MINUTE": "0",
                "HUB_MESSAGES_PER_MINUTE": "1000000",
                "HUB_LOGIN_FAILURES": "1000000",
                "HUB_LOGIN_FAILURES_PER_ADDRESS": "1000000",
                "HUB_QUEUE_CAPACITY": "1000",
            },
        )
        try:
            t = Target(hub, tokens["ola"][0], tokens["redaktor"][0], tokens["ola"][1:])
            t.kari_token = tokens["kari"][0]
            for i in range(CONVERSATIONS):
                r = httpx.post(f"{hub.url}/api/conversations", json={"page": "/fuzz"})
                assert r.status_code == 201, r.text
                cid, secret = r.json()["id"], r.json()["secret"]
                t.secrets[cid] = secret
                if i % 2:  # half wait for an advisor, for the advisor's routes
                    queued = httpx.post(
                        f"{hub.url}/api/conversations/{cid}/queue",
                        headers={"Authorization": f"Bearer {secret}"},
                        json={"topic": "arbeid"},
                    )
                    assert queued.status_code == 200, queued.text
            _TARGET = t
            yield t
        finally:
            _TARGET = None
            hub.stop()
    t.assert_quiet_log("after the fuzz run")


# ---- values that once broke the hub -------------------------------------------


NASTY_TEXT = st.sampled_from(
    ["\ud800", "hei\udfff", "a\x00b", "\x00", "²", "٣", "/urgent", "/urgent@1.0", "𝕳𝖊𝖎", ""]
)


NASTY_NUMBER = st.sampled_from([-1, 2**31, 2**31 - 1, 2**63 - 1, 2**63, -(2**63), 10**30])


NASTY_NESTED = st.integers(1, 200).map(lambda depth: json.loads("[" * depth + "]" * depth))


NASTY = st.one_of(NASTY_TEXT, NASTY_NUMBER, NASTY_NESTED, st.just(None), st.just(True))
# What can travel in a URL (a surrogate cannot be percent-encoded).


NASTY_QUERY = st.sampled_from(["²", "٣", "-1", "1e3", "\x00", str(2**63), str(2**31), "9" * 30])
