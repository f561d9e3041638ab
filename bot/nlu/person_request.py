"""Does a message ask for a person, or to be called? Plain rules, no Rasa.

A wish for a person often comes inside a message about something else ("saken min
om barnetrygd står stille, jeg trenger at et menneske ser på den"). The intent
classifiers give such a message to the topic's FAQ, because the topic words
outnumber the wish. So the wish is read as a signal of its own, beside the
intent: the visitor gets a person, in the queue of the topic the message names.

Rules, not a classifier: the ways of asking for a person are few and stable (a
request verb and a person, or "ring meg"), the training examples for it are few,
and a rule that fires says exactly why. Asking *whether* one talks to a machine
("snakker jeg med et menneske?") is not a request and stays bot_challenge.

The patterns work on the folded Bokmål form of the message (`folded_text`): dialect
words mapped to Bokmål, æøå folded (ø → o, å → a, æ → ae), lower case.
"""

from __future__ import annotations

import re
from enum import Enum

from bot.nlu.normalize import clean, normalise_word


class PersonRequest(str, Enum):
    """What the visitor asks for."""

    PERSON = "person"  # to chat with a person now
    CALLBACK = "callback"  # to be called by Nav


_WORD = re.compile(r"[\w]+(?:-[\w]+)*")


def folded_text(text: str) -> str:
    """The message as space-separated folded Bokmål words."""
    return " ".join(normalise_word(w) for w in _WORD.findall(clean(text)))


