"""What of a visitor's message goes to Rasa: only offered buttons go as intents.

Rasa reads a message that starts with "/" as an intent, not as words: "/urgent"
is the intent ``urgent`` at confidence 1.0 (and "/urgent@0.9{...}" sets the
confidence and entities too). A visitor could so pick any intent, the urgent
handoff among them (first in the queue, past its limit). So a payload, or a
typed text that starts with "/", goes to Rasa as it is only when it is a button
the hub offered in this conversation (the buttons stored with its bot and system
messages, see ``services.conversations.offered_payloads``) or the widget's own
"Snakk med en veileder" and its language switch (:data:`ALWAYS_OFFERED`). Anything
else goes as plain text (:func:`plain_text`), which Rasa's language model reads like
any other message.
"""

from __future__ import annotations

from collections.abc import Collection

from hub.rules import texts

# The widget's fixed "Snakk med en veileder" sends the bot's own request for a
# person; it is on screen in every conversation, whatever the bot said.
# Its "English" / "Norsk" switch is there in every conversation too.
ALWAYS_OFFERED = frozenset(
    {texts.BOT_REQUEST_HUMAN_PAYLOAD, *texts.CHOOSE_LANGUAGE_PAYLOADS.values()}
)

INTENT_PREFIX = "/"


def looks_like_intent(text: str) -> bool:
    """Rasa would read ``text`` as an intent (it strips the text, then looks at "/")."""
    return text.strip().startswith(INTENT_PREFIX)


def plain_text(text: str) -> str:
    """``text`` as words only: the leading slashes (and the blanks around them) go.

    Rasa strips blanks before it looks for "/", so a prefix of spaces would not
    do; "/urgent" becomes "urgent", which the language model classifies like any
    typed word. A text of slashes alone keeps one "/": Rasa needs a name after
    the slash to read an intent, so "/" alone is words too (and the bot still
    answers the visitor, as for any message).
    """
    rest = text.strip()
    while rest.startswith(INTENT_PREFIX):
        rest = rest.lstrip(INTENT_PREFIX).lstrip()
    return rest or INTENT_PREFIX


def for_bot(text: str, payload: str | None, offered: Collection[str]) -> str:
    """What goes to Rasa for a visitor message with ``text`` (and the ``payload`` of
    the button pressed, if any), given the payloads offered in the conversation."""
    allowed = ALWAYS_OFFERED.union(offered)
    if payload is not None:
        return payload if payload in allowed else plain_text(text)
    if looks_like_intent(text) and text.strip() not in allowed:
        return plain_text(text)
    return text
