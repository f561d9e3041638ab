"""FAQ facts the actions need, read from the domain Rasa sends with each call.

Each FAQ answer in data/faq/<tema>.yml carries `metadata: {tema, title}`: the
topic decides the advisor queue, the title labels a suggestion button.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk.types import DomainDict

FAQ_RESPONSE_PREFIX = "utter_faq/"
GENERAL_TOPIC = "generell"
# FAQs about acute need: the answer is followed by an urgent handoff.
URGENT_FAQS = frozenset({"nodhjelp"})


@dataclass(frozen=True)
class FaqEntry:
    """One catalogue entry as the bot knows it."""

    id: str
    topic: str
    title: str


def faq_entry(domain: DomainDict, faq_id: str) -> FaqEntry | None:
    """The entry for `faq_id`, or None if the domain has no such answer."""
    responses: dict[str, Any] = domain.get("responses", {})  # type: ignore[assignment]
    variants = responses.get(f"{FAQ_RESPONSE_PREFIX}{faq_id}")
    if not variants:
        return None
    metadata = variants[0].get("metadata") or {}
    return FaqEntry(
        id=faq_id,
        topic=str(metadata.get("tema") or GENERAL_TOPIC),
        title=str(metadata.get("title") or faq_id.replace("_", " ")),
    )


def faq_id_of(response_key: str) -> str:
    """ "faq/dagpenger_soke" or "utter_faq/dagpenger_soke" → "dagpenger_soke"."""
    return response_key.rsplit("/", 1)[-1]
