"""The person-request signal: a wish for a person or a call, wherever it stands."""

from __future__ import annotations

import pytest

from bot.nlu.person_request import PersonRequest, is_identity_question, is_machine_question, person_request

PERSON = [
    "jeg vil snakke med et menneske",
    "kan jeg få prate med en saksbehandler om søknaden min",
    "søknaden om foreldrepenger har ligget i to måneder, jeg må få snakke med noen",
    "barnetrygden er stoppet og jeg skjønner ikke hvorfor. trenger at et menneske ser på saken",
    "koble meg over til en veileder",
    "gi meg en ekte person",
    "eg vil snakka med eit menneske om pensjonen",
    "kan æ få prat med en person",
    "i want to talk to a real person about my sick pay",
    "connect me with an agent please",
    "can i get a human",
    "jeg vil heller chatte med noen som jobber i nav",
    "har dere ekte folk jeg kan snakke med?",
    "er det et menneske jeg kan snakke med?",
    "er det en robot jeg chatter med? i så fall vil jeg ha en saksbehandler",
    "er du en robot? jeg vil snakke med et menneske",
    "kan en saksbehandler se på klagen min",
    "jeg trenger hjelp fra en saksbehandler med meldekortet",
    "my child benefit stopped, please put me in touch with somebody who knows the rules",
    "the sick pay is late again and I want a person to look into it",
]
CALLBACK = [
    "kan dere ringe meg",
    "jeg vil gjerne bli oppringt",
    "dere må gjerne ringe meg opp etter klokka tre",
    "kan noen fra nav ringe meg i morgen om sykepengene",
    "ring meg tilbake",
    "please call me back about my pension",
    "ønsker å bli ringt opp angående dagpengene",
]
NEITHER = [
    "hvordan søker jeg dagpenger",
    "hvordan ringer jeg nav",
    "kan jeg ringe dere på lørdag",
    "hvordan sender jeg melding til veilederen min",
    "kan jeg ha møte med veilederen min på video",
    "snakker jeg med et menneske?",
    "er du en ekte person",
    "are you a real person",
    "e det ein robot eg snakke med",
    "er det en ekte saksbehandler jeg skriver med nå?",
    "er jeg i kontakt med en veileder eller med et dataprogram nå",
    "jeg vil gjerne vite om jeg skriver med en saksbehandler eller en maskin",
    "jeg snakket med en saksbehandler i går, når kommer pengene",
    "jeg vil ikke snakke med et menneske, bare svar meg",
    "I don't want a human, just tell me the pension age",
    "does someone who can work part time get aap",
    "how can I send a message to my caseworker",
    "hva er personnummeret mitt",
    "kan noen andre hjelpe meg med saken min hos nav",
    "stønad",
    "",
]


@pytest.mark.parametrize("text", PERSON)
def test_a_wish_for_a_person_is_heard_inside_any_message(text: str) -> None:
    assert person_request(text) is PersonRequest.PERSON


@pytest.mark.parametrize("text", CALLBACK)
def test_a_wish_to_be_called_is_a_callback(text: str) -> None:
    assert person_request(text) is PersonRequest.CALLBACK


@pytest.mark.parametrize("text", NEITHER)
def test_questions_asking_whether_one_talks_to_a_machine_or_about_contact_are_not_requests(text: str) -> None:
    assert person_request(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "snakker jeg med et menneske?",
        "er dette en robot",
        "are you a human",
        "snakkar eg med eit menneske no?",
        "taler jeg med en maskin",
        "e det ein robot eg snakke med",
        "har jeg kontakt med en datamaskin eller et menneske",
        "lurer på om jeg snakker med en ekte saksbehandler",
        "du er en automat, ikke sant?",
        "sitter det noen i andre enden?",
        "er jeg i kontakt med en veileder eller med et dataprogram nå",
        "Jeg lurer på om jeg korresponderer med en ansatt eller en robot",
    ],
)
def test_machine_questions_are_recognised(text: str) -> None:
    assert is_machine_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "er det en saksbehandler som kan se på saken",
        "er det lov å få en saksbehandler",
        "jeg snakket med en saksbehandler i går",
        "sitter det noen pengar igjen på kontoen",
    ],
)
def test_questions_that_may_ask_for_staff_are_not_machine_questions(text: str) -> None:
    assert not is_machine_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "hva er du for noe?",
        "ka e du for nokke",
        "kem e du",
        "hvem er du egentlig",
        "er du levende",
        "what are you",
    ],
)
def test_a_whole_message_asking_what_the_chat_is_is_an_identity_question(text: str) -> None:
    assert is_identity_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "hva er du berettiget til",
        "hvem er du gift med",
        "er du der?",
        "er du åpen i dag",
        "hva heter du",
        "er du sikker",
    ],
)
def test_questions_to_you_about_something_else_are_not_identity_questions(text: str) -> None:
    assert not is_identity_question(text)
