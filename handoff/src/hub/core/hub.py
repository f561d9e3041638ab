"""The hub: the shared context and the use cases built on it, for the handlers, the CLI
and the tests (``hub.visitors.message(...)``, ``hub.advisors.claim(...)``, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.adapters.faq_source import FaqSource
from hub.adapters.rasa import RasaClient
from hub.adapters.trackers import TrackerEraser
from hub.core.accounts import Accounts
from hub.core.advisors import Advisors
from hub.core.context import Context
from hub.core.health import Health
from hub.core.overview import Supervision
from hub.core.relay import BotRelay
from hub.core.sweeps import Sweeps
from hub.core.visitors import Visitors


@dataclass
class Hub(Context):
    bot: RasaClient
    # Erases Rasa's memory of a conversation the visitor deletes (as retention does).
    eraser: TrackerEraser | None = field(default=None, kw_only=True)
    # The bot's FAQ answers for the advisors' search and the unanswered list.
    faq: FaqSource | None = field(default=None, kw_only=True)
    relay: BotRelay = field(init=False)
    visitors: Visitors = field(init=False)
    advisors: Advisors = field(init=False)
    accounts: Accounts = field(init=False)
    sweeps: Sweeps = field(init=False)
    supervision: Supervision = field(init=False)
    health: Health = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        faq = self.faq if self.faq is not None else FaqSource(self.bot)
        self.faq = faq
        self.relay = BotRelay(self, self.bot)
        self.visitors = Visitors(self, self.relay, self.eraser)
        self.advisors = Advisors(self, self.relay, faq)
        self.accounts = Accounts(self)
        self.sweeps = Sweeps(self, self.relay)
        self.supervision = Supervision(self)
        self.health = Health(self, self.supervision)
