"""boost.ai's chat API v2, as Nav's widget ``@navikt/nav-chatbot`` 2.5.13 speaks it: the
commands it sends, checked, and the hub's messages and state in the shapes it reads
(docs/contracts/boost-v2.md). Pure: the HTTP side is hub/api/boost.py.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from hub.errors import HubError
from hub.rules.wire import MessageRow, iso

COMMANDS = ("START", "RESUME", "POLL", "POST", "TYPING", "FEEDBACK", "DOWNLOAD", "STOP")
POST_TYPES = ("text", "action_link", "external_link", "feedback")
THUMBS = ("positive", "remove-positive", "negative", "remove-negative")
# The one error text the widget understands: it starts a new conversation.
SESSION_ENDED = "session ended"
# Hub ids are "c_" + 20 url-safe characters, secrets 43: a key longer than this is none of ours.
MAX_KEY_CHARS = 200
MAX_ID = 2**53 - 1

_CHAT_STATUS = {
    "bot": "virtual_agent",
    "queue": "in_human_chat_queue",
    "advisor": "assigned_to_human",
    # No "ended" status in the protocol: the widget goes back to the bot's look.
    "closed": "virtual_agent",
}
_SOURCE = {"visitor": "client", "bot": "bot", "advisor": "bot", "system": "system"}
_LANGUAGES = ("no", "en")


class BoostError(HubError):
    """An error in boost's shape: ``{"error": "…"}`` and a non-2xx status."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.code = "boost"

    def body(self) -> dict[str, Any]:
        return {"error": self.message}


def invalid(error: str) -> BoostError:
    return BoostError(400, error)


def session_ended(status: int) -> BoostError:
    """A key that opens nothing, or a conversation that is over."""
    return BoostError(status, SESSION_ENDED)


@dataclass(frozen=True)
class Key:
    """The hub's conversation id and secret, carried together as boost's opaque
    ``conversation_id`` (the protocol sends nothing else that could hold a secret)."""

    conversation_id: str
    secret: str

    def wire(self) -> str:
        return f"{self.conversation_id}.{self.secret}"


def parse_key(raw: Any) -> Key:
    if not isinstance(raw, str) or not raw:
        raise invalid("conversation_id is required")
    conversation_id, dot, secret = raw.partition(".")
    if not dot or not conversation_id or not secret or len(raw) > MAX_KEY_CHARS:
        raise session_ended(404)
    return Key(conversation_id, secret)


@dataclass(frozen=True)
class Command:
    name: str
    key: Key | None = None
    # POST's type; POLL's last id; the text, link id, thumbs or rating.
    type: str | None = None
    after: int = 0
    text: str | None = None
    link: tuple[int, int] | None = None
    thumbs: str | None = None
    response_id: str | None = None
    rating: int | None = None


