"""Everything the hub itself says to visitors and advisors (Norwegian Bokmål), and what
it says to visitors in English when their conversation is in English (``in_language``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

ALTERNATIVES = "Du kan også ringe oss på telefon 55 55 33 33, eller skrive til oss på nav.no."

REQUEST_ADVISOR_PAYLOAD = "/hub_request_advisor"
REQUEST_ADVISOR_BUTTON = {"title": "Snakk med en veileder", "payload": REQUEST_ADVISOR_PAYLOAD}
# The bot's own request for a person (its buttons and the widget's "Snakk med en veileder").
BOT_REQUEST_HUMAN_PAYLOAD = "/request_human"
# The widget's "English" / "Norsk" switch: the bot's choose_language intent with the language.
CHOOSE_LANGUAGE_PAYLOADS = {
    "nb": '/choose_language{"language": "nb"}',
    "en": '/choose_language{"language": "en"}',
}

BOT_UNAVAILABLE = (
    "Chatboten svarer ikke akkurat nå. Prøv igjen om litt, eller velg å snakke med en veileder."
)


def bot_reply_lost(message: str) -> str:
    """The hub lost the bot's answer to ``message`` (it stopped before the reply came)."""
    quoted = message if len(message) <= 60 else message[:57].rstrip() + "…"
    return (
        f"Beklager, svaret fra chatboten på meldingen din («{quoted}») ble borte "
        "på grunn av en feil hos oss. Send meldingen på nytt, så prøver vi igjen."
    )


BOT_BACK_FALLBACK = "Du snakker nå med chatboten igjen. Hva kan jeg hjelpe deg med?"

_WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


