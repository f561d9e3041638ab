"""An angry or let-down visitor: an apology, the way to a person, and a note for editors."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.signals import hub_signal


class ActionFrustrated(Action):
    """Says sorry and offers a person; tells the hub which answer did not help."""

    def name(self) -> str:
        return "action_frustrated"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Utters the apology with the `not_helped` signal and the FAQ answered before."""
        answered = tracker.get_slot("faq_id")
        dispatcher.utter_message(
            response="utter_frustrated",
            json_message=hub_signal("not_helped", [answered] if answered else []),
        )
        return []
