"""What the bot could not answer: the plain rules, and the store on a real database."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, select

from hub.adapters.rasa import BotSignal, signal_of
from hub.db.base import Sender
from hub.db.models import BotSignal as BotSignalRow
from hub.rules.unanswered import (
    KINDS,
    Unanswered,
    csv_time,
    group,
    next_step,
    question_key,
    to_csv,
)
from hub.services import conversations as conv_svc
from hub.services import feedback as feedback_svc
from hub.services import unanswered as unanswered_svc

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
FAQ = "/faq" + json.dumps({"faq_id": "dagpenger_soke"})
REPO = Path(__file__).resolve().parents[2]


def test_every_signal_the_bot_sends_is_a_kind_the_list_knows() -> None:
    # The hub drops unknown kinds, so a new bot signal must be added here too.
    domain = yaml.safe_load((REPO / "domain.yml").read_text("utf-8"))
    sent = {
        variant["custom"]["nav_signal"]
        for variants in domain["responses"].values()
        for variant in variants
        if "nav_signal" in (variant.get("custom") or {})
    }
    for action in sorted((REPO / "actions").glob("*.py")):
        sent |= set(re.findall(r'hub_signal\("(\w+)"', action.read_text("utf-8")))
    assert {
        "out_of_scope",
        "not_covered",
        "not_helped",
        "not_understood",
        "unsure",
        "unsure_again",
    } <= sent
    assert sent <= set(KINDS)


def test_the_same_question_typed_again_counts_once() -> None:
    assert question_key("  Hvor er pengene mine??") == question_key("hvor er  pengene mine")
    assert question_key("«Hei»") == "hei"
    assert question_key("?!") == ""


def test_the_signal_is_read_from_rasas_custom_item_and_junk_is_ignored() -> None:
    items = [
        {"recipient_id": "c", "text": "Mente du …", "buttons": []},
        {"recipient_id": "c", "custom": {"nav_signal": "unsure", "suggestions": ["a", 3]}},
    ]
    assert signal_of(items) == BotSignal("unsure", ["a", "3"])
    assert signal_of([{"custom": "x"}, {"custom": {"nav_signal": 5}}, "junk"]) is None
    assert signal_of([{"text": "Hei"}]) is None


def test_next_step_reads_the_offered_buttons() -> None:
    assert next_step(FAQ) == "faq:dagpenger_soke"
    assert next_step("/request_human") == "veileder"
    assert next_step("/faq{not json") is None
    assert next_step("/faq{}") is None
    assert next_step(None) is None


def test_group_counts_orders_and_keeps_the_latest_suggestions() -> None:
    cases = [
        Unanswered("Hvor er pengene?", "unsure", AT, "arbeid", ("a", "b"), "faq:a"),
        Unanswered("hvor er pengene", "unsure", AT + timedelta(minutes=5), None, ("c",), None),
        Unanswered("Kan jeg kjøpe bil?", "out_of_scope", AT + timedelta(minutes=9)),
        Unanswered(
            "hvor er pengene!", "unsure_again", AT + timedelta(minutes=7), None, (), "veileder"
        ),
        Unanswered("   ", "not_understood", AT),
    ]
    questions = group(cases)
    assert [q.text for q in questions] == ["hvor er pengene!", "Kan jeg kjøpe bil?"]
    first = questions[0]
    assert first.count == 3
    assert first.suggestions == ["c"]
    assert first.chosen == {"faq:a": 1, "veileder": 1}
    assert first.kinds == {"unsure": 2, "unsure_again": 1}
    shown = first.as_json({"a": "Hvordan søker jeg?"})
    assert shown["chosen"] == [
        {"step": "faq:a", "label": "Valgte «Hvordan søker jeg?»", "count": 1},
        {"step": "veileder", "label": "Ba om veileder", "count": 1},
    ]
    assert shown["suggestions"] == [{"id": "c", "title": "c"}]


def test_csv_is_semicolon_separated_with_a_header() -> None:
    questions = group(
        [Unanswered("Hva med «lønn»; skatt?", "unsure", AT, "arbeid", ("a",), "faq:a")]
    )
    lines = to_csv(questions, {"a": "Skatt"}).splitlines()
    assert lines[0].startswith("spørsmål;antall;sist")
    # 09:00 UTC is 10:00 in Oslo in November: ISO 8601 with the offset, never a bare time.
    assert lines[1].startswith(
        '"Hva med «lønn»; skatt?";1;2026-11-24T10:00+01:00;Usikker, foreslo svar (1)'
    )
    assert lines[1].endswith(";arbeid;Skatt;Valgte «Skatt» (1);")  # no answer given


def test_csv_times_carry_their_offset_in_summer_and_winter_and_from_a_naive_utc_time() -> None:
    summer = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    assert csv_time(summer, ZoneInfo("Europe/Oslo")) == "2026-07-02T00:30+02:00"
    assert csv_time(AT.replace(tzinfo=None), ZoneInfo("Europe/Oslo")) == "2026-11-24T10:00+01:00"
    assert csv_time(AT, ZoneInfo("UTC")) == "2026-11-24T09:00+00:00"
    row = to_csv(group([Unanswered("når kommer pengene", "unsure", summer)]), {}).splitlines()[1]
    [cell] = [c for c in row.split(";") if c.startswith("2026")]
    assert datetime.fromisoformat(cell) == summer  # the same moment, read back


def test_csv_cells_that_a_spreadsheet_would_run_as_a_formula_start_with_an_apostrophe() -> None:
    # OWASP's advice for CSV injection: a cell starting with = + - @ tab or CR is a formula
    # to Excel and LibreOffice; a leading apostrophe makes it text (and is not shown).
    formulas = ['=HYPERLINK("http://x";"klikk")', "+1+1", "-2+3", "@SUM(A1)", "\ttab", "\rcr"]
    cases = [
        Unanswered(text, "unsure", AT + timedelta(minutes=i), "arbeid", ("f",), "faq:f")
        for i, text in enumerate([*formulas, "Helt vanlig spørsmål"])
    ]
    rows = list(
        csv.reader(io.StringIO(to_csv(group(cases), {"f": "=IMPORTXML(1)"})), delimiter=";")
    )
    by_text = {row[0]: row for row in rows[1:]}
    assert set(by_text) == {"'" + f for f in formulas} | {"Helt vanlig spørsmål"}
    # Every free-text column, not only the visitor's words (FAQ titles are text too).
    for row in rows[1:]:
        assert row[5] == "'=IMPORTXML(1)"
        assert row[6] == "Valgte «=IMPORTXML(1)» (1)"
        assert not any(cell[:1] in "=+-@\t\r" for cell in row if cell)


async def test_recorded_signals_come_back_with_what_the_visitor_did_next(hub) -> None:  # type: ignore[no-untyped-def]
    now = hub.clock.now()
    conv, _, _ = await hub.visitors.open("/dagpenger")
    async with hub.unit() as u:
        c = await conv_svc.get(u, conv.id)
        asked = await conv_svc.add_message(u, c, Sender.visitor, "pengene mine?", now)
        await unanswered_svc.record(u, c.id, asked.id, "unsure", ["dagpenger_soke", 7], now)  # type: ignore[list-item]
        await conv_svc.add_message(u, c, Sender.bot, "Mente du …", now)
        await conv_svc.add_message(u, c, Sender.visitor, "Søke", now, payload=FAQ)
        pressed = await conv_svc.add_message(u, c, Sender.visitor, "Ja", now, payload="/affirm")
        # A button the bot did not follow up is not a typed question: not listed.
        await unanswered_svc.record(u, c.id, pressed.id, "not_understood", [], now)
        typed = await conv_svc.add_message(u, c, Sender.visitor, "kjøpe bil", now)
        await unanswered_svc.record(u, c.id, typed.id, "out_of_scope", [], now)
        await unanswered_svc.record(u, c.id, typed.id, "no_such_kind", [], now)
    async with hub.unit(read_only=True) as u:
        cases = await unanswered_svc.cases_since(u, now - timedelta(days=1))
        assert await unanswered_svc.cases_since(u, now + timedelta(seconds=1)) == []
    by_text = {c.text: c for c in cases}
    assert set(by_text) == {"pengene mine?", "kjøpe bil"}
    assert by_text["pengene mine?"].suggestions == ("dagpenger_soke",)
    assert by_text["pengene mine?"].next_step == "faq:dagpenger_soke"
    assert by_text["kjøpe bil"].kind == "out_of_scope"
    assert by_text["kjøpe bil"].next_step is None


async def test_this_does_not_help_is_filed_under_the_question_before(hub) -> None:  # type: ignore[no-untyped-def]
    now = hub.clock.now()
    conv, _, _ = await hub.visitors.open(None)
    async with hub.unit() as u:
        c = await conv_svc.get(u, conv.id)
        # Anger as the first message: no question to file it under, nothing stored.
        first = await conv_svc.add_message(u, c, Sender.visitor, "dere er så trege", now)
        await unanswered_svc.record(u, c.id, first.id, "not_helped", [], now)
        asked = await conv_svc.add_message(u, c, Sender.visitor, "hvordan søker jeg aap", now)
        await conv_svc.add_message(
            u,
            c,
            Sender.bot,
            "Du søker om AAP digitalt …",
            now,
            faq_id="aap_soke",
            reply_to=asked.id,
        )
        await conv_svc.add_message(u, c, Sender.visitor, "Søke", now, payload=FAQ)
        angry = await conv_svc.add_message(u, c, Sender.visitor, "dette hjelper ikke", now)
        await unanswered_svc.record(u, c.id, angry.id, "not_helped", ["aap_soke"], now)
    async with hub.unit(read_only=True) as u:
        [case] = await unanswered_svc.cases_since(u, now - timedelta(days=1))
        stored = (await u.session.execute(select(BotSignalRow.message_id))).scalars().all()
    assert stored == [asked.id]
    # The answer it got in that turn is the one that did not help.
    assert (case.text, case.kind, case.answered, case.suggestions) == (
        "hvordan søker jeg aap",
        "not_helped",
        "aap_soke",
        (),
    )
    assert KINDS[case.kind] == "Svaret hjalp ikke"


async def test_this_does_not_help_is_not_paired_with_an_answer_from_an_earlier_turn(hub) -> None:  # type: ignore[no-untyped-def]
    now = hub.clock.now()
    conv, _, _ = await hub.visitors.open(None)
    async with hub.unit() as u:
        c = await conv_svc.get(u, conv.id)
        first = await conv_svc.add_message(u, c, Sender.visitor, "hvordan søker jeg dagpenger", now)
        await conv_svc.add_message(
            u,
            c,
            Sender.bot,
            "Først registrerer du deg …",
            now,
            faq_id="dagpenger_soke",
            reply_to=first.id,
        )
        asked = await conv_svc.add_message(u, c, Sender.visitor, "kan jeg kjøpe bil for dem", now)
        await unanswered_svc.record(u, c.id, asked.id, "out_of_scope", [], now)
        await conv_svc.add_message(
            u, c, Sender.bot, "Det kan jeg ikke svare på.", now, reply_to=asked.id
        )
        # The bot still remembers the dagpenger answer (its faq_id slot) and sends it along.
        angry = await conv_svc.add_message(u, c, Sender.visitor, "dette hjelper ikke", now)
        await unanswered_svc.record(u, c.id, angry.id, "not_helped", ["dagpenger_soke"], now)
    async with hub.unit(read_only=True) as u:
        cases = await unanswered_svc.cases_since(u, now - timedelta(days=1))
    assert {(c.text, c.kind, c.answered) for c in cases} == {
        ("kan jeg kjøpe bil for dem", "out_of_scope", None),
        ("kan jeg kjøpe bil for dem", "not_helped", None),  # not the dagpenger answer
    }
    # Typed once: counted once, with both things the bot noted about it.
    [question] = group(cases)
    assert question.count == 1
    assert dict(question.kinds) == {"out_of_scope": 1, "not_helped": 1}
    assert not question.answered and not question.suggestions


async def test_a_no_vote_and_this_does_not_help_on_one_answer_count_the_question_once(hub) -> None:  # type: ignore[no-untyped-def]
    now = hub.clock.now()
    conv, _, _ = await hub.visitors.open(None)
    async with hub.unit() as u:
        c = await conv_svc.get(u, conv.id)
        asked = await conv_svc.add_message(u, c, Sender.visitor, "hvordan søker jeg aap", now)
        answer = await conv_svc.add_message(
            u,
            c,
            Sender.bot,
            "Du søker om AAP digitalt …",
            now,
            faq_id="aap_soke",
            reply_to=asked.id,
        )
        await feedback_svc.vote(u, c, answer.id, "nei", now)
        angry = await conv_svc.add_message(u, c, Sender.visitor, "dette hjelper ikke", now)
        await unanswered_svc.record(u, c.id, angry.id, "not_helped", ["aap_soke"], now)
    async with hub.unit(read_only=True) as u:
        cases = await unanswered_svc.cases_since(u, now - timedelta(days=1))
    [question] = group(cases)
    assert (question.text, question.count) == ("hvordan søker jeg aap", 1)
    assert dict(question.kinds) == {"wrong_answer": 1, "not_helped": 1}
    assert dict(question.answered) == {"aap_soke": 1}


async def test_purging_old_conversations_deletes_their_unanswered_marks(hub, clock) -> None:  # type: ignore[no-untyped-def]
    conv, _, _ = await hub.visitors.open(None)
    async with hub.unit() as u:
        c = await conv_svc.get(u, conv.id)
        asked = await conv_svc.add_message(u, c, Sender.visitor, "hva med pengene", clock.now())
        await unanswered_svc.record(u, c.id, asked.id, "unsure", [], clock.now())
    clock.advance(days=31)
    async with hub.unit() as u:
        assert await conv_svc.purge_older_than(u, clock.now() - timedelta(days=30)) == 1
    async with hub.unit(read_only=True) as u:
        assert await unanswered_svc.cases_since(u, clock.now() - timedelta(days=365)) == []
        assert (await u.session.execute(select(func.count(BotSignalRow.id)))).scalar_one() == 0
