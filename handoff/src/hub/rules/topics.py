"""The queue topics (the catalogue's `tema`), in the order the console lists them, with
the Norwegian names visitors and advisors read. The one list: the front-end reads it
from ``GET /api/settings``."""

from __future__ import annotations

TOPIC_NAMES: dict[str, str] = {
    "arbeid": "Arbeid og dagpenger",
    "familie": "Familie og barn",
    "helse": "Helse og sykdom",
    "oppfolging": "Oppfølging og arbeidsrettet hjelp",
    "pensjon": "Pensjon",
    "sosial": "Sosiale tjenester og økonomisk hjelp",
    "generell": "Generelt",
}

TOPICS: tuple[str, ...] = tuple(TOPIC_NAMES)
