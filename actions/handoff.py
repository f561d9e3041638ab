"""Handing the conversation to a person through the hub's queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog import GENERAL_TOPIC, URGENT_FAQS, conversation_language, faq_entry
from actions.hub_client import (
    HandoffOutcome,
    HandoffReason,
    HandoffRequest,
    HubSettings,
    Refusal,
    request_handoff,
)
from actions.nlu_output import faq_ranking, latest_intent
from actions.opening_hours import next_open_sentence
from actions.transcript import transcript

REFUSAL_RESPONSES = {
    Refusal.CLOSED: "utter_handoff_closed",
    Refusal.QUEUE_FULL: "utter_handoff_queue_full",
    Refusal.NO_ADVISORS: "utter_handoff_no_advisors",
    Refusal.UNAVAILABLE: "utter_handoff_unavailable",
}


def wait_phrase(minutes: int, language: str = "nb") -> str:
    """The estimated wait as the queue text says it: "1 minutt", "3 minutter"
    ("1 minute", "3 minutes" in English); never under one minute."""
    minutes = max(1, minutes)
    if language == "en":
        return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
    return f"{minutes} minutt" if minutes == 1 else f"{minutes} minutter"


def handoff_reason(intent: str | None, faq_id: str | None, handoff_offered: bool) -> HandoffReason:
    """Urgent need first; an accepted offer after unsure turns; else the visitor asked."""
    if intent == "urgent" or (intent == "faq" and faq_id in URGENT_FAQS):
        return HandoffReason.URGENT
    if handoff_offered and intent == "affirm":
        return HandoffReason.UNSURE
    return HandoffReason.ASKED_FOR_PERSON


# When a message counts as naming a topic: one topic holds this much of the FAQ
# ranking's mass and TOPIC_LEAD times the next topic's. A message that also asks for
# a person has a flat ranking ("barnetrygden står stille, jeg vil snakke med noen":
# family 0.34, the rest far behind); a plain "jeg vil snakke med noen" has no leader.
TOPIC_SHARE = 0.2
TOPIC_LEAD = 2.0


def message_topic(ranking: list[tuple[str, float]], domain: DomainDict) -> tuple[str, str] | None:
    """The topic (and its best FAQ) the message itself names, if one clearly leads."""
    totals: dict[str, float] = {}
    best: dict[str, str] = {}
    for faq_id, confidence in ranking:
        entry = faq_entry(domain, faq_id)
        if entry is None:
            continue
        totals[entry.topic] = totals.get(entry.topic, 0.0) + confidence
        best.setdefault(entry.topic, entry.id)
    if not totals:
        return None
    first, *rest = sorted(totals, key=lambda t: -totals[t])
    runner_up = totals[rest[0]] if rest else 0.0
    named = totals[first] >= TOPIC_SHARE and totals[first] >= TOPIC_LEAD * runner_up
    return (first, best[first]) if named else None


def handoff_topic(tracker: Tracker, domain: DomainDict) -> tuple[str, str | None]:
    """The queue: the topic this message names, else the last FAQ's, else the topic kept."""
    named = message_topic(faq_ranking(tracker), domain)
    if named:
        return named
    faq_id = tracker.get_slot("faq_id")
    entry = faq_entry(domain, faq_id) if faq_id else None
    if entry:
        return entry.topic, entry.id
    topic = tracker.get_slot("topic")
    return (str(topic), None) if topic else (GENERAL_TOPIC, None)


class ActionHandoff(Action):
    """Asks the hub for a person; pauses the bot only if the visitor is queued."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Queues the visitor or explains the alternatives."""
        topic, faq_id = handoff_topic(tracker, domain)
        reason = handoff_reason(latest_intent(tracker), faq_id, bool(tracker.get_slot("handoff_offered")))
        request = HandoffRequest(
            conversation_id=tracker.sender_id,
            reason=reason,
            topic=topic,
            faq_id=faq_id,
            transcript=transcript(tracker),
            language=conversation_language(tracker),
        )
        outcome = await request_handoff(HubSettings.from_env(), request)
        self._tell_visitor(dispatcher, reason, outcome, conversation_language(tracker))
        events: list[dict[str, Any]] = [
            SlotSet("unsure_count", 0.0),
            SlotSet("handoff_offered", False),
        ]
        if outcome.queued:
            # What the advisor discusses is not known here: after a hand-back, a
            # follow-up question must not be read as being about the last FAQ.
            events += [SlotSet("faq_id", None), SlotSet("topic", None)]
            # Paused *while listening*: when the hub resumes the conversation and
            # sends "/start", the rules see a fresh turn, not one after the handoff.
            events += [ConversationPaused(), ActionExecuted("action_listen")]
        else:
            # The turn ends here. A handoff that followed an answer (the acute-need FAQ
            # runs this action as its follow-up) matches no rule, so without this
            # Rasa's core fallback would add "did not understand" after the alternatives.
            events.append(FollowupAction("action_listen"))
        return events

    @staticmethod
    def _tell_visitor(
        dispatcher: CollectingDispatcher, reason: HandoffReason, outcome: HandoffOutcome, language: str
    ) -> None:
        wait = outcome.estimated_wait_minutes
        if outcome.queued and reason is HandoffReason.URGENT and outcome.position == 1:
            dispatcher.utter_message(response="utter_handoff_urgent_queued")
        elif outcome.queued:
            if wait is None:  # nobody is free to take chats now: an estimate would be a guess
                dispatcher.utter_message(
                    response="utter_handoff_queued_no_estimate", position=outcome.position
                )
            else:
                dispatcher.utter_message(
                    response="utter_handoff_queued",
                    position=outcome.position,
                    wait=wait_phrase(wait, language),
                )
        elif reason is HandoffReason.URGENT:
            # Chat is closed most of the week; in acute need the visitor must get
            # the numbers that answer now, not a phone line that may be closed too.
            dispatcher.utter_message(response="utter_handoff_urgent_unavailable")
        else:
            refusal = outcome.refusal or Refusal.UNAVAILABLE
            dispatcher.utter_message(
                response=REFUSAL_RESPONSES[refusal],
                next_open=next_open_sentence(outcome.next_open, datetime.now(UTC), language),
            )
