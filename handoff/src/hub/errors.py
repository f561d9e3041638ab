"""One error hierarchy with stable codes, mapped to HTTP in one place (api/common.py)."""

from __future__ import annotations

import math
from typing import Any


class HubError(Exception):
    """Base: ``code`` is stable, ``message`` is Norwegian, ``extra`` goes in the body."""

    status = 400
    code = "invalid_request"
    message = "Forespørselen er ikke gyldig."

    def __init__(self, message: str | None = None, **extra: Any) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.extra}


class InvalidRequest(HubError):
    pass


class InternalError(HubError):
    """Something failed on our side (logged with its traceback where it happened)."""

    status = 500
    code = "internal_error"
    message = "Noe gikk galt hos oss. Prøv igjen om litt."


class MessageTooLong(HubError):
    code = "message_too_long"

    def __init__(self, limit: int) -> None:
        super().__init__(f"Meldingen er for lang. Den kan ha høyst {limit} tegn.", limit=limit)


class BodyTooLarge(HubError):
    status = 413
    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Forespørselen er for stor. Den kan være høyst {limit} byte.", limit=limit
        )


class RateLimited(HubError):
    status = 429
    code = "rate_limited"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Du har sendt for mange meldinger. Du kan sende høyst {limit} meldinger i minuttet.",
            limit=limit,
        )


class TooManyConversations(HubError):
    """One client address opened more conversations a minute than the limit."""

    status = 429
    code = "rate_limited"

    def __init__(self, limit: int, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            "Det er startet for mange samtaler herfra på kort tid. "
            f"Vent litt, og prøv igjen om {seconds} sekunder.",
            limit=limit,
            retry_after=seconds,
        )


class TooManyLogins(HubError):
    """Too many failed logins; no password is checked until the wait is over."""

    status = 429
    code = "rate_limited"

    def __init__(self, limit: int, retry_after: float) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        when = "1 minutt" if minutes == 1 else f"{minutes} minutter"
        super().__init__(
            f"For mange forsøk med feil brukernavn eller passord. Prøv igjen om {when}.",
            limit=limit,
            retry_after=max(1, math.ceil(retry_after)),
        )


class Unauthorized(HubError):
    status = 401
    code = "unauthorized"
    message = "Du må logge inn eller bruke riktig nøkkel."


class Forbidden(HubError):
    status = 403
    code = "forbidden"
    message = "Du har ikke tilgang til dette."


class NotFound(HubError):
    status = 404
    code = "not_found"
    message = "Fant ikke det du ba om."


class Conflict(HubError):
    status = 409
    code = "conflict"
    message = "Dette kan ikke gjøres nå."


class AlreadyClaimed(Conflict):
    code = "already_claimed"
    message = "En annen veileder har allerede tatt denne samtalen."


class ConversationClosed(Conflict):
    code = "conversation_closed"
    message = "Samtalen er avsluttet."


class TooManyChats(Conflict):
    code = "too_many_chats"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Du har allerede {limit} samtaler, som er det meste du kan ha samtidig.", limit=limit
        )


class QueueRefused(Conflict):
    """The visitor asked for a person and the queue said no (closed, full, nobody in)."""

    def __init__(self, reason: str, message: str, next_open: str | None) -> None:
        super().__init__(message, next_open=next_open)
        self.code = reason


class FaqUnavailable(HubError):
    """The bot's answers could not be read from Rasa, and there is no earlier copy."""

    status = 503
    code = "faq_unavailable"
    message = (
        "Svarbanken er ikke tilgjengelig akkurat nå, fordi chatboten ikke svarer. "
        "Prøv igjen om litt."
    )


class ContentUnavailable(HubError):
    """The bot's content service is not set up or does not answer."""

    status = 503
    code = "content_unavailable"
    message = "Redigering av svarene er ikke tilgjengelig akkurat nå. Prøv igjen om litt."