def _any(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# Someone at Nav, as visitors name them (folded spellings).
_PERSON = _any(
    r"(?:et |en |ekte |levende |virkelig |vanlig |ordentlig |fysisk |non )*menneske(?:r|t|ne)?",
    r"(?:en |et |ekte |levende |virkelig |vanlig |ordentlig |fysisk )*person(?:en|er)?(?! ?nummer)",
    r"(?:en |min |din |ei )?(?:saks)?behandler(?:en|e|n)?",
    # "veilederen min" is the visitor's own follow-up advisor: the FAQs answer that.
    r"(?<!min )(?<!din )(?:en |ei )?veileder(?:en|e|n)?(?! min\b| mi\b| din\b)",
    r"(?:en |ei )?(?:radgiver|radgjevar|radgivar)(?:en|e|n)?",
    r"(?:en |non )?(?:nav )?(?:ansatt|ansatte|medarbeider|medarbeidar)",
    r"(?:en |non )?nav-ansatt(?:e)?",
    r"non (?:hos|fra|pa|i|ved|pa kontoret|som jobber)(?: nav| kontoret)?",
    r"non som (?:kan hjelpe|jobber|kan se|ser pa|kan svare|kan ta)",
    # "my advisor" is the visitor's own follow-up advisor, as "veilederen min" above.
    r"(?<!my )(?<!your )(?:a |an )?(?:real |live |actual )?(?:human|humans|person|agent|caseworker|case worker|advisor|adviser)",
    r"(?:someone|somebody) (?:at|from|in) nav",
    r"(?:someone|somebody) (?:who|that) (?:can|could|will|knows)",
    r"(?:a |an )?(?:nav )?(?:employee|officer)",
    r"kundeservice|kundebehandler|kundestotte|sentralbordet",
    r"(?:ekte |levende |vanlige )?folk",
)
# "Noen" is a person only right after a verb of talking: "snakke med noen".
_TALK_TO_SOMEONE = re.compile(
    r"\b(?:snakke|prate|chatte|snakk|prat|talk|speak|chat)(?: med| to| with)? "
    r"(?:non|nan|naen|someone|somebody|anyone|en som)\b"
)

# Asking to be put through: a verb of contact, up to three words, then the person.
_CONTACT_VERB = _any(
    r"snakke",
    r"prate",
    r"chatte",
    r"chat",
    r"kontakte",
    r"kontakt",
    r"ha kontakt",
    r"fa kontakt",
    r"komme i kontakt",
    r"hjelp (?:av|fra)",
    r"fa hjelp (?:av|fra)",
    r"snakk",
    r"prat",
    r"koble(?:s)?(?: meg)?(?: over)?(?: til)?",
    r"sett(?:e)?(?: meg)?(?: over)?(?: til)?",
    r"overfor(?:e)?(?: meg)?(?: til)?",
    r"send(?:e)?(?: meg)?(?: videre)? til",
    r"talk",
    r"speak",
    r"connect(?: me| vi)?",
    r"transfer(?: me| vi)?",
    r"put (?:me|vi) through",
    r"(?:put|get) (?:me |vi )?in touch",
    r"contact",
)
_REQUEST_CONTACT = re.compile(rf"\b{_CONTACT_VERB}(?: med| to| with| til)?(?: \w+){{0,2}}? {_PERSON}\b")

# A person wanted without a verb of contact: "jeg trenger et menneske", "vil ha en saksbehandler".
_WANT = _any(
    r"trenger(?: at| a fa| a snakke med)?",
    r"treng(?: at)?",
    r"vil ha",
    r"vil gjerne ha",
    r"vil (?:jeg|eg) (?:gjerne )?ha",
    r"onsker(?: meg)?",
    r"ma fa",
    r"kan jeg fa",
    r"kan eg fa",
    r"far jeg",
    r"gi meg",
    r"need",
    r"want",
    r"i would like",
    r"can i get",
    r"can i have",
    r"give (?:me|vi)",
)
_WANT_PERSON = re.compile(rf"\b{_WANT}(?: \w+){{0,2}}? {_PERSON}\b")
# The person first: "ekte folk jeg kan snakke med", "en veileder å prate med".
_PERSON_TO_TALK_TO = re.compile(rf"\b{_PERSON} (?:\w+ ){{0,3}}(?:snakke|prate|chatte|snakk|prat) med\b")

# A person who should look at the case: "et menneske som ser på den", "at noen ser på saken".
_LOOK_AT = re.compile(
    r"\b(?:et menneske|en person|en saksbehandler|en veileder|non hos nav|non fra nav|non)"
    r"(?: som)?(?: kan| ma)? (?:se|ser|sjekke|sjekker|ta|tar|folge|folger) (?:pa|opp|i|tak i)\b"
    r"|\b(?:a human|a person|a real person|someone|somebody|a caseworker|an advisor)"
    r"(?: who| that| to)?(?: can| could| should| must| will)? (?:look|check|review|go) (?:at|into|over|through)\b"
)

# Asking to be called. Not "kan jeg ringe dere" (the visitor calls: the phone FAQ).
_CALLBACK = re.compile(
    r"\b(?:"
    r"ring(?:e|er)? (?:meg|oss)(?! ikke)"
    r"|ring(?:e)? tilbake"
    r"|(?:bli|blir|vaere|ble) (?:oppringt|ringt|ringa|ringd)"
    r"|oppringing|oppringning|tilbakeringing|ring-tilbake"
    r"|(?:dere|nav|non|dokker|du|de) (?:\w+ ){0,3}ringe(?: meg| opp| tilbake)"
    r"|call (?:me|vi)|call back|callback|phone (?:me|vi)|ring (?:me|vi)"
    r")\b"
)

# "Not a person": "vil ikke snakke med et menneske", "trenger ikke noen".
# Folding turns "don't" into "don t".
_NEGATED = re.compile(
    r"\b(?:ikke|ikkje|not|dont|don't|don t|doesn t|didn t|won t|never|aldri|slipper a)(?: \w+){0,2}$"
)

# What visitors ask whether they talk to: a machine, or a person (folded spellings).
_MACHINE = _any(
    r"menneske",
    r"person",
    r"robot",
    r"bot",
    r"maskin",
    r"datamaskin",
    r"dataprogram",
    r"automat",
    r"chatbot",
    r"ai",
    r"human",
    r"real",
    r"machine",
    r"computer",
)
# Staff, only after "er du" or "snakker jeg med": "er det en saksbehandler der" may ask for one.
_STAFF = _any(r"saksbehandler", r"veileder", r"radgiver", r"ansatt", r"nav-ansatt")

# Asking whether one talks to a machine or a person: a question, not a request.
_CHALLENGE = re.compile(
    r"\b(?:"
    rf"(?:er du|du er|are you)(?: \w+){{0,3}} (?:{_MACHINE}|{_STAFF})"
    rf"|(?:er dette|er det|is this)(?: \w+){{0,3}} {_MACHINE}"
    r"|(?:(?:snakker|prater|taler|chatter|skriver|korresponderer) jeg med"
    r"|om jeg (?:snakker|prater|chatter|skriver|korresponderer) med|(?:har jeg|er jeg i) kontakt med"
    r"|am i (?:talking|chatting) (?:to|with))"
    rf"(?: \w+){{0,3}} (?:{_MACHINE}|{_STAFF})"
    r"|sitter det (?:non|et menneske|en person|folk) (?:pa andre siden|i andre enden|bak skjermen|der)"
    r")\b"
)

# The same question said with the words of a request, no modal verb: "er det et menneske
# jeg snakker med?" (but "er det et menneske jeg kan snakke med?" asks for one). Blanked out
# before the person rules are tried, so they do not fire on the question's own words.
_WHO_IS_THERE = re.compile(
    rf"\ber (?:det|dette|du) (?:\w+ ){{0,2}}?(?:{_MACHINE}|{_STAFF})\w* (?:som )?(?:jeg|vi) "
    r"(?:snakker|prater|prate|snakke|chatter|skriver|skriv) (?:med|til)\b"
    # "er jeg i kontakt med en saksbehandler", "(vite) om jeg skriver med en robot": the
    # present tense says who is there; "kan jeg snakke med" (infinitive) asks for someone.
    r"|\b(?:er jeg i kontakt|har jeg kontakt|(?:om )?jeg (?:snakker|prater|chatter|skriver|"
    rf"korresponderer|er i kontakt)) med (?:\w+ ){{0,2}}?(?:{_MACHINE}|{_STAFF})\w*"
)


# Asking what or who the chat is, the whole message: "hva er du for noe", "ka e du for
# nokke", "hvem er du egentlig", "er du levende", "er du ekte eller fake", "what are you".
# Whole messages only, and only the words such a question ends in: "hva er du berettiget
# til" asks something else.
_IDENTITY = re.compile(
    r"^(?:(?:hei|hallo) )?(?:"
    r"(?:hva|hvem|what|who)(?: (?:slags|slag|type|kind of|sort of) \w+)? (?:er|are) (?:du|you)"
    r"(?: (?:for|no|noe|nokke|noko|nokka|egentlig|eigentleg|egt|da|slags|greie|ting|really|exactly|then))*"
    r"|(?:er|are) (?:du|you)(?: \w+){0,2} (?:levende|levande|live|alive|ekte|virkelig|real|menneske|person"
    r"|robot|bot|maskin|chatbot|ai|human|machine)(?: \w+){0,3}"
    r")$"
)


def _fires(pattern: re.Pattern[str], text: str) -> bool:
    """A match that is not negated just before it."""
    return any(not _NEGATED.search(text[: m.start()].rstrip()) for m in pattern.finditer(text))


def person_request(text: str) -> PersonRequest | None:
    """What the message asks for: a person, a call, or neither (None).

    A call-back wish wins over a plain wish for a person: its answer (call us,
    write to us) comes with the button to a person anyway.
    """
    folded = _WHO_IS_THERE.sub(" | ", folded_text(text)).strip()
    if not folded:
        return None
    if _fires(_CALLBACK, folded):
        return PersonRequest.CALLBACK
    for pattern in (_REQUEST_CONTACT, _TALK_TO_SOMEONE, _WANT_PERSON, _PERSON_TO_TALK_TO, _LOOK_AT):
        if _fires(pattern, folded):
            return PersonRequest.PERSON
    return None


def is_machine_question(text: str) -> bool:
    """Whether the message asks if the visitor talks to a machine or a person."""
    return bool(_CHALLENGE.search(folded_text(text)))


def is_identity_question(text: str) -> bool:
    """Whether the whole message asks what or who the chat is, or whether it is alive."""
    return bool(_IDENTITY.match(folded_text(text)))
