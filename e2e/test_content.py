"""Content editors change the bot's answers in the browser and publish them to the running bot."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from conftest import Site, shot
from helpers import conversation_id, expect_bot_says, login_editor, messages, open_and_start, send
from playwright.sync_api import Page, expect
from test_accessibility import assert_no_serious

# Publishing a change to examples trains a model (quick test epochs), measures it and the
# running one on the dev set, and loads it into the running Rasa: about 4 minutes on an
# idle 2-core machine, twice that on a busy one (CI took 7).
PUBLISH_TIMEOUT_MS = 900_000
# A change to an answer's text only: live on the visitor's next answer within 10 s.
TEXT_LIVE_MS = 10_000


def _wait_for_publish_to_end(site: Site, timeout: float = PUBLISH_TIMEOUT_MS / 1000) -> None:
    """A test that failed halfway may leave a publish running: the next test waits for it."""
    with httpx.Client(base_url=site.base_url, timeout=10) as client:
        login = {"username": site.editor_user, "password": site.advisor_password}
        client.post("/api/advisor/login", json=login).raise_for_status()
        deadline = time.monotonic() + timeout
        while client.get("/api/content/publish").json().get("state") == "running":
            assert time.monotonic() < deadline, "a publish is still running"
            time.sleep(2)


@pytest.fixture
def content_site(site: Site) -> Iterator[Site]:
    if site.content_root is None:
        pytest.skip("changes content: only against the stack these tests start")
    # Each test starts from the content as it was: a test that fails halfway leaves no
    # saved change behind for the next one.
    data = site.content_root / "data"
    saved = {path: path.read_bytes() for path in data.rglob("*") if path.is_file()}
    yield site
    _wait_for_publish_to_end(site)
    for path in data.rglob("*"):
        if path.is_file() and path not in saved:
            path.unlink()
    for path, content in saved.items():
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)


def test_an_editor_takes_an_unanswered_question_to_an_answer(
    advisor: Page, visitor: Page, content_site: Site
) -> None:
    question = "jeg har et spørsmål om en ytelse"  # vague: the bot is unsure (as in test_editor.py)
    open_and_start(visitor)
    send(visitor, question)
    expect(messages(visitor, "bot").last).to_contain_text("Mente du", timeout=60_000)

    login_editor(advisor, content_site.editor_user, content_site.advisor_password, content_site.base_url)
    row = advisor.get_by_test_id("question").filter(has_text=question).first
    link = row.get_by_role("link", name=re.compile(r"^Legg til som eksempel"))
    link.click()
    expect(advisor).to_have_url(re.compile(r"/veileder/innhold\?eksempel="))
    assert unquote(advisor.url.split("eksempel=", 1)[1]) == question
    expect(advisor.get_by_test_id("pending-example")).to_contain_text(question)

    advisor.get_by_label("Søk i svarene").fill("dagpenger")
    advisor.get_by_test_id("faq-link").filter(has_text="Hvordan søker jeg om dagpenger?").click()
    expect(advisor.get_by_role("heading", name="Hvordan søker jeg om dagpenger?")).to_be_visible()
    examples = advisor.get_by_label("Slik spør besøkende (ett eksempel per linje)")
    expect(examples).to_be_focused()
    assert examples.input_value().strip().splitlines()[-1] == question
    expect(advisor.get_by_test_id("saved")).to_contain_text("Trykk Lagre for å beholde det")
    assert_no_serious(advisor, "the editors' content page")
    shot(advisor, "editor-content-desktop")
    # Not saved: the copy of the content keeps its examples.
    assert question not in (content_site.content_root / "data" / "faq" / "arbeid.yml").read_text("utf-8")  # type: ignore[operator]


def test_an_editor_undoes_a_saved_change_from_the_change_log(advisor: Page, content_site: Site) -> None:
    topic_file = content_site.content_root / "data" / "faq" / "familie.yml"  # type: ignore[operator]
    before = topic_file.read_text("utf-8")
    login_editor(advisor, content_site.editor_user, content_site.advisor_password, content_site.base_url)
    advisor.goto("/veileder/innhold#pleiepenger")
    answer = advisor.get_by_label("Svaret boten gir")
    original = answer.input_value()
    assert original.startswith("Pleiepenger kan du få")
    answer.fill(original.replace("Pleiepenger kan du få", "Du kan få pleiepenger", 1))
    advisor.get_by_role("button", name="Lagre").click()
    expect(advisor.get_by_test_id("saved")).to_contain_text("Lagret.")
    assert topic_file.read_text("utf-8") != before

    log = advisor.get_by_test_id("changes")
    log.get_by_text("Endringer (1)").click()
    change = log.get_by_test_id("change").first
    expect(change).to_contain_text(f"{content_site.editor_user} endret svaret.")
    change.get_by_role("button", name="Hent tilbake teksten fra før").click()
    expect(answer).to_have_value(original)
    expect(answer).to_be_focused()
    expect(advisor.get_by_test_id("saved")).to_contain_text("Trykk Lagre for å beholde den.")
    assert_no_serious(advisor, "the content page's change log")
    shot(advisor, "editor-content-changes")
    advisor.get_by_role("button", name="Lagre").click()
    expect(advisor.get_by_test_id("saved")).to_contain_text("Lagret.")
    # The file from before, byte for byte: the published content, so nothing waits to be published.
    assert topic_file.read_text("utf-8") == before
    expect(advisor.get_by_test_id("entry-state")).to_have_text("Publisert")
    expect(advisor.get_by_test_id("changes").get_by_text("Endringer (2)")).to_be_visible()


# An editor's mistake: a list of search phrases for every benefit, questions about
# unemployment benefit, greetings, small talk and questions for other agencies, all saved
# as examples of the "write to us" answer. Smaller mistakes no longer make the model miss a
# target: wishes for a person are heard by rules (bot/nlu/person_request.py) whatever the
# model says, and the same list without the questions for other agencies cost the model
# six test questions but kept every target. Written for this test; none is from the
# evaluation sets (the save check says so).
BENEFITS = [
    "dagpenger", "sykepenger", "barnetrygd", "foreldrepenger", "pensjon", "uføretrygd", "aap",
    "kontantstøtte", "engangsstønad", "overgangsstønad", "sosialhjelp", "meldekort", "pleiepenger",
    "omsorgspenger",
]  # fmt: skip
SEARCH_PHRASES = [
    "søknad om {} nav", "vilkår for å få {}", "utbetaling av {} i år", "hvor mye blir {}",
    "frist for {}", "spørsmål om {} til nav",
]  # fmt: skip
QUESTIONS_AND_SMALL_TALK = [
    "hvordan søker man dagpenger etter oppsigelse", "jeg har mistet jobben og vil søke dagpenger",
    "hvor sender jeg inn søknaden om dagpenger", "hvilke vedlegg trenger dagpengesøknaden",
    "har jeg rett på dagpenger når jeg er helt ledig",
    "hvor stor andel av inntekten blir dagpengene", "hvor mye utgjør dagpengene per dag",
    "når blir dagpengene betalt ut", "hvilken dato kommer dagpengeutbetalingen",
    "må jeg sende meldekort for å få dagpenger", "hva er inntektskravet for dagpenger",
    "kan jeg få dagpenger hvis jeg sa opp selv", "hvordan regner nav ut dagpengene mine",
    "dagpenger mens jeg venter på ny jobb", "søke arbeidsledighetstrygd",
    "penger fra nav når jeg blir arbeidsledig", "jeg er blitt permittert, får jeg dagpenger",
    "hvor lenge kan man få dagpenger", "får jeg dagpenger om jeg jobber litt deltid",
    "hva skjer med dagpengene hvis jeg blir syk", "hvor lang er behandlingstiden på dagpenger",
    "dagpengesøknad på nett", "utbetaling av dagpenger denne måneden", "beregning av dagpenger",
    "rett til dagpenger som student", "hei hei nav", "hallo der", "god dag til dere",
    "heisann alle sammen", "morn da folkens", "god kveld nav", "takk for svaret ditt",
    "mange takk for hjelpa", "takk skal du ha for hjelpen", "det var til god hjelp takk",
    "ha det fint i helga", "vi snakkes en annen gang", "snakkes i morra", "farvel og takk",
    "er du et menneske eller en maskin", "snakker jeg med en datamaskin", "jeg har et spørsmål",
    "kan du hjelpe meg litt", "hva kan du svare på", "hva er været i morgen",
    "kan du fortelle en vits", "hvem vinner fotballkampen", "hva koster en pizza",
    "jeg lurer på noe", "trenger litt hjelp her",
]  # fmt: skip
OTHER_AGENCIES_AND_OFF_TOPIC = [
    "hvordan blir været i helgen", "hvem vant kampen i går", "anbefal en serie på netflix",
    "hva er hovedstaden i frankrike", "hvordan lager jeg pannekaker",
    "når går neste buss til sentrum", "hvor mye koster strøm nå",
    "hvordan søker jeg om skattekort", "når kommer skattepengene tilbake",
    "hvor lenge er passkontoret åpent", "hvor bestiller jeg time hos fastlegen",
    "hvilken bank har best rente", "kan du skrive et dikt til meg", "hva tenker du om livet",
    "hvem styrer landet nå", "hvordan får jeg førerkort",
    "hvor kan jeg kjøpe billige flybilletter", "hvordan melder jeg meg inn i et parti",
    "hva er renta på boliglån", "hvordan registrerer jeg et firma",
    "kan du oversette dette til tysk", "hvordan fjerner jeg virus fra pcen",
    "hvor mye skal jeg gi i tips", "åpningstider for polet", "hvordan klager jeg på parkeringsbot",
    "hva er en god oppskrift på lasagne", "hvordan får jeg barnehageplass i kommunen",
    "hvor søker jeg om startlån", "billigste strømavtale i dag",
    "hvem kan hjelpe meg med leiekontrakten",
]  # fmt: skip
MISPLACED_EXAMPLES = [
    *(phrase.format(benefit) for phrase in SEARCH_PHRASES for benefit in BENEFITS),
    *QUESTIONS_AND_SMALL_TALK,
    *OTHER_AGENCIES_AND_OFF_TOPIC,
]


def test_a_change_that_makes_the_bot_worse_is_not_published(advisor: Page, content_site: Site) -> None:
    root = content_site.content_root
    assert root is not None
    topic_file = root / "data" / "faq" / "generell.yml"
    before = topic_file.read_text("utf-8")
    published = (root / "models" / "nav.tar.gz").read_bytes()
    login_editor(advisor, content_site.editor_user, content_site.advisor_password, content_site.base_url)
    advisor.goto("/veileder/innhold#kontakt_skriv")
    examples = advisor.get_by_label("Slik spør besøkende (ett eksempel per linje)")
    original = examples.input_value()
    examples.fill(original.rstrip("\n") + "\n" + "\n".join(MISPLACED_EXAMPLES))
    advisor.get_by_role("button", name="Lagre").click()
    expect(advisor.get_by_test_id("saved")).to_contain_text("Lagret.")

    advisor.get_by_role("button", name="Publiser endringene").click()
    status = advisor.get_by_test_id("publish-status")
    expect(status).to_contain_text(
        "Den nye modellen svarer dårligere enn boten gjør nå, så ingenting er publisert.",
        timeout=PUBLISH_TIMEOUT_MS,
    )
    # The scores, never the test questions: which score fell, and where its questions went.
    failed = advisor.get_by_test_id("quality-row").and_(advisor.locator("[data-passed=false]"))
    expect(failed.first).to_contain_text("Nei, for dårlig")
    worse = advisor.get_by_test_id("quality-worse")
    expect(worse).to_contain_text("«Hvordan sender jeg en skriftlig melding til Nav?» (")
    expect(advisor.get_by_test_id("publish-advice")).to_contain_text("I endringsloggen kan du hente tilbake")
    assert_no_serious(advisor, "a refused publish")
    shot(advisor, "editor-publish-refused")
    # Nothing replaced the published model, and the change still waits to be published.
    assert (root / "models" / "nav.tar.gz").read_bytes() == published
    expect(advisor.get_by_test_id("unpublished")).to_have_text("1 svar er endret og ikke publisert.")

    # The editor takes the examples back from the change log: nothing waits any more.
    log = advisor.get_by_test_id("changes")
    log.get_by_text("Endringer (1)").click()
    log.get_by_test_id("change").first.get_by_role("button", name="Hent tilbake teksten fra før").click()
    expect(examples).to_have_value(original)
    advisor.get_by_role("button", name="Lagre").click()
    expect(advisor.get_by_test_id("saved")).to_contain_text("Lagret.")
    assert topic_file.read_text("utf-8") == before
    expect(advisor.get_by_test_id("unpublished")).to_have_text("Alle lagrede endringer er publisert.")


def _rasa(site: Site, path: str) -> dict[str, Any]:
    assert site.rasa_url is not None
    with urllib.request.urlopen(f"{site.rasa_url}{path}", timeout=10) as response:
        return dict(json.loads(response.read()))


def _trained(site: Site) -> tuple[int, int] | None:
    """The trained candidate model's size and time, or None: a publish that trains changes it."""
    candidate = site.content_root / "models" / "candidate" / "nav.tar.gz"  # type: ignore[operator]
    if not candidate.exists():
        return None
    stat = candidate.stat()
    return stat.st_size, stat.st_mtime_ns


