"""The hub's tables. Each model lives in its own module."""

from hub.db.models._advisor import Advisor, AdvisorSession
from hub.db.models._answer_feedback import AnswerFeedback
from hub.db.models._bot_signal import BotSignal
from hub.db.models._conversation import Conversation
from hub.db.models._message import Message
from hub.db.models._queue_entry import QueueEntry
from hub.db.models._rating import Rating

__all__ = [
    "Advisor",
    "AdvisorSession",
    "AnswerFeedback",
    "BotSignal",
    "Conversation",
    "Message",
    "QueueEntry",
    "Rating",
]
