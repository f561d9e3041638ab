"""FAQ facts the actions need, read from the domain Rasa sends with each call.

Each FAQ answer in data/faq/<tema>.yml carries `metadata: {tema, title}`: the
topic decides the advisor queue, the title labels a suggestion button. The English
variation (`condition` on the `language` slot) carries the English title.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.types import DomainDict

FAQ_RESPONSE_PREFIX = "utter_faq/"
GENERAL_TOPIC = "generell"
# The slot that holds the conversation's language (domain.yml), and its values.
LANGUAGE_SLOT = "language"
NORWEGIAN = "nb"
ENGLISH = "en"
# The button to a person that the actions add, in each language (as utter_talk_to_advisor_button).
ADVISOR_BUTTON_TITLES = {NORWEGIAN: "Snakk med en veileder", ENGLISH: "Talk to an advisor"}
# FAQs about acute need: the answer is followed by an urgent handoff.
URGENT_FAQS = frozenset({"nodhjelp"})


@dataclass(frozen=True)
class FaqEntry:
    """One catalogue entry as the bot knows it."""

    id: str
    topic: str
    title: str


def _language_of(variant: dict[str, Any]) -> str | None:
    """The `language` slot value a variation's condition asks for; None without one."""
    for condition in variant.get("condition") or []:
        if condition.get("name") == LANGUAGE_SLOT:
            return str(condition.get("value"))
    return None


def conversation_language(tracker: Tracker) -> str:
    """The conversation's language: "en" or "nb" (the `language` slot, Norwegian by default)."""
    return ENGLISH if tracker.get_slot(LANGUAGE_SLOT) == ENGLISH else NORWEGIAN


def faq_entry(domain: DomainDict, faq_id: str, language: str = NORWEGIAN) -> FaqEntry | None:
    """The entry for `faq_id`, or None if the domain has no such answer; its title in
    `language` when the answer has a variation in it, else the Norwegian one."""
    responses: dict[str, Any] = domain.get("responses", {})  # type: ignore[assignment]
    variants = responses.get(f"{FAQ_RESPONSE_PREFIX}{faq_id}")
    if not variants:
        return None
    chosen = next((v for v in variants if _language_of(v) == language), None)
    metadata = (chosen or variants[0]).get("metadata") or {}
    return FaqEntry(
        id=faq_id,
        topic=str(metadata.get("tema") or GENERAL_TOPIC),
        title=str(metadata.get("title") or faq_id.replace("_", " ")),
    )


def advisor_button(language: str = NORWEGIAN) -> dict[str, str]:
    """The button that asks for a person, titled in `language`."""
    title = ADVISOR_BUTTON_TITLES.get(language, ADVISOR_BUTTON_TITLES[NORWEGIAN])
    return {"title": title, "payload": "/request_human"}


def faq_id_of(response_key: str) -> str:
    """ "faq/dagpenger_soke" or "utter_faq/dagpenger_soke" → "dagpenger_soke"."""
    return response_key.rsplit("/", 1)[-1]