def test_an_editor_corrects_an_answer_and_publishes_it_to_the_bot(
    advisor: Page, visitor: Page, content_site: Site
) -> None:
    topic_file = content_site.content_root / "data" / "faq" / "arbeid.yml"  # type: ignore[operator]
    before = topic_file.read_text("utf-8")
    # A visitor is in the middle of a conversation while the editor works.
    open_and_start(visitor)
    send(visitor, "hvordan søker jeg dagpenger")
    expect_bot_says(visitor, "Først registrerer du deg")
    model_before = _rasa(content_site, "/status")["model_id"]

    login_editor(advisor, content_site.editor_user, content_site.advisor_password, content_site.base_url)
    advisor.goto("/veileder/innhold#dagpenger_soke")
    answer = advisor.get_by_label("Svaret boten gir")
    examples = advisor.get_by_label("Slik spør besøkende (ett eksempel per linje)")
    expect(advisor.get_by_role("heading", name="Dette må svaret få riktig")).to_be_visible()
    expect(advisor.get_by_test_id("unpublished")).to_have_text("Alle lagrede endringer er publisert.")

    # Too few examples and no link: nothing is saved, and the page says what to fix.
    kept = examples.input_value().strip().splitlines()[:3]
    examples.fill("\n".join(kept))
    expect(advisor.get_by_text("3 eksempler. Det trengs minst 15.")).to_be_visible()
    original = answer.input_value()
    answer.fill("Du søker på nav.no.")
    advisor.get_by_role("button", name="Lagre").click()
    problems = advisor.get_by_role("alert").filter(has_text="Endringen ble ikke lagret")
    expect(problems).to_contain_text("Det trengs minst 15 ulike eksempler (3 nå).")
    expect(problems).to_contain_text("Svaret må ha lenken https://www.nav.no/dagpenger.")
    expect(answer).to_have_attribute("aria-invalid", "true")
    assert topic_file.read_text("utf-8") == before

    # A correct change is saved, marked unpublished, then published.
    advisor.once("dialog", lambda dialog: dialog.accept())  # discard the unsaved attempt
    advisor.reload()
    answer = advisor.get_by_label("Svaret boten gir")
    expect(answer).to_have_value(original)
    corrected = original.replace("Først registrerer du deg", "Det første du gjør, er å registrere deg", 1)
    assert corrected != original
    answer.fill(corrected)
    advisor.get_by_role("button", name="Lagre").click()
    expect(advisor.get_by_test_id("saved")).to_contain_text("Lagret.")
    expect(advisor.get_by_test_id("entry-state")).to_have_text("Endret, ikke publisert")
    assert "Det første du gjør, er å registrere deg" in topic_file.read_text("utf-8")
    expect(
        advisor.get_by_test_id("faq-link").filter(has_text="Hvordan søker jeg om dagpenger?")
    ).to_contain_text("Ikke publisert")
    expect(advisor.get_by_test_id("unpublished")).to_have_text("1 svar er endret og ikke publisert.")
    # Saved but not published: visitors still get the published text.
    bot_count = messages(visitor, "bot").count()
    send(visitor, "hvordan søker jeg dagpenger")
    expect(messages(visitor, "bot").nth(bot_count)).to_contain_text(
        "Først registrerer du deg", timeout=30_000
    )

    # Only the answer's text changed: live at once, no training, no model load.
    trained_before = _trained(content_site)
    started = time.monotonic()
    advisor.get_by_role("button", name="Publiser endringene").click()
    status = advisor.get_by_test_id("publish-status")
    expect(status).to_contain_text("Publisert: boten svarer nå med de nye tekstene.", timeout=TEXT_LIVE_MS)
    expect(advisor.get_by_test_id("publish-route")).to_have_attribute("data-route", "texts")
    expect(advisor.get_by_test_id("publish-route")).to_contain_text("uten at boten ble trent på nytt")
    expect(advisor.get_by_test_id("quality-row")).to_have_count(0)  # nothing to measure
    # The visitor's next answer, in the same conversation, carries the new text.
    bot_count = messages(visitor, "bot").count()
    send(visitor, "hvordan søker jeg dagpenger")
    expect(messages(visitor, "bot").nth(bot_count)).to_contain_text(
        "Det første du gjør, er å registrere deg", timeout=TEXT_LIVE_MS
    )
    elapsed = time.monotonic() - started
    assert elapsed <= TEXT_LIVE_MS / 1000, f"the new text took {elapsed:.1f} s to reach the visitor"
    # No model was loaded (Rasa's model id is the same) and none trained.
    assert _rasa(content_site, "/status")["model_id"] == model_before
    assert _trained(content_site) == trained_before  # an earlier test's candidate, if any, is untouched
    # The bot kept its memory of the conversation: the messages before the publish, and
    # the answer's slot, are still in Rasa's tracker (a model load would have wiped them).
    tracker = _rasa(content_site, f"/conversations/{conversation_id(visitor)}/tracker")
    asked = [
        e
        for e in tracker["events"]
        if e.get("event") == "user" and e.get("text") == "hvordan søker jeg dagpenger"
    ]
    assert len(asked) == 3
    assert tracker["slots"]["faq_id"] == "dagpenger_soke"
    expect(advisor.get_by_test_id("unpublished")).to_have_text("Alle lagrede endringer er publisert.")
    expect(advisor.get_by_test_id("entry-state")).to_have_text("Publisert")
    shot(advisor, "editor-content-published")


