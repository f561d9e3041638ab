"""Request bodies and query arguments for the OpenAPI description (``/docs``).

The description is what clients and the fuzz tests (tests/test_fuzz.py) read; the
handlers still check every field themselves, so these schemas only describe. Enum
values come from the code that checks them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sanic_ext.extensions.openapi.builders import OperationStore
from sanic_ext.extensions.openapi.definitions import Parameter
from sanic_ext.extensions.openapi.types import Integer, Long, String

from hub.rules.boost import COMMANDS as BOOST_COMMANDS
from hub.rules.boost import POST_TYPES as BOOST_POST_TYPES
from hub.rules.inputs import MAX_ID
from hub.rules.kinds import AdvisorStatus, RatingValue
from hub.rules.queue import OUTCOMES, REASONS
from hub.rules.texts import LANGUAGES
from hub.rules.topics import TOPICS

F = TypeVar("F", bound=Callable[..., Any])

STRING: dict[str, Any] = {"type": "string"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
TOPIC: dict[str, Any] = {"type": "string", "enum": list(TOPICS)}


def body(content: dict[str, Any]) -> Callable[[F], F]:
    """Describe the request body, like ``openapi.body`` but without wrapping the handler
    (sanic-ext's wrapper insists on a real Sanic request)."""

    def describe(handler: F) -> F:
        OperationStore()[handler].body(content)
        return handler

    return describe


def json_body(required: tuple[str, ...] = (), **properties: dict[str, Any]) -> dict[str, Any]:
    """Request body content: a JSON object with these properties."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return {"application/json": {"schema": schema}}


OPEN_CONVERSATION = json_body(page={"type": "string", "maxLength": 300})
VISITOR_MESSAGE = json_body(("text",), text=STRING, payload={"type": "string", "nullable": True})
TYPING = json_body(("typing",), typing=BOOLEAN)
JOIN_QUEUE = json_body(topic=TOPIC)
RATING = json_body(("value",), value={"type": "string", "enum": [v.value for v in RatingValue]})
LOGIN = json_body(("username", "password"), username=STRING, password=STRING)
STATUS = json_body(("status",), status={"type": "string", "enum": [s.value for s in AdvisorStatus]})
ADVISOR_MESSAGE = json_body(("text",), text=STRING)
TRANSFER = json_body(("topic",), topic=TOPIC)
END_CHAT = json_body(("outcome",), outcome={"type": "string", "enum": list(OUTCOMES)})
SAVE_FAQ = json_body(
    ("answer", "examples", "version"),
    answer=STRING,
    examples={"type": "array", "items": STRING},
    version=STRING,
    # The English answer; left out or null leaves it as it is.
    answer_en={"type": "string", "nullable": True},
)
HANDOFF = json_body(
    ("conversation_id", "reason", "topic"),
    conversation_id={"type": "string", "maxLength": 40},
    reason={"type": "string", "enum": list(REASONS)},
    topic=TOPIC,
    faq_id={"type": "string", "nullable": True},
    language={"type": "string", "enum": list(LANGUAGES), "nullable": True},
    transcript={"type": "array", "items": {"type": "object"}},
)
BOOST_COMMAND = json_body(
    ("command",),
    command={"type": "string", "enum": list(BOOST_COMMANDS)},
    conversation_id=STRING,
    language=STRING,
    filter_values={"type": "array", "items": STRING},
    type={"type": "string", "enum": list(BOOST_POST_TYPES)},
    id=STRING,
    value={},
)

# Query arguments, for ``@openapi.parameter``.
AFTER = Parameter("after", Long(minimum=0, maximum=MAX_ID), "query", "The last message id seen")
FAQ_QUERY = Parameter("q", String(maxLength=200), "query", "Words to search for")
DAYS = Parameter("days", Integer(minimum=1, maximum=365), "query", "How many days back (30)")
FORMAT = Parameter("format", String(enum=["json", "csv"]), "query", "json (default) or csv")
