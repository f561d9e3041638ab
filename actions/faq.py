"""Answering an FAQ: the answer, and what a later handoff needs to know."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog import FAQ_RESPONSE_PREFIX, URGENT_FAQS, conversation_language, faq_entry
from actions.follow_up import follow_up_faq
from actions.nlu_output import chosen_faq, clicked_faq
from actions.signals import faq_mark


class ActionAnswerFaq(Action):
    """Sends `utter_faq/<id>` for the FAQ the NLU chose or the visitor clicked."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Utters the answer and remembers its topic for a later handoff."""
        faq_id = chosen_faq(tracker)
        if faq_id and not clicked_faq(tracker):
            # The slot still holds the previous answer: this message may follow up on it.
            previous = tracker.get_slot("faq_id")
            faq_id = follow_up_faq(faq_id, previous, tracker.latest_message.get("text") or "")
        entry = faq_entry(domain, faq_id) if faq_id else None
        if entry is None:
            dispatcher.utter_message(response="utter_default")
            return [SlotSet("unsure_count", 0.0)]
        dispatcher.utter_message(
            response=f"{FAQ_RESPONSE_PREFIX}{entry.id}",
            json_message=faq_mark(entry.id, conversation_language(tracker)),
        )
        events: list[dict[str, Any]] = [
            SlotSet("faq_id", entry.id),
            SlotSet("topic", entry.topic),
            SlotSet("unsure_count", 0.0),
            SlotSet("handoff_offered", False),
        ]
        if entry.id in URGENT_FAQS:
            # Acute need today: the answer says what to do, and a person takes over.
            dispatcher.utter_message(response="utter_emergency")
            events.append(FollowupAction("action_handoff"))
        return events