def test_an_editor_sees_a_publication_in_the_history_and_puts_the_one_before_back(
    advisor: Page, visitor: Page, content_site: Site
) -> None:
    open_and_start(visitor)
    send(visitor, "hvordan søker jeg dagpenger")
    answered = messages(visitor, "bot").filter(has_text=re.compile("registrer"))
    expect(answered.first).to_be_visible(timeout=60_000)
    # Whatever text is live now (an earlier test may have published one) is what comes back.
    shown = " ".join(answered.first.inner_text().split())
    live_before = shown.split("skriver:", 1)[1].split("Var svaret nyttig?", 1)[0].strip()
    assert "registrer" in live_before
    model_before = _rasa(content_site, "/status")["model_id"]

    login_editor(advisor, content_site.editor_user, content_site.advisor_password, content_site.base_url)
    advisor.goto("/veileder/innhold#dagpenger_soke")
    answer = advisor.get_by_label("Svaret boten gir")
    original = answer.input_value()
    changed = original.replace("registrerer du deg", "melder du deg", 1)
    assert changed != original
    answer.fill(changed)
    advisor.get_by_role("button", name="Lagre").click()
    expect(advisor.get_by_test_id("saved")).to_contain_text("Lagret.")
    # The list's length: the status box may still show an earlier test's publish.
    history = advisor.get_by_test_id("publications")
    summary = history.locator("summary")
    expect(summary).to_have_text(re.compile(r"^Publiseringer \(\d+\)$"))
    listed = int(re.findall(r"\d+", summary.inner_text())[0])
    advisor.get_by_role("button", name="Publiser endringene").click()
    expect(summary).to_have_text(f"Publiseringer ({listed + 1})", timeout=TEXT_LIVE_MS)
    expect(advisor.get_by_test_id("publish-status")).to_contain_text(
        "Publisert: boten svarer nå med de nye tekstene."
    )
    bot_count = messages(visitor, "bot").count()
    send(visitor, "hvordan søker jeg dagpenger")
    expect(messages(visitor, "bot").nth(bot_count)).to_contain_text("melder du deg", timeout=TEXT_LIVE_MS)

    # The publication is the newest in the list: what, who, which answer, in use now.
    summary.click()
    newest = history.get_by_test_id("publication").first
    expect(newest).to_have_attribute("data-kind", "texts")
    expect(newest).to_contain_text("Nye svartekster, samme modell")
    expect(newest).to_contain_text(f"av {content_site.editor_user}")
    expect(newest).to_contain_text("Endret: «Hvordan søker jeg om dagpenger?».")
    expect(newest.get_by_test_id("publication-current")).to_have_text("I bruk nå")
    expect(newest.get_by_role("button", name="Ta i bruk igjen")).to_have_count(0)
    newest_id = int(newest.get_attribute("data-id") or "0")
    earlier = history.locator(f'[data-testid="publication"][data-id="{newest_id - 1}"]')
    expect(earlier.get_by_role("button", name="Ta i bruk igjen")).to_be_enabled()
    assert_no_serious(advisor, "the publication history")
    history.scroll_into_view_if_needed()
    shot(advisor, "editor-publications-desktop")
    size = advisor.viewport_size
    advisor.set_viewport_size({"width": 390, "height": 844})
    assert advisor.evaluate("document.documentElement.scrollWidth") <= 390
    history.scroll_into_view_if_needed()
    shot(advisor, "editor-publications-phone")
    if size:
        advisor.set_viewport_size(size)

    # "Ta i bruk igjen" on the one before: its texts are live again, no model was loaded.
    advisor.once("dialog", lambda dialog: dialog.accept())
    earlier.get_by_role("button", name="Ta i bruk igjen").click()
    expect(summary).to_have_text(f"Publiseringer ({listed + 2})", timeout=TEXT_LIVE_MS)
    expect(advisor.get_by_test_id("publish-status")).to_contain_text(
        "Tatt i bruk igjen: boten svarer nå som etter den valgte publiseringen."
    )
    bot_count = messages(visitor, "bot").count()
    send(visitor, "hvordan søker jeg dagpenger")
    expect(messages(visitor, "bot").nth(bot_count)).to_contain_text(live_before, timeout=TEXT_LIVE_MS)
    expect(messages(visitor, "bot").nth(bot_count)).not_to_contain_text("melder du deg")
    assert _rasa(content_site, "/status")["model_id"] == model_before
    restored = history.get_by_test_id("publication").first
    expect(restored).to_have_attribute("data-kind", "restore")
    expect(restored).to_contain_text(f"Publisering {newest_id - 1} tatt i bruk igjen")
    # The saved text is still there, waiting to be published again.
    expect(advisor.get_by_test_id("unpublished")).to_have_text("1 svar er endret og ikke publisert.")
    expect(answer).to_have_value(changed)
