"""What a release tells editors, in Norwegian: the steps while it runs and how it ended.

The editors' page shows these texts as they are (the browser tests check them), and
`make publish` prints them.
"""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    """A step of a release under way."""

    checking = "Sjekker innholdet …"
    checked = "Innholdet er i orden."
    training = "Trener boten med det nye innholdet (1–3 minutter) …"
    measuring = "Tester den nye modellen på testspørsmål (1–2 minutter) …"
    loading = "Boten laster det nye innholdet …"
    loading_published = "Boten laster det publiserte innholdet …"
    restoring = "Tar i bruk den valgte publiseringen igjen …"


PUBLISHED = "Publisert: boten svarer nå med det nye innholdet."
PUBLISHED_TEXTS = "Publisert: boten svarer nå med de nye tekstene."
# Which path a publish took (the editors' page says the same, publish-view.ts).
ROUTE_TEXTS = {
    "texts": "Bare svartekster var endret. De nye tekstene ble tatt i bruk med en gang, uten at boten ble trent på nytt.",
    "model": "Eksempler eller oppsett var endret, så boten ble trent på nytt og testet.",
}
UNCHANGED = "Ingen endringer: boten kjører allerede med dette innholdet."
UNCHANGED_NOT_RUNNING = (
    "Ingen endringer siden forrige publisering, men boten svarer ikke nå. "
    "Den bruker dette innholdet når den starter."
)
REFUSED = (
    "Den nye modellen svarer dårligere enn boten gjør nå, så ingenting er publisert. Boten svarer som før."
)
REFUSED_ADVICE = (
    "Se på eksemplene som er endret for svarene over: et eksempel som ligner spørsmål "
    "til et annet svar, kan trekke spørsmål dit. I endringsloggen kan du hente tilbake "
    "teksten fra før. Lagre, og publiser igjen."
)
NOT_RUNNING = "Modellen er trent, men boten svarer ikke nå. Den tas i bruk neste gang boten starter."
LOAD_REFUSED = "Boten kunne ikke ta i bruk den nye modellen, så ingenting er publisert. Boten svarer som før."
LOAD_TIMED_OUT = (
    "Boten ble ikke ferdig med å ta i bruk det nye innholdet i tide, så det er ikke registrert som "
    "publisert. Sjekk om boten svarer, og publiser igjen."
)
NOT_SAVED = (
    "Boten bruker det nye innholdet, men modellfilen kunne ikke lagres, så neste oppstart bruker den forrige."
)
HISTORY_NOT_SAVED = "Publiseringen kunne ikke skrives i historikken, så den kan ikke tas i bruk igjen senere."
RESTORED = "Tatt i bruk igjen: boten svarer nå som etter den valgte publiseringen."
RESTORE_NOT_RUNNING = (
    "Den valgte publiseringen er satt tilbake, men boten svarer ikke nå. Den brukes når boten starter."
)
RESTORE_GONE = "Denne publiseringen kan ikke tas i bruk igjen: modellfilen er slettet."
UNMEASURED_RUNNING = "Modellen boten bruker nå, kunne ikke måles. Bare målene avgjør."


def not_measured(dev: object) -> str:
    """Details when the held-out dev set is not there to measure with."""
    return f"Ikke målt: testsettet finnes ikke her ({dev})."


# With several Rasa instances, what a release did on each (bot/release/rasa_api.py, Outcome).
INSTANCE_OUTCOMES = {
    "loaded": "bruker det nye innholdet.",
    "not_running": "svarer ikke nå; tar i bruk det publiserte innholdet når den starter.",
    "refused": "kunne ikke ta i bruk den nye modellen.",
    "timed_out": "ble ikke ferdig med å laste den nye modellen i tide.",
    "rolled_back": "er satt tilbake til modellen fra før, så alle svarer likt.",
    "not_reached": "ble ikke forsøkt (en tidligere bot feilet).",
}


def instance_line(url: str, outcome: str) -> str:
    """One line of a release's details: one Rasa instance and what happened to it."""
    return f"Bot {url}: {INSTANCE_OUTCOMES[outcome]}"
