"""The hub's HTTP API for browser tests that need visitors waiting in a queue without a
browser of their own each (the console is what such a test looks at)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from conftest import Site


@dataclass
class Visitor:
    id: str
    secret: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


@dataclass
class Hub:
    """Visitors opened through the API; :meth:`cleanup` takes them out of the queues again
    (the stack is shared by every browser test: leave the queues as they were)."""

    site: Site
    http: httpx.Client
    visitors: list[Visitor] = field(default_factory=list)

    def visitor(self, text: str, topic: str = "generell") -> Visitor:
        """A visitor who wrote ``text`` and asked for a person in ``topic``'s queue."""
        res = self.http.post("/api/conversations", json={})
        res.raise_for_status()
        v = Visitor(res.json()["id"], res.json()["secret"])
        self.visitors.append(v)
        res = self.http.post(f"/api/conversations/{v.id}/queue", json={"topic": topic}, headers=v.auth)
        res.raise_for_status()
        self.http.post(
            f"/api/conversations/{v.id}/messages", json={"text": text}, headers=v.auth
        ).raise_for_status()
        return v

    def urgent_visitor(self, text: str, topic: str) -> Visitor:
        """A visitor the bot hands off as urgent (as its handoff action does)."""
        assert self.site.bot_secret, "an urgent handoff needs the hub's bot secret (E2E_BOT_SECRET)"
        res = self.http.post("/api/conversations", json={})
        res.raise_for_status()
        v = Visitor(res.json()["id"], res.json()["secret"])
        self.visitors.append(v)
        self.http.post(
            f"/api/conversations/{v.id}/messages", json={"text": text}, headers=v.auth
        ).raise_for_status()
        res = self.http.post(
            "/internal/handoff",
            json={"conversation_id": v.id, "reason": "urgent", "topic": topic, "faq_id": None},
            headers={"Authorization": f"Bearer {self.site.bot_secret}"},
        )
        res.raise_for_status()
        assert res.json().get("status") == "queued", res.text
        return v

    def state(self, v: Visitor) -> dict:  # type: ignore[type-arg]
        res = self.http.get(f"/api/conversations/{v.id}", headers=v.auth)
        res.raise_for_status()
        return res.json()  # type: ignore[no-any-return]

    def login(self, user: str) -> str:
        res = self.http.post(
            "/api/advisor/login", json={"username": user, "password": self.site.advisor_password}
        )
        res.raise_for_status()
        self.http.cookies.clear()  # the token is used explicitly; the cookie would mix logins
        return str(res.json()["token"])

    def claim(self, token: str, v: Visitor) -> httpx.Response:
        return self.http.post(
            f"/api/advisor/conversations/{v.id}/claim", headers={"Authorization": f"Bearer {token}"}
        )

    def logout(self, token: str) -> None:
        self.http.post("/api/advisor/logout", headers={"Authorization": f"Bearer {token}"})
        self.http.cookies.clear()

    def cleanup(self) -> None:
        for v in self.visitors:
            # Ending works from any owner (queue, advisor, bot); ended twice is fine.
            self.http.post(f"/api/conversations/{v.id}/end", headers=v.auth)


@contextmanager
def hub_api(site: Site) -> Iterator[Hub]:
    with httpx.Client(base_url=site.base_url, timeout=30) as http:
        hub = Hub(site, http)
        try:
            yield hub
        finally:
            hub.cleanup()
