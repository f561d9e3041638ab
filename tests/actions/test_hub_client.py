"""The handoff client against a real HTTP hub that speaks (or breaks) the contract."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from actions.hub_client import (
    ATTEMPT_TIMEOUTS,
    UNAVAILABLE,
    HandoffOutcome,
    HandoffReason,
    HandoffRequest,
    HubSettings,
    Refusal,
    request_handoff,
)
from bot.runtime.processes import free_port
from tests.contract_hub import ContractHub, contract_hub

QUEUED = {"status": "queued", "queue": "arbeid", "position": 2, "estimated_wait_minutes": 4}
REQUEST = HandoffRequest("conv-7", HandoffReason.ASKED_FOR_PERSON, "arbeid", "dagpenger_soke", [])
# Short limits keep the tests quick; the real ones are ATTEMPT_TIMEOUTS.
QUICK = (0.5, 0.5)


@pytest.fixture(scope="module")
def running_hub() -> Iterator[ContractHub]:
    with contract_hub() as running:
        yield running


@pytest.fixture()
def hub(running_hub: ContractHub) -> ContractHub:
    running_hub.answer, running_hub.status = dict(QUEUED), 200
    running_hub.received.clear()
    running_hub.late.clear()
    return running_hub


def settings(hub: ContractHub, timeouts: tuple[float, ...] = QUICK) -> HubSettings:
    return HubSettings(hub.url, hub.secret, timeouts)


def test_the_worst_case_fits_inside_the_hubs_wait_for_rasa() -> None:
    # The hub gives Rasa's whole answer 10 s (HUB_RASA_TIMEOUT_SECONDS); the turn needs
    # time besides the handoff.
    assert len(ATTEMPT_TIMEOUTS) == 2
    assert sum(ATTEMPT_TIMEOUTS) <= 7.0


async def test_a_late_answer_is_asked_again_and_the_visitor_is_queued(hub: ContractHub) -> None:
    # The hub queued the visitor but answered after the first attempt gave up: the
    # repeated request gets the open entry, so the bot pauses instead of stranding them.
    hub.late = [1.5]
    outcome = await request_handoff(settings(hub), REQUEST)
    assert outcome == HandoffOutcome(queued=True, position=2, estimated_wait_minutes=4)
    assert len(hub.received) == 2
    assert hub.received[0] == hub.received[1] == REQUEST.as_json()


async def test_a_hub_that_never_answers_in_time_is_unavailable_within_the_budget(hub: ContractHub) -> None:
    hub.late = [1.5, 1.5]
    started = time.monotonic()
    assert await request_handoff(settings(hub), REQUEST) == UNAVAILABLE
    assert time.monotonic() - started < sum(QUICK) + 0.5
    assert len(hub.received) == 2  # one retry, no more


async def test_an_unreachable_hub_is_unavailable() -> None:
    nobody = HubSettings(f"http://127.0.0.1:{free_port()}", "x", QUICK)
    assert await request_handoff(nobody, REQUEST) == UNAVAILABLE


async def test_an_http_error_is_an_answer_and_not_repeated(hub: ContractHub) -> None:
    hub.status, hub.answer = 500, {"error": "internal"}
    assert await request_handoff(settings(hub), REQUEST) == UNAVAILABLE
    assert len(hub.received) == 1


@pytest.mark.parametrize(
    "answer",
    [
        ["queued"],
        "queued",
        None,
        {"status": "queued", "position": "2", "estimated_wait_minutes": 4},
        {"status": "queued", "position": True, "estimated_wait_minutes": 4},
        {"status": "queued", "position": 0, "estimated_wait_minutes": 4},
        {"status": "queued", "estimated_wait_minutes": 4},
        {"status": "queued", "position": 2, "estimated_wait_minutes": "snart"},
        {"status": "refused", "reason": ["closed"], "next_open": None},
        {"status": "refused", "reason": "closed", "next_open": 9},
        {"status": "venter"},
        {},
    ],
)
async def test_a_reply_that_breaks_the_contract_is_unavailable_and_logged(
    hub: ContractHub, answer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    hub.answer = answer
    assert await request_handoff(settings(hub), REQUEST) == UNAVAILABLE
    assert "unreadable" in caplog.text
    assert len(hub.received) == 1


async def test_the_contracts_answers_are_read(hub: ContractHub) -> None:
    # No available advisor: the hub leaves the wait out.
    hub.answer = {"status": "queued", "queue": "arbeid", "position": 1, "estimated_wait_minutes": None}
    assert await request_handoff(settings(hub), REQUEST) == HandoffOutcome(True, 1, None)
    hub.answer = {"status": "refused", "reason": "closed", "next_open": "2026-11-30T09:00:00+01:00"}
    refused = await request_handoff(settings(hub), REQUEST)
    assert (refused.queued, refused.refusal, refused.next_open) == (
        False,
        Refusal.CLOSED,
        "2026-11-30T09:00:00+01:00",
    )
    hub.answer = {"status": "refused", "reason": "something_new"}
    assert await request_handoff(settings(hub), REQUEST) == UNAVAILABLE


async def test_the_action_pauses_when_the_hub_queued_but_answered_late(
    hub: ContractHub, domain_dict: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the real limits: the first answer comes after the first attempt gave up
    # (and after the single 5 s attempt there was before, which aiohttp rounds up to 6 s at most).
    monkeypatch.setenv("HUB_URL", hub.url)
    monkeypatch.setenv("HUB_BOT_SECRET", hub.secret)
    hub.late = [6.5]
    events = [{"event": "user", "text": "kan jeg snakke med en person", "timestamp": 1.0}]
    latest = {"text": "kan jeg snakke med en person", "intent": {"name": "request_human"}, "entities": []}
    tracker = Tracker("conv-7", {}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    result = await ActionHandoff().run(dispatcher, tracker, domain_dict)
    assert dispatcher.messages[0]["response"] == "utter_handoff_queued"
    assert {"event": "pause", "timestamp": None} in result
    assert len(hub.received) == 2
