"""Is a message only small talk, clause by clause? Plain rules, no Rasa.

Visitors who write as in a letter open with their name ("God dag. Her skriver Kari
Nordmann."). The classifiers know none of the names, so the few other words decide,
and "skriver" once took such a greeting to the answer about privacy in the chat: a
confident wrong answer to a message that asked nothing. The same happens when small
talk comes in pieces the examples never put together: a greeting, a name and "jeg
snakker litt norsk"; thanks and a farewell ("takk, det var alt. ha det bra"); a
closing line and a sign-off. Each piece alone is easy; the mix is not.

So a message is cut into clauses, and when every clause is one of a few kinds of small
talk, the message is small talk: goodbye if any clause ends the conversation, else
thanks if any thanks, else greet if it greets or introduces the writer. One clause
that is anything else (a question, a topic, "lurer på dagpenger") and the rule says
nothing: the classifiers decide.

Names are told by their capital letters, in the message as written: "jeg heter Kari"
introduces someone, "dette er vanskelig for meg" does not.
"""

from __future__ import annotations

import re

from bot.nlu.normalize import normalise_word

# Patterns over a clause's folded words joined by spaces; a written name is "<name>", a
# number "<num>". Each pattern must match the whole clause.
_NAME, _NUMBER = "<name>", "<num>"
# A name: one to four words, each capitalised as written ("Ingrid Solberg", "Per Ola Berg").
MAX_NAME_WORDS = 4
_GREETING_WORD = (
    r"(?:hei|heii|heihei|hallo|heisann|hallais|hallaien|halla|hoi|hej|heia|hejsan|god|goddag|dag|"
    r"morgen|kveld|ettermiddag|morn|gomorn|godmorgen|godkveld|saell|sael|hi|hello|hey|good|"
    r"morning|afternoon|evening|dear|salam|salaam|marhaba|merhaba|hola|czesc)"
)
_GREETING = (
    rf"{_GREETING_WORD}(?: {_GREETING_WORD})*(?: (?:pa|til) (?:deg|dere|dokk|dokker|dykk|you))?"
    r"(?: (?:alle|alle sammen|nav|du|dere|there|everyone|all|igjen|again))?(?: <name>)*"
    r"(?: (?:fra|from) (?:<name> ?)+)?"
)
# Phrases only a name can follow ("jeg heter", "my name is"), and phrases a name may follow
# ("her er", "jeg er"): in capitals only the first kind tells a name (see _names_in_capitals).
_NAMING = (
    r"jeg (?:heter|heiter|heite|hete|hetter)|jag heter|mitt navn er|navnet mitt er|navnet er|"
    r"undertegnede er|my name is"
)
_PRESENTING = r"her skriver|her er|this is|i am|i'm|im|jeg er|det er"
_INTRODUCTION = (
    rf"(?:{_GREETING} )?(?:{_NAMING}|{_PRESENTING})(?: <name>){{1,{MAX_NAME_WORDS}}}"
    r"(?: som skriver| here| her)?(?: (?:fra|from) (?:<name> ?)+)?"
    r"|det er meg(?: igjen| fra i gar| fra i sta)?"
)
# About the writer, nothing a topic could hang on: where from, age, Norwegian and computer skills.
_ABOUT_ME = (
    r"(?:(?:jeg|i) )?(?:er|kommer|skriver|am|come|write) (?:fra|from) (?:<name> ?)+",
    r"(?:(?:jeg|i) )?(?:bor|bur|live) (?:i|pa|in) (?:<name> ?)+",
    r"(?:jeg er|i am|i'm|im) (?:ny|new) (?:i|in) (?:norge|norway|<name>)",
    r"(?:(?:jeg )?er )?<num> ar(?: gammel)?",
    r"(?:jeg )?(?:snakker|skriver|kan|forstar) (?:(?:bare|ikke|veldig|litt|lite|sa|darlig|godt|"
    r"mye|bra|enda) )*(?:norsk|engelsk)(?: enda| ogsa)?",
    r"(?:jeg er )?(?:ikke )?(?:sa |veldig )?(?:god|flink|vant) (?:pa|i|med) "
    r"(?:norsk|data|pc|datamaskin|internett)",
    r"(?:min )?norsk(?:en min)? er (?:ikke (?:sa )?(?:god|bra)|darlig)",
    r"(?:unnskyld|beklager|sorry)(?: for)?(?: min| my)?(?: darlige?| bad)? (?:norsk|norwegian|skriving)",
    r"ikke sa (?:mye|godt|bra)",
    r"(?:sorry|sory|beklager|unnskyld)(?: for)?(?: alle| mange)?(?: mine)? (?:skrivefeil|skrivefeilene|"
    r"stavefeil|stavefeilene|feil|feilene|typos)",
    r"(?:jeg )?(?:er dyslektiker|har dysleksi)",
    r"pensjonist(?: (?:fra|i) (?:<name> ?)+)?",
)
_THANKS_HEAD = (
    r"(?:(?:tusen|mange|hjertelig|stor|kjempe|veldig|en stor|<num>) )?"
    r"(?:takk|takker|tack|tak|thanks|thank you|thx|shukran|merci|danke|gracias|grazie|dziekuje)"
    r"(?: (?:sa mye|sa mycket|so much|very much|a lot|skal du ha|skal dere ha|igjen|ogsa|again|"
    r"alle sammen|til deg|til dere))*"
)
_THANKS = (
    rf"(?:og |and )?{_THANKS_HEAD}(?: (?:for|fordi|for at) (.+))?",
    r"(?:jeg )?(?:vil |ma |onsker a )?takke(?: deg| dere)?(?: (?:for|for at) (.+))?",
    r"(?:jeg )?setter (?:(?:stor|veldig|virkelig|stort) )?pris pa (?:det|hjelpen|svaret|svarene|deg|dere)",
    r"det (?:hjalp|var (?:(?:veldig|til stor|til god|kjempe) )?(?:nyttig|hjelp|fint|bra|til hjelp))"
    r"(?: meg)?(?: (?:mye|masse|veldig))?",
    r"(?:that|it) (?:helped|was (?:very |really )?helpful)(?: (?:a lot|me|so much))?",
)
_FAREWELL = (
    r"(?:(?:da|sa) )?(?:jeg )?(?:takker|takke)(?: jeg)? for meg",
    r"(?:ha det|hade|hadet|hadebra|ha de)(?: (?:bra|godt|fint|sa lenge|sa bra))?",
    r"takk for (?:na|i dag|idag)(?: (?:ha det|hade)(?: bra)?)?",  # "thanks for now": leaving
    r"god (?:helg|jul|sommer|natt)|natta|morna",
    r"adjo|farvel|snakkes(?: senere)?|vi snakkes|vi ses|vi hores(?: senere)?|bye(?: bye)?|goodbye|"
    r"see you(?: later)?|see ya|cya|take care|ma'a salama|ma salama",
    r"(?:jeg )?ma (?:ga|logge av|stikke|dra)(?: na)?",
    r"jeg skal ikke (?:oppta|bruke|ta) mer av (?:din|deres|<name>) tid",
    # "ha en fin dag", "god helg videre"; not "god dag" or "good evening", which greet.
    r"(?:(?:ha|ha en|ha ein|(?:(?:da )?(?:vil jeg|jeg vil|jeg) )?onske[r]? (?:deg|dere|dem|<name>)(?: en)?|have a) )"
    r"(?:fin|god|stralende|"
    r"fortsatt god|fortsatt fin|riktig god|nice|good|great) (?:dag|kveld|helg|jul|sommer|day|"
    r"evening|weekend)(?: videre)?",
    r"(?:fin|god|fortsatt god|fortsatt fin|riktig god) (?:dag|kveld|helg) videre",
    # Closing lines end the conversation as a farewell does.
    r"det var (?:alt|det hele)(?: for na| for i dag| jeg lurte pa| jeg trengte)?",
    r"(?:det var )?(?:vel )?ikke (?:noe |no )?mer(?: jeg lurer pa| a sporre om)?",
    r"(?:da|na) er jeg ferdig",
    r"jeg har ikke (?:flere|noen flere|fler) sporsmal",
    r"(?:that's|thats|that is) all",
)
_SIGN_OFF = (
    r"(?:(?:med )?(?:vennlig|venleg|beste|hjertelig) (?:hilsen|helsing)|mvh|hilsen|regards)(?: <name>)*"
)
# Clauses that add nothing. Not "ja", "nei" or "ok": "Ja, takk" accepts an offer and "Nei,
# takk" declines one, which the dialogue needs as affirm and deny, not thanks.
_FILLER = frozenset({"", "bare", "sa", "da", "na"})
# Words that make a clause a question, or say something, whatever the pattern around them.
_ASKING = frozenset(
    "hvordan hva hvor nar hvem hvilken hvilke hvilket hvorfor lurer sporsmal how what when where why "
    "which ikke".split()
)
_CLAUSE_BREAK = re.compile(r"[.!;:\n,]+|\s(?:og|and|men|but)\s", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+(?:['][^\W\d_]+)?")


def _whole(patterns: str | tuple[str, ...]) -> re.Pattern[str]:
    alternatives = (patterns,) if isinstance(patterns, str) else patterns
    return re.compile("|".join(f"(?:{p})" for p in alternatives).join(("^(?:", ")$")))


_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("farewell", _whole(_FAREWELL)),
    ("thanks", _whole(_THANKS)),
    # A greeting may open a clause about the writer: "hei jeg er ny i norge".
    ("greet", _whole((_GREETING, _INTRODUCTION, *(f"{_GREETING} (?:{a})" for a in _ABOUT_ME)))),
    ("about", _whole(_ABOUT_ME)),
    ("sign-off", _whole(_SIGN_OFF)),
)


def _folded_clause(clause: str, names_allowed: bool) -> str:
    """The clause as folded words; a capitalised word after the first is a name."""
    words = []
    for position, word in enumerate(_TOKEN.findall(clause)):
        if word.isdigit():
            words.append(_NUMBER)
        elif names_allowed and position > 0 and word[0].isupper():
            words.append(_NAME)
        else:
            words.append(normalise_word(word.lower()))
    folded = " ".join(words)
    return folded if names_allowed else _names_in_capitals(folded)


# Words no name is made of: "MITT NAVN ER FEIL I VEDTAKET" names no one.
_NOT_IN_NAMES = frozenset("i pa til for med av om og er ikke min mitt mine sin".split())
_NAMED = re.compile(rf"(?:^|(?<= ))(?:{_NAMING})((?: \S+){{1,{MAX_NAME_WORDS}}})$")


def _names_in_capitals(folded: str) -> str:
    """In a message written in capitals every word looks like a name, so only the words
    after a phrase that only a name can follow are taken as one ("HEI JEG HETER KARI")."""
    match = _NAMED.search(folded)
    if match is None or not _NOT_IN_NAMES.isdisjoint(match.group(1).split()):
        return folded
    count = len(match.group(1).split())
    return folded[: match.start(1)] + f" {_NAME}" * count


def _clause_kind(clause: str, names_allowed: bool) -> str | None:
    folded = _folded_clause(clause, names_allowed)
    if folded in _FILLER:
        return "filler"
    for kind, pattern in _KINDS:
        match = pattern.match(folded)
        if match is None:
            continue
        tail = next((t for t in match.groups() if t), "")
        if _ASKING.isdisjoint(tail.split()):
            return kind
    return None


def small_talk_intent(text: str) -> str | None:
    """`goodbye`, `thanks` or `greet` for a message made only of small-talk clauses; None for
    anything else (a question mark, a clause with a topic, nothing but filler)."""
    if "?" in text:
        return None  # questions, "er du en robot?" included, are the classifiers' to read
    names_allowed = not text.isupper()  # in capitals every word looks like a name
    kinds = set()
    for clause in _CLAUSE_BREAK.split(text):
        kind = _clause_kind(clause.strip(), names_allowed)
        if kind is None:
            return None
        kinds.add(kind)
    if "farewell" in kinds:
        return "goodbye"
    if "thanks" in kinds:
        return "thanks"
    if "greet" in kinds:
        return "greet"
    if kinds == {"sign-off"} or kinds == {"sign-off", "filler"}:
        return "goodbye"
    return None
