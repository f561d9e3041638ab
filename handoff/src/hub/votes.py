"""Read use case for the boost.ai adapter (api/boost.py): which of the bot's FAQ answers
the visitor already voted on, so a reloaded widget shows its thumbs as they were."""

from __future__ import annotations

from hub.core import Hub
from hub.services import feedback as feedback_svc


async def answer_votes(hub: Hub, conversation_id: str) -> dict[int, str]:
    """The caller has authenticated the conversation (the votes are its visitor's)."""
    async with hub.read() as u:
        votes = await feedback_svc.votes_in(u, conversation_id)
    return {message_id: value.value for message_id, value in votes.items()}