def when(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{_WEEKDAYS[local.weekday()]} {local.day}.{local.month}. klokka {local:%H:%M}"


def refused(
    reason: str, next_open: datetime | None, tz: ZoneInfo, language: str | None = None
) -> str:
    if language == ENGLISH:
        return _refused_en(reason, next_open, tz)
    if reason == "closed":
        opens = f" Vi åpner igjen {when(next_open, tz)}." if next_open else ""
        return f"Chatten med veileder er stengt nå.{opens} {ALTERNATIVES}"
    if reason == "queue_full":
        return f"Det er mange som venter på en veileder nå, og køen er full. {ALTERNATIVES}"
    if reason == "no_advisors":
        return f"Ingen veiledere er pålogget akkurat nå. {ALTERNATIVES}"
    return f"Vi kan ikke sette deg i kø akkurat nå. {ALTERNATIVES}"


def queued(position: int, minutes: int | None, language: str | None = None) -> str:
    """``minutes`` is None when no advisor is available right now."""
    if language == ENGLISH:
        return _queued_en(position, minutes)
    ahead = "Du er nestemann i køen." if position == 1 else f"Du er nummer {position} i køen."
    if minutes is None:
        wait = (
            "Ingen veileder er ledig akkurat nå, så vi vet ikke hvor lenge du må vente. "
            "Du beholder plassen din i køen."
        )
    else:
        wait = f"Ventetid er omtrent {minutes} {'minutt' if minutes == 1 else 'minutter'}."
    return f"Du er satt i kø for å snakke med en veileder. {ahead} {wait}"


# A visitor writes while waiting in the queue: said once for a run of messages.
WRITTEN_WHILE_QUEUED = (
    "Vi har fått meldingen din. Veilederen ser den når samtalen starter. "
    "Du beholder plassen din i køen."
)
LEFT_QUEUE = "Du har forlatt køen. Chatboten hjelper deg videre."
QUEUE_TIMEOUT = "Du ble tatt ut av køen fordi vi ikke har hørt fra deg på en stund."
ADVISOR_JOINED = "{name} er veileder og har tatt over samtalen."
TRANSFERRED = (
    "Samtalen er sendt videre til en veileder som jobber med {topic}. "
    "Du beholder plassen din i køen."
)
# The advisor logged out, or their login expired, during the chat.
ADVISOR_LEFT = (
    "Veilederen din måtte gå. Du er satt tilbake i køen, og neste ledige veileder tar over."
)
HANDED_BACK = "Veilederen har sendt deg tilbake til chatboten."
ADVISOR_ENDED = "Veilederen har avsluttet samtalen. Fikk du svar på det du lurte på?"
VISITOR_ENDED = "Samtalen er avsluttet."
VISITOR_LEFT_FOR_ADVISOR = "Den besøkende har avsluttet samtalen."
RATING_QUESTION = "Fikk du svar på det du lurte på?"

# A console login with the editor role asked for an advisor's page or action.
EDITOR_ONLY = (
    "Denne brukeren kan bare se spørsmål chatboten ikke kunne svare på og redigere svarene."
)
# A supervisor's login asked for an advisor's page or action.
LEDER_NOT_ADVISOR = (
    "Denne brukeren er leder og kan se oversikten, men ikke ta chatter. "
    "Bruk en veilederbruker for å chatte."
)
# An advisor's or editor's login asked for the supervisors' overview.
LEDERS_ONLY = "Bare ledere kan se oversikten over køene og veilederne."
# An advisor's login asked for the editors' content pages.
CONTENT_EDITORS_ONLY = "Bare redaktører kan endre svarene til chatboten."
# A change sent from another website's page with the advisor's login (api/browser.py).
FOREIGN_ORIGIN = (
    "Forespørselen kom fra en annen nettside enn chatten og ble stoppet. "
    "Åpne siden for veiledere på nytt og prøv igjen."
)


# ---- English, for conversations whose language is English ---------------------------
# The conversation's language: "nb" (or none: Norwegian) or "en" (the bot tells the hub
# at handoff, the widget's switch sets it; docs/english.md).
NORWEGIAN = "nb"
ENGLISH = "en"
LANGUAGES = (NORWEGIAN, ENGLISH)

ALTERNATIVES_EN = "You can also call us on 55 55 33 33, or write to us on nav.no."
# The visitor-facing notices above, in English.
_ENGLISH = {
    BOT_UNAVAILABLE: "The chatbot is not answering right now. Try again in a little while, "
    "or choose to talk to an advisor.",
    BOT_BACK_FALLBACK: "You are talking to the chatbot again. What can I help you with?",
    LEFT_QUEUE: "You have left the queue. The chatbot will help you further.",
    QUEUE_TIMEOUT: "You were taken out of the queue because we have not heard from you "
    "for a while.",
    ADVISOR_JOINED: "{name} is an advisor and has taken over the conversation.",
    TRANSFERRED: "The conversation has been passed on to an advisor who works with {topic}. "
    "You keep your place in the queue.",
    ADVISOR_LEFT: "Your advisor had to leave. You are back in the queue, and the next free "
    "advisor will take over.",
    HANDED_BACK: "The advisor has sent you back to the chatbot.",
    ADVISOR_ENDED: "The advisor has ended the conversation. "
    "Did you get an answer to your question?",
    VISITOR_ENDED: "The conversation has ended.",
    RATING_QUESTION: "Did you get an answer to your question?",
}
REQUEST_ADVISOR_BUTTON_EN = {"title": "Talk to an advisor", "payload": REQUEST_ADVISOR_PAYLOAD}


def in_language(text: str, language: str | None) -> str:
    """A notice of this module in the conversation's language (Norwegian unless English)."""
    return _ENGLISH.get(text, text) if language == ENGLISH else text


def request_advisor_button(language: str | None) -> dict[str, str]:
    return REQUEST_ADVISOR_BUTTON_EN if language == ENGLISH else REQUEST_ADVISOR_BUTTON


def bot_reply_lost_in(message: str, language: str | None) -> str:
    if language != ENGLISH:
        return bot_reply_lost(message)
    quoted = message if len(message) <= 60 else message[:57].rstrip() + "…"
    return (
        f"Sorry, the chatbot's answer to your message («{quoted}») was lost "
        "because of an error on our side. Send the message again, and we will try again."
    )


_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _when_en(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{_WEEKDAYS_EN[local.weekday()]} {local.day}.{local.month}. at {local:%H:%M}"


def _refused_en(reason: str, next_open: datetime | None, tz: ZoneInfo) -> str:
    if reason == "closed":
        opens = f" We open again {_when_en(next_open, tz)}." if next_open else ""
        return f"The chat with an advisor is closed now.{opens} {ALTERNATIVES_EN}"
    if reason == "queue_full":
        return (
            f"Many people are waiting for an advisor now, and the queue is full. {ALTERNATIVES_EN}"
        )
    if reason == "no_advisors":
        return f"No advisors are logged in right now. {ALTERNATIVES_EN}"
    return f"We cannot put you in the queue right now. {ALTERNATIVES_EN}"


def _queued_en(position: int, minutes: int | None) -> str:
    ahead = (
        "You are next in the queue."
        if position == 1
        else f"You are number {position} in the queue."
    )
    if minutes is None:
        wait = (
            "No advisor is free right now, so we do not know how long you will have to wait. "
            "You keep your place in the queue."
        )
    else:
        wait = f"The waiting time is about {minutes} minutes."
    return f"You are in the queue to talk to an advisor. {ahead} {wait}"


def chosen_language(payload: str | None) -> str | None:
    """The language the widget's switch chose with ``payload``, if it is the switch."""
    return next((lang for lang, p in CHOOSE_LANGUAGE_PAYLOADS.items() if p == payload), None)
