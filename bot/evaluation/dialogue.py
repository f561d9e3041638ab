"""Running evaluation cases through the real dialogue: NLU, rules and actions.

Each case is the first message of a fresh conversation, sent to a Rasa Agent
whose custom actions run in a real action server. The tracker's events then
say what the assistant did.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.utils.endpoints import EndpointConfig

from bot.evaluation.scoring import CHITCHAT, Case, Outcome
from bot.nlu.language import OTHER, detect_language

FAQ_RESPONSE_PREFIX = "utter_faq/"
ADVISOR_PAYLOAD = "/request_human"
EMERGENCY_RESPONSE = "utter_emergency"


def outcome_of(events: Sequence[Any]) -> Outcome:
    """What the assistant did, read from a fresh tracker's events."""
    outcome = Outcome()
    for event in events:
        if isinstance(event, UserUttered):
            outcome.intent = event.intent.get("name")
        elif isinstance(event, ActionExecuted):
            name = event.action_name or ""
            if name == "action_handoff":
                outcome.handoff_started = True
            elif name == "action_unsure":
                outcome.unsure = True
            elif name == "utter_out_of_scope":
                outcome.out_of_scope = True
            elif name.startswith("utter_") and name[len("utter_") :] in CHITCHAT:
                outcome.chitchat = name[len("utter_") :]
        elif isinstance(event, BotUttered):
            outcome.bot_texts.append(event.text or "")
            utter_action = (event.metadata or {}).get("utter_action") or ""
            if utter_action.startswith(FAQ_RESPONSE_PREFIX) and outcome.faq_id is None:
                outcome.faq_id = utter_action[len(FAQ_RESPONSE_PREFIX) :]
            buttons = (event.data or {}).get("buttons") or []
            if any(b.get("payload") == ADVISOR_PAYLOAD for b in buttons):
                outcome.handoff_offered = True
            if utter_action == "utter_unsure_offer_handoff":
                outcome.handoff_offered = True
            if utter_action == EMERGENCY_RESPONSE:
                outcome.emergency = True
    outcome.reply_language = reply_language(outcome.bot_texts)
    return outcome


def reply_language(texts: Sequence[str]) -> str | None:
    """The language the bot's replies were in, judged by the same rule as the visitor's
    messages: "en", "nb", "other" (the bilingual answer reads as neither) or None."""
    detected = detect_language(" ".join(t for t in texts if t)).language
    return OTHER if detected == OTHER else detected


# Conversations in flight at once: a case's custom actions run in the action server (another
# process) while the next case's message is parsed here, so both cores work.
CONCURRENT_CASES = 4


async def run_cases(model: Path, actions: EndpointConfig, cases: Sequence[Case]) -> list[Outcome]:
    """Sends every case to a fresh conversation and reads what happened (in the cases' order)."""
    agent = Agent.load(str(model), action_endpoint=actions)
    slots = asyncio.Semaphore(CONCURRENT_CASES)

    async def run(case: Case) -> Outcome:
        async with slots:
            sender = f"eval-{uuid.uuid4().hex}"
            await agent.handle_text(case.text, sender_id=sender)
            tracker = await agent.tracker_store.retrieve(sender)
            assert tracker is not None
            return outcome_of(list(tracker.events))

    return list(await asyncio.gather(*(run(case) for case in cases)))
