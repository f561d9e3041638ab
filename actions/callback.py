"""A wish to be called: Nav's chat cannot call back, so the ways that work now."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog import advisor_button, conversation_language
from actions.handoff import message_topic
from actions.nlu_output import faq_ranking


class ActionCallback(Action):
    """The phone number and writing to Nav, and the button to a person in the chat."""

    def name(self) -> str:
        return "action_callback"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Answers, and keeps the topic the message names for the queue if the visitor says yes."""
        dispatcher.utter_message(
            response="utter_callback", buttons=[advisor_button(conversation_language(tracker))]
        )
        named = message_topic(faq_ranking(tracker), domain)
        return [SlotSet("topic", named[0])] if named else []
