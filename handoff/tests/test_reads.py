"""The read use cases: what they return, who may read what, and that reading never
waits for a writer (on SQLite no process write lock and no BEGIN IMMEDIATE)."""

from __future__ import annotations

import asyncio

import pytest

from hub.api import views
from hub.core import Hub
from hub.db.base import Owner, Role, Sender
from hub.errors import Forbidden, Unauthorized
from hub.rules import texts
from hub.rules.queue import ChatHead
from hub.services import conversations as conv_svc
from tests.conftest import new_advisor


async def _queued(hub: Hub) -> tuple[str, str]:
    conv, secret, _ = await hub.visitors.open("/dagpenger")
    await hub.visitors.message(conv.id, secret, "Jeg har mistet jobben", None)
    await hub.drain()
    assert (await hub.relay.handoff(conv.id, "asked_for_person", "arbeid", None))[
        "status"
    ] == "queued"
    return conv.id, secret


async def test_reads_do_not_wait_for_a_writer(hub: Hub) -> None:
    kari, token = await new_advisor(hub, "kari")
    cid, secret = await _queued(hub)
    # A writer holds its unit open (on SQLite: the process's write turn and the
    # database's write lock). A read that took either would wait here for good.
    async with hub.unit() as u:
        await conv_svc.ping(u)
        reads = asyncio.gather(
            hub.accounts.account_for(token, Role.advisor),
            hub.advisors.socket_overview(asyncio.get_running_loop().time()),
            hub.advisors.open_chat(kari, cid),
            hub.advisors.chats(kari),
            hub.advisors.chat_heads(kari.id, token),
            hub.visitors.transcript(cid, secret),
            hub.visitors.stream_view(cid, 0),
            hub.advisors.unanswered(30),
        )
        (
            account,
            overview,
            chat,
            chats,
            heads,
            (conv, messages),
            view,
            report,
        ) = await asyncio.wait_for(reads, 10)
    assert account.id == kari.id
    assert [w.conversation_id for q in overview for w in q.waiting] == [cid]
    assert chat.entry.topic == "arbeid"
    assert [m.id for m in chat.messages] == [m.id for m in messages]
    assert chats == [] and heads == []
    assert conv.id == cid and view.conversation.owner == Owner.queue
    assert view.queue is not None and view.queue.position == 1
    assert report.days == 30 and report.retention_days == hub.settings.retention_days


async def test_a_login_is_checked_with_its_role(hub: Hub) -> None:
    _, token = await new_advisor(hub, "kari")
    assert (await hub.accounts.account_for(token)).username == "kari"
    with pytest.raises(Forbidden) as refused:
        await hub.accounts.account_for(token, Role.editor)
    assert refused.value.message == texts.CONTENT_EDITORS_ONLY
    with pytest.raises(Unauthorized):
        await hub.accounts.account_for("not-a-login", Role.advisor)
    with pytest.raises(Unauthorized):
        await hub.accounts.account_for(None)
    with pytest.raises(Unauthorized):
        await hub.advisors.chat_heads(1, "not-a-login")


async def test_a_claim_returns_the_chat_as_the_advisor_now_sees_it(hub: Hub) -> None:
    kari, _ = await new_advisor(hub, "kari")
    ola, _ = await new_advisor(hub, "ola")
    cid, _ = await _queued(hub)
    chat = await hub.advisors.claim(kari, cid)
    assert chat.conversation.owner == Owner.advisor and chat.entry.advisor_id == kari.id
    assert chat.messages[-1].sender == Sender.system
    assert chat.messages[-1].text == texts.ADVISOR_JOINED.format(name=kari.name)
    reread = await hub.advisors.open_chat(kari, cid)
    assert [m.id for m in reread.messages] == [m.id for m in chat.messages]
    # Claimed: no longer open to other advisors.
    with pytest.raises(Forbidden):
        await hub.advisors.open_chat(ola, cid)
    assert [e.conversation_id for e in await hub.advisors.chats(kari)] == [cid]
    heads = await hub.advisors.chat_heads(kari.id)
    assert heads == [ChatHead(cid, chat.messages[-1].id)]
    assert views.chat_heads_json(heads) == [
        {"conversation_id": cid, "last_message_id": chat.messages[-1].id}
    ]


async def test_the_visitor_view_is_one_snapshot_for_the_poll_and_the_socket(hub: Hub) -> None:
    await new_advisor(hub, "kari")
    cid, secret = await _queued(hub)
    polled = await hub.visitors.view(cid, secret, 0)
    streamed = await hub.visitors.stream_view(cid, 0)
    assert polled.queue == streamed.queue and polled.queue is not None
    assert [m.id for m in polled.messages] == [m.id for m in streamed.messages]
    assert polled.rating is None
    assert await hub.visitors.rate(cid, secret, "ja") == "ja"
    assert (await hub.visitors.view(cid, secret, polled.messages[-1].id)).messages == []
    assert (await hub.visitors.view(cid, secret, 0)).rating == "ja"
    with pytest.raises(Unauthorized):
        await hub.visitors.view(cid, "wrong", 0)


async def test_the_shared_read_of_places_gives_each_visitor_what_their_own_read_does(
    hub: Hub,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    await new_advisor(hub, "kari")
    ids = []
    for topic, reason in [
        ("arbeid", "asked_for_person"),
        ("arbeid", "unsure"),
        ("helse", "asked_for_person"),
        ("arbeid", "urgent"),  # ahead of the two before it
    ]:
        conv, _, _ = await hub.visitors.open("/dagpenger")
        assert (await hub.relay.handoff(conv.id, reason, topic, None))["status"] == "queued"
        ids.append(conv.id)
        clock.advance(seconds=5)
    shared = {
        cid: await hub.visitors.queue_place(cid, asyncio.get_running_loop().time()) for cid in ids
    }
    own = {cid: (await hub.visitors.stream_view(cid, 0)).queue for cid in ids}
    assert shared == own
    assert [shared[cid].position for cid in ids if shared[cid]] == [2, 3, 1, 1]
    assert await hub.visitors.queue_place("c_not_waiting", 0) is None
