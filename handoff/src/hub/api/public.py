"""What the widget and the console read before anything else: the limits and the topics.

Public (no login, no secret) and, like the visitor API, readable by the sites that embed
the widget (api/cors.py).
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from hub.api.common import hub_of
from hub.rules.topics import TOPIC_NAMES

bp = Blueprint("public")


@bp.get("/settings")
@openapi.summary("The message length limit and the queue topics with their Norwegian names")
async def settings(request: Request) -> HTTPResponse:
    return json(
        {
            "max_message_length": hub_of(request).settings.max_message_chars,
            "topics": [{"id": topic, "name": name} for topic, name in TOPIC_NAMES.items()],
        }
    )
