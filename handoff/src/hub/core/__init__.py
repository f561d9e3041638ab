"""The use cases: each one a few short units of work plus, where the bot is involved,
a call to Rasa outside any transaction. Handlers (HTTP and WebSocket) call them and stay
thin; tests call them directly, with a fixed clock and a real database.

- context.py: what they share (settings, clock, units, events, limits, background tasks)
- visitors.py, advisors.py, accounts.py: the visitor's, the advisor's, logins
- relay.py: the bot relay (Rasa in and out, its locks and in-flight state)
- queueing.py: joining the queue and going back to it (shared by the above)
- sweeps.py: housekeeping on a timer; health.py: readiness and gauges
- hub.py: :class:`Hub`, the context with every use case built on it
"""

from hub.core.accounts import check_role
from hub.core.advisors import AdvisorChat, Suggestions, UnansweredReport
from hub.core.context import Context, build_policy
from hub.core.hub import Hub
from hub.core.visitors import ConversationView

# What the use cases return (stored rows), for the handlers' type hints and views.
from hub.db.models import Advisor, Conversation, Message, QueueEntry

__all__ = [
    "Advisor",
    "AdvisorChat",
    "Context",
    "Conversation",
    "ConversationView",
    "Hub",
    "Message",
    "QueueEntry",
    "Suggestions",
    "UnansweredReport",
    "build_policy",
    "check_role",
]
