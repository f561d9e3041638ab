"""Everything the hub itself says to visitors and advisors (Norwegian Bokmål)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

ALTERNATIVES = "Du kan også ringe oss på telefon 55 55 33 33, eller skrive til oss på nav.no."

REQUEST_ADVISOR_PAYLOAD = "/hub_request_advisor"
REQUEST_ADVISOR_BUTTON = {"title": "Snakk med en veileder", "payload": REQUEST_ADVISOR_PAYLOAD}
# The bot's own request for a person (its buttons and the widget's "Snakk med en veileder").
BOT_REQUEST_HUMAN_PAYLOAD = "/request_human"

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


def refused(reason: str, next_open: datetime | None, tz: ZoneInfo) -> str:
    if reason == "closed":
        opens = f" Vi åpner igjen {when(next_open, tz)}." if next_open else ""
        return f"Chatten med veileder er stengt nå.{opens} {ALTERNATIVES}"
    if reason == "queue_full":
        return f"Det er mange som venter på en veileder nå, og køen er full. {ALTERNATIVES}"
    if reason == "no_advisors":
        return f"Ingen veiledere er pålogget akkurat nå. {ALTERNATIVES}"
    return f"Vi kan ikke sette deg i kø akkurat nå. {ALTERNATIVES}"


def queued(position: int, minutes: int | None) -> str:
    """``minutes`` is None when no advisor is available right now."""
    ahead = "Du er nestemann i køen." if position == 1 else f"Du er nummer {position} i køen."
    if minutes is None:
        wait = (
            "Ingen veileder er ledig akkurat nå, så vi vet ikke hvor lenge du må vente. "
            "Du beholder plassen din i køen."
        )
    else:
        wait = f"Ventetid er omtrent {minutes} minutter."
    return f"Du er satt i kø for å snakke med en veileder. {ahead} {wait}"


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
