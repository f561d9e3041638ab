"""The visitor's use cases (core/visitors.py) on a real database (SQLite and PostgreSQL).

Rasa is "down" here (a closed port); the real-Rasa path is in test_with_rasa.py.
"""

from __future__ import annotations

import navpii
import pytest

from hub.api import views
from hub.db.base import Owner, Sender
from hub.db.models import Advisor
from hub.errors import (
    Conflict,
    MessageTooLong,
    QueueRefused,
    RateLimited,
    TooManyConversations,
    Unauthorized,
)
from hub.rules import texts
from hub.services import advisors as advisor_svc
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc
from tests.conftest import new_advisor
from tests.support import FNR, MASK_FNR, handed_off, messages_of, open_conv


async def test_open_with_rasa_down_gives_a_clear_message_and_a_way_to_a_person(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, messages = await open_conv(hub)
    assert cid.startswith("c_") and len(secret) >= 40
    assert [m.sender for m in messages] == [Sender.system]
    assert messages[0].text == texts.BOT_UNAVAILABLE
    assert messages[0].buttons == [texts.REQUEST_ADVISOR_BUTTON]


async def test_message_is_stored_masked_and_the_bot_outage_answered(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await open_conv(hub)
    msg = await hub.visitors.message(cid, secret, f"mitt fnr er {FNR}", None)
    assert msg.id and MASK_FNR in msg.text and FNR not in msg.text
    await hub.drain()
    stored = await messages_of(hub, cid)
    assert [m.sender for m in stored][-2:] == [Sender.visitor, Sender.system]
    assert all(FNR not in m.text for m in stored)


async def test_the_dash_and_spaced_spellings_the_review_found_are_stored_masked(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await open_conv(hub)
    for text in ("120389-10076", "f.nr. 12038910076", "12 03 89 10076", "120389\u200b10076"):
        msg = await hub.visitors.message(cid, secret, text, None)
        assert msg.text.endswith(MASK_FNR), msg.text
    await hub.drain()
    assert not any(navpii.find(m.text) for m in await messages_of(hub, cid))


async def test_a_number_split_over_two_messages_is_masked_in_both_rows(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await open_conv(hub)
    first = await hub.visitors.message(cid, secret, "fnr 120389", None)
    assert first.text == "fnr 120389"  # alone it is a date
    await hub.drain()  # the bot's answer comes between the two halves
    second = await hub.visitors.message(cid, secret, "10076 takk", None)
    assert second.text == f"{MASK_FNR} takk"
    stored = {m.id: m.text for m in await messages_of(hub, cid)}
    assert stored[first.id] == f"fnr {MASK_FNR}" and stored[second.id] == f"{MASK_FNR} takk"
    # Only the visitor's own previous message counts, and only a valid number.
    third = await hub.visitors.message(cid, secret, "55 55 33 33", None)
    assert third.text == "55 55 33 33"


async def test_the_page_and_a_button_payload_are_stored_masked(hub) -> None:  # type: ignore[no-untyped-def]
    page = "https://www.nav.no/sok?q=120389-10076&" + "x" * 260  # near the column's 300
    conv, secret, _ = await hub.visitors.open(page)
    async with hub.unit() as u:
        stored_page = (await conv_svc.get(u, conv.id)).page
    assert stored_page == f"https://www.nav.no/sok?q={MASK_FNR}&" + "x" * 251
    msg = await hub.visitors.message(conv.id, secret, "Ja", '/faq{"n":"120389 10076"}')
    assert msg.payload == f'/faq{{"n":"{MASK_FNR}"}}'


async def test_secret_opens_only_its_own_conversation(hub) -> None:  # type: ignore[no-untyped-def]
    a, secret_a, _ = await open_conv(hub)
    b, _, _ = await open_conv(hub)
    with pytest.raises(Unauthorized):
        await hub.visitors.message(b, secret_a, "hei", None)
    with pytest.raises(Unauthorized):
        await hub.visitors.message(a, None, "hei", None)


async def test_limits_store_nothing_half(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await open_conv(hub)
    with pytest.raises(MessageTooLong) as too_long:
        await hub.visitors.message(cid, secret, "x" * 1001, None)
    assert too_long.value.body()["limit"] == 1000
    await hub.visitors.message(cid, secret, "x" * 1000, None)
    for i in range(19):
        await hub.visitors.message(cid, secret, f"melding {i}", None)
    with pytest.raises(RateLimited) as limited:
        await hub.visitors.message(cid, secret, "en for mye", None)
    assert limited.value.body()["limit"] == 20 and "20" in limited.value.message
    await hub.drain()
    visitor = [m for m in await messages_of(hub, cid) if m.sender == Sender.visitor]
    assert len(visitor) == 20 and "en for mye" not in {m.text for m in visitor}
    hub.clock.advance(seconds=61)
    await hub.visitors.message(cid, secret, "nå går det igjen", None)


async def test_visitor_chooses_a_person_when_the_bot_is_down(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await open_conv(hub)
    with pytest.raises(QueueRefused) as refused:
        await hub.visitors.request_queue(cid, secret, None)
    assert refused.value.code == "no_advisors" and "55 55 33 33" in refused.value.message
    await new_advisor(hub, "kari")
    await hub.visitors.message(cid, secret, "Snakk med en veileder", texts.REQUEST_ADVISOR_PAYLOAD)
    await hub.drain()
    stored = await messages_of(hub, cid)
    assert stored[-1].sender == Sender.system and "nestemann i køen" in stored[-1].text
    async with hub.unit() as u:
        entry = await queue_svc.open_entry(u, cid)
        assert entry is not None and entry.topic == "generell"


async def test_a_request_for_a_person_is_queued_even_when_the_bot_is_down(hub) -> None:  # type: ignore[no-untyped-def]
    # The widget's "Snakk med en veileder" sends the bot's own payload; with the bot down
    # the hub queues the visitor itself instead of asking them to choose a person again.
    cid, secret, _ = await open_conv(hub)
    await new_advisor(hub, "kari")
    await hub.visitors.message(
        cid, secret, "Jeg vil snakke med en veileder", texts.BOT_REQUEST_HUMAN_PAYLOAD
    )
    await hub.drain()
    after = (await messages_of(hub, cid))[-2:]
    assert after[0].sender == Sender.visitor and not after[0].awaiting_bot
    assert after[1].sender == Sender.system and "nestemann i køen" in after[1].text
    async with hub.unit() as u:
        assert (await conv_svc.get(u, cid)).owner == Owner.queue

    # Anything else still gets the outage notice with the way to a person.
    other, other_secret, _ = await open_conv(hub)
    await hub.visitors.message(other, other_secret, "hvordan søker jeg dagpenger", None)
    await hub.drain()
    assert (await messages_of(hub, other))[-1].text == texts.BOT_UNAVAILABLE


async def test_waiting_information_is_honest_when_no_advisor_is_available(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari", status="away")  # logged in, away: may queue
    cid, secret, _ = await open_conv(hub)
    info = await hub.visitors.request_queue(cid, secret, None)
    assert views.queue_json(info) == {
        "topic": "generell",
        "position": 1,
        "estimated_wait_minutes": None,
        "advisors_available": 0,
        "urgent": False,
    }
    told = (await messages_of(hub, cid))[-1].text
    assert told == texts.queued(1, None)
    assert "Ingen veileder er ledig akkurat nå" in told and "minutter" not in told
    other, _, _ = await open_conv(hub)
    answer = await hub.relay.handoff(other, "unsure", "arbeid", None)
    assert answer["estimated_wait_minutes"] is None and answer["advisors_available"] == 0

    async with hub.unit() as u:
        await advisor_svc.set_status(u, await u.session.get_one(Advisor, kari.id), "available")
        entry = await queue_svc.open_entry(u, cid)
        assert entry is not None
        info = await queue_svc.queue_info(u, entry, hub.clock.now(), 6)
    assert (info.advisors_available, info.estimated_wait_minutes) == (1, 1)  # a free seat
    assert "omtrent 3 minutter" in texts.queued(1, 3)
    assert "omtrent 1 minutt." in texts.queued(1, 1)


async def test_the_wait_estimate_uses_the_free_seats_and_the_measured_chat_time(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari", max_chats=3)
    waiting = [await handed_off(hub, topic=t) for t in ("arbeid", "familie", "arbeid", "helse")]

    async def minutes(cid: str) -> int | None:
        async with hub.unit() as u:
            entry = await queue_svc.open_entry(u, cid)
            assert entry is not None
            info = await queue_svc.queue_info(u, entry, hub.clock.now(), 6)
            return info.estimated_wait_minutes

    # One advisor with 3 seats: the first three (in any topic) get one at once; the
    # fourth waits for one of 3 chats of 6 minutes to end (it was told 21 minutes).
    assert [await minutes(c) for c in waiting] == [1, 1, 1, 2]
    # Three chats taken and ended after 12 minutes each, two more after 12: measured now.
    for cid in waiting[:3]:
        await hub.advisors.claim(kari, cid)
    assert await minutes(waiting[3]) == 2  # no seat free: the first of 3 chats to end
    hub.clock.advance(minutes=12)
    for cid in waiting[:3]:
        await hub.advisors.end(kari, cid, "besvart")
    more = [await handed_off(hub) for _ in range(2)]
    for cid in more:
        await hub.advisors.claim(kari, cid)
    hub.clock.advance(minutes=12)
    for cid in more:
        await hub.advisors.end(kari, cid, "besvart")
    await hub.advisors.claim(kari, waiting[3])
    later = [await handed_off(hub) for _ in range(3)]
    # 5 chats of 12 minutes measured; 2 seats free: the third waits for one of 3 to end.
    assert [await minutes(c) for c in later] == [1, 1, 4]


async def test_visitor_leaves_and_ends(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid, secret, _ = await open_conv(hub)
    await hub.relay.handoff(cid, "unsure", "arbeid", None)
    await hub.visitors.leave_queue(cid, secret)
    with pytest.raises(Conflict):
        await hub.visitors.leave_queue(cid, secret)
    await hub.relay.handoff(cid, "unsure", "arbeid", None)
    await hub.advisors.claim(kari, cid)
    with hub.broker.subscribe(f"advisor:{kari.id}") as sub:
        await hub.visitors.end(cid, secret)
        events = sub.drain()
    assert {"type": "conversation", "data": {"conversation_id": cid, "owner": "closed"}} in events
    async with hub.unit() as u:
        assert await queue_svc.advisor_chats(u, kari) == []


async def test_new_conversations_are_limited_per_client_address(hub, clock) -> None:  # type: ignore[no-untyped-def]
    limit = hub.settings.conversations_per_minute
    for _ in range(limit):
        await hub.visitors.open(None, "203.0.113.7")
    with pytest.raises(TooManyConversations) as refused:
        await hub.visitors.open(None, "203.0.113.7")
    body = refused.value.body()
    assert (refused.value.status, body["error"], body["limit"]) == (429, "rate_limited", limit)
    assert body["retry_after"] == 60 and "prøv igjen om 60 sekunder" in body["message"]
    await hub.visitors.open(None, "198.51.100.1")  # another address
    await hub.visitors.open(None)  # the hub's own callers: no address, no limit
    clock.advance(seconds=60)
    await hub.visitors.open(None, "203.0.113.7")


async def test_a_message_written_while_queued_is_acknowledged_once_and_new_to_the_advisor(
    hub,
) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid, secret, _ = await open_conv(hub)
    await hub.visitors.request_queue(cid, secret, "arbeid")
    first = await hub.visitors.message(cid, secret, "Jeg glemte å si at jeg er permittert.", None)
    second = await hub.visitors.message(cid, secret, "Fra 1. desember.", None)
    stored = await messages_of(hub, cid)
    assert [m.text for m in stored].count(texts.WRITTEN_WHILE_QUEUED) == 1  # once for the run
    assert stored[-1].id == second.id
    chat = await hub.advisors.claim(kari, cid)
    assert views.advisor_chat_json(chat)["unanswered"] == [first.id, second.id]
    await hub.advisors.message(kari, cid, "Takk, da ser jeg på det.")
    again = await hub.advisors.open_chat(kari, cid)
    assert views.advisor_chat_json(again)["unanswered"] == []