def _string(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string")
    return value


def parse_link_id(raw: str) -> tuple[int, int]:
    """``<message id>:<button index>``, as :func:`links_element` made it."""
    message, colon, index = raw.partition(":")
    if not colon or not message.isdigit() or not index.isdigit() or len(raw) > 30:
        raise BoostError(404, "unknown link")
    return int(message), int(index)


def parse_after(raw: Any) -> int:
    """POLL's ``value``: the id of the last response the widget holds (string or number)."""
    if raw is None:
        return 0
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise invalid("value must be a response id")
    text = str(raw)
    if not text.isdigit() or len(text) > 16 or int(text) > MAX_ID:
        raise invalid("value must be a response id")
    return int(text)


def parse_command(data: dict[str, Any]) -> Command:
    """The request body, checked; every fault is a 400 with boost's error shape."""
    name = data.get("command")
    if not isinstance(name, str) or name not in COMMANDS:
        raise invalid("unknown command")
    language = data.get("language")
    if language is not None and not isinstance(language, str):
        raise invalid("language must be a string")
    filters = data.get("filter_values")
    if filters is not None and not (
        isinstance(filters, list) and all(isinstance(f, str) for f in filters)
    ):
        raise invalid("filter_values must be a list of strings")
    if name == "START":
        return Command(name)
    key = parse_key(data.get("conversation_id"))
    if name == "POLL":
        return Command(name, key, after=parse_after(data.get("value")))
    if name == "FEEDBACK":
        value = data.get("value")
        rating = value.get("rating") if isinstance(value, dict) else None
        if isinstance(rating, bool) or rating not in (0, 1):
            raise invalid("value.rating must be 1 or 0")
        return Command(name, key, rating=rating)
    if name != "POST":
        return Command(name, key)
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in POST_TYPES:
        raise invalid("type must be one of " + ", ".join(POST_TYPES))
    if kind == "text":
        return Command(name, key, type=kind, text=_string(data, "value"))
    if kind == "feedback":
        thumbs = data.get("value")
        if not isinstance(thumbs, str) or thumbs not in THUMBS:
            raise invalid("value must be one of " + ", ".join(THUMBS))
        return Command(name, key, type=kind, thumbs=thumbs, response_id=_string(data, "id"))
    return Command(name, key, type=kind, link=parse_link_id(_string(data, "id")))


def language(raw: Any) -> str:
    return raw if raw in _LANGUAGES else "no"


def thumbs_vote(thumbs: str) -> str | None:
    """The hub's «Var svaret nyttig?» answer; withdrawing a thumb stores nothing (the hub
    keeps the first answer)."""
    return {"positive": "ja", "negative": "nei"}.get(thumbs)


def rating_value(rating: int) -> str:
    """FEEDBACK's 1/0. The widget sends 1 for both «Ja» and «Delvis»."""
    return "ja" if rating == 1 else "nei"


def conversation_json(
    key: Key, owner: str, *, human_is_typing: bool, max_input_chars: int
) -> dict[str, Any]:
    return {
        "id": key.wire(),
        "reference": key.conversation_id,
        "state": {
            "chat_status": _CHAT_STATUS.get(owner, "virtual_agent"),
            # The widget polls only while this is true; a closed conversation has no more.
            "poll": owner != "closed",
            "human_is_typing": human_is_typing and owner == "advisor",
            "max_input_chars": max_input_chars,
        },
    }


_MARKUP = re.compile(
    r"\[([^\]]+)\]\((https?://[^\s)]+)\)|(https?://[^\s<>()]+[^\s<>().,;:!?\"'])|\*\*([^*]+)\*\*"
)


def _anchor(href: str, label: str) -> str:
    return (
        f'<a href="{html.escape(href, quote=True)}" target="_blank" '
        f'rel="noopener noreferrer">{html.escape(label)}</a>'
    )


def text_element(text: str) -> dict[str, Any]:
    """The hub's text: plain when it has no markup, else ``html`` with links that open in a
    new tab (the widget would otherwise take the visitor away from the page) and bold, the
    same markup the hub's own widget renders (web/src/shared/text.ts). Everything else is
    escaped."""
    if not _MARKUP.search(text):
        return {"type": "text", "payload": {"text": text}}
    parts: list[str] = []
    last = 0
    for m in _MARKUP.finditer(text):
        parts.append(html.escape(text[last : m.start()]))
        if m.group(4) is not None:
            parts.append(f"<strong>{html.escape(m.group(4))}</strong>")
        else:
            href = m.group(2) or m.group(3)
            parts.append(_anchor(href, m.group(1) or href))
        last = m.end()
    parts.append(html.escape(text[last:]))
    body = "".join(parts).replace("\n", "<br>")
    return {"type": "html", "payload": {"html": f"<p>{body}</p>"}}


def links_element(message_id: int, buttons: list[dict[str, str]]) -> dict[str, Any]:
    """The bot's buttons: each an ``action_link`` whose id leads back to its payload."""
    return {
        "type": "links",
        "payload": {
            "links": [
                {"id": f"{message_id}:{i}", "text": b["title"], "type": "action_link"}
                for i, b in enumerate(buttons)
            ]
        },
    }


_THUMBS_OF_VOTE = {"ja": "positive", "nei": "negative"}


def response_json(m: MessageRow, lang: str = "no", vote: str | None = None) -> dict[str, Any]:
    """One hub message as one boost response (the hub's ids are one global counter, as
    the widget needs); ``vote`` is the visitor's «Var svaret nyttig?» on it, if any."""
    sender = str(m.sender)
    elements: list[dict[str, Any]] = []
    if m.text:
        if sender in ("bot", "advisor"):
            elements.append(text_element(m.text))
        else:
            # The visitor's own words, and the hub's notices, which may quote them
            # (docs/contracts/hub-api.md): never markup.
            elements.append({"type": "text", "payload": {"text": m.text}})
    if m.buttons and sender != "visitor":
        elements.append(links_element(m.id, list(m.buttons)))
    response: dict[str, Any] = {
        "id": str(m.id),
        "source": _SOURCE.get(sender, "system"),
        "is_human_agent": sender == "advisor",
        "language": lang,
        "date_created": iso(m.created_at),
        "elements": elements,
    }
    if vote in _THUMBS_OF_VOTE:
        response["feedback"] = _THUMBS_OF_VOTE[vote]
    return response


def combined_response(messages: list[MessageRow], lang: str = "no") -> dict[str, Any]:
    """START's single response: the welcome's messages under the last one's id (RESUME and
    POLL later send them one by one; the widget then replaces this one by id)."""
    if not messages:
        return {"id": "0", "source": "system", "language": lang, "elements": []}
    merged = response_json(messages[-1], lang)
    merged["elements"] = [e for m in messages for e in response_json(m, lang)["elements"]]
    return merged


def button_of(messages: list[MessageRow], link: tuple[int, int]) -> dict[str, str]:
    """The button an ``action_link`` id names, among the conversation's messages."""
    message_id, index = link
    for m in messages:
        if m.id == message_id and str(m.sender) != "visitor":
            buttons = list(m.buttons or [])
            if index < len(buttons):
                return buttons[index]
    raise BoostError(404, "unknown link")
