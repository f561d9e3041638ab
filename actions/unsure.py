"""What the bot does when it is unsure: suggest, then offer a person."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog import URGENT_FAQS, advisor_button, conversation_language, faq_entry
from actions.follow_up import follow_up_ranking
from actions.nlu_output import faq_ranking
from actions.signals import hub_signal
from actions.turns import previous_action

MAX_SUGGESTIONS = 3
# Suggestions far below the best one are noise, not help.
MIN_SUGGESTION_SHARE = 0.2


def suggestion_ids(ranking: list[tuple[str, float]], exclude: frozenset[str] = frozenset()) -> list[str]:
    """The 2–3 FAQ ids worth offering: the best, and those not far behind it."""
    ranking = [(fid, conf) for fid, conf in ranking if fid not in exclude]
    if not ranking:
        return []
    best = ranking[0][1]
    picked = [fid for fid, conf in ranking[:MAX_SUGGESTIONS] if conf >= best * MIN_SUGGESTION_SHARE]
    # Two choices at least, so the visitor really chooses.
    return picked if len(picked) >= 2 else [fid for fid, _ in ranking[:2]]


def choice_payload(faq_id: str) -> str:
    """The button payload that answers `faq_id` without running the NLU."""
    return "/faq" + json.dumps({"faq_id": faq_id})


class ActionUnsure(Action):
    """First unsure turn: 2–3 likely FAQs plus a person. Second in a row: offer a person."""

    def name(self) -> str:
        return "action_unsure"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Suggests or offers the handoff, and counts unsure turns."""
        urgent = bool(tracker.latest_message.get("urgent_possible"))
        if urgent:
            # The NLU gives acute need a fair chance: the numbers come first, whatever follows.
            dispatcher.utter_message(response="utter_emergency")
        # Counted only while the bot's last reply was itself unsure: "in a row".
        before = int(tracker.get_slot("unsure_count") or 0)
        count = before + 1 if previous_action(tracker) == self.name() else 1
        if count >= 2:
            dispatcher.utter_message(
                response="utter_unsure_offer_handoff", json_message=hub_signal("unsure_again", [])
            )
            return [SlotSet("unsure_count", float(count)), SlotSet("handoff_offered", True)]
        language = conversation_language(tracker)
        buttons = []
        offered = []
        ranking = follow_up_ranking(
            faq_ranking(tracker), tracker.get_slot("faq_id"), tracker.latest_message.get("text") or ""
        )
        # The acute-need answer is suggested only when acute need is itself likely:
        # offered beside a question about a car it reads as a misunderstanding.
        for faq_id in suggestion_ids(ranking, frozenset() if urgent else URGENT_FAQS):
            entry = faq_entry(domain, faq_id, language)
            if entry is not None:
                buttons.append({"title": entry.title, "payload": choice_payload(entry.id)})
                offered.append(entry.id)
        buttons.append(advisor_button(language))
        dispatcher.utter_message(
            response="utter_unsure_suggestions",
            buttons=buttons,
            json_message=hub_signal("unsure", offered),
        )
        return [SlotSet("unsure_count", float(count))]


class ActionUnsureReset(Action):
    """The visitor declined the handoff offer: start counting unsure turns anew."""

    def name(self) -> str:
        return "action_unsure_reset"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """Resets the unsure counter and the offer."""
        return [SlotSet("unsure_count", 0.0), SlotSet("handoff_offered", False)]
