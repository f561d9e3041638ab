"""Which language does the visitor write? Plain rules over a language detector, no Rasa.

The bot answers in Norwegian Bokmål or English. A message decides the conversation's
language only when it is, as a whole, in one of them; otherwise (a single word, a
topic name, "CV", a mixed message without a clear side) the conversation keeps the
language it has. Messages in another language (Polish, Ukrainian, Arabic, Somali,
Tigrinya, ...) are told which languages the chat speaks and how to get an interpreter.

Two kinds of evidence, because neither is enough alone on chat messages:
- words only one of the two languages uses, mostly function words ("jeg", "ikke",
  "hvordan" / "I", "the", "how"), and the letters æ, ø, å; loan words Norwegians use
  ("jobb", "CV", "app", "chat") are in neither list, so they never make a message English;
- the detector's confidences (lingua, which ships its own models and is made for short
  text), over the languages Nav's visitors write; the Scandinavian languages count as
  Norwegian (a Dane or a Swede is answered in Norwegian), Nynorsk too.
Letters of another script (Cyrillic, Arabic, Ethiopic, ...) are another language,
whatever the detector knows of it (it has no Tigrinya).

A message in Latin letters is called another language only when its words say so too:
the detector's fast mode is sometimes sure of Finnish for "Sett en alarm for klokka 5"
or of Italian for "Ka e temperaturen i London", and such a visitor must get an answer,
not "we speak Norwegian and English". So before that, each word is weighed by how
common it is in written Scandinavian against the guessed language (wordfreq's lists).

The measurements behind the thresholds: docs/english.md (bench/language_detection.py).
"""

from __future__ import annotations

import gzip
import importlib.util
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

import msgpack


class Language(str, Enum):
    """The languages the bot answers in."""

    NORWEGIAN = "nb"
    ENGLISH = "en"


# A message in neither: the answer is the bilingual "we speak Norwegian and English".
OTHER = "other"

# Counted as Norwegian: Bokmål, Nynorsk and the neighbours a Norwegian answer serves.
SCANDINAVIAN = frozenset({"nb", "nn", "da", "sv"})

# Only Norwegian (folded of nothing: the words as written, lower case).
NORWEGIAN_WORDS = frozenset(
    """
    jeg eg æ meg deg du dere vi oss han hun ho hen dem
    er var har hadde blir ble vil skal kan må kunne skulle ville burde får fikk
    ikke ikkje ikkje itj ka kva hva hvordan korleis kordan åssen hvorfor kvifor
    hvor kor når hvem kven hvilken hvilke kvifor
    og eller men fordi hvis dersom om at som
    min mitt mine din ditt dine sin sitt sine vår vårt våre deres
    på til fra frå med av hos etter før uten utan mellom mot gjennom
    det den dette denne disse de noe noen ingen alle mye mange litt
    ja nei hei heisann hallo takk tusen ha hadet
    en ei et ett nå no her der også bare berre da så enn
    jobben trenger lurer skjer
    """.split()
)

# Nav's Norwegian words that people who write English borrow ("I sent my søknad"):
# half a word each, so a Norwegian telegraphic message ("søke penger") stays Norwegian
# while an English sentence around one of them stays English.
NORWEGIAN_TERMS = frozenset("søke søknad søknaden penger pengene lønn lønna lønnen".split())

# Only English: function words and common verbs.
_ENGLISH_FUNCTION_WORDS = frozenset(
    """
    i i'm im i've ive i'd me my you your you're we our they their he she his her it its
    is are am was were be been being do does did don't dont doesn't didn't can't cant
    won't would could should will shall may might must have has had
    the a an this that these those there here
    how what when where who why which whom
    and or but because if with without from about into of to at by
    not no yes please thanks thank hello hi
    get got need want apply applied pay paid money work job lost sick leave help didnt didn't
    talk speak human person someone anyone
    in on as more than then also only just very after before up out off some every each
    new next first last read write call see find know make take give tell
    """.split()
)
# Nav's subjects in English, for telegraphic messages ("retirement pension age", "tax
# card"): the words of Nav's English pages for its benefits and services, and common
# misspellings of them. Words a Norwegian sentence borrows or shares are left out:
# "status", "bank", "deadline", "app", "chat", "plan", "data", "student", "baby", "time"
# (Norwegian for an appointment), "late" ("late som"), "sent" ("for sent"), "send",
# "personal" (staff), "son" (Nynorsk), "real", "sum", "register", "agent", "login".
ENGLISH_SUBJECT_WORDS = frozenset(
    """
    benefit benefits allowance pension retirement disability unemployment unemployed
    sickness sick parental maternity paternity pregnant pregnancy child children kids
    payment payments paid salary wages income tax account appeal complaint decision
    application apply applying interpreter meeting appointment office phone number
    contact address moved moving abroad debt advice care cash single mother father
    employer employment job jobs work working fired laid dismissed notice doctor
    age amount how much long when where why day days week weeks month months year years
    food rent housing home emergency danger violence
    card calculator calculation calculate estimate dates date payout payday hours opening
    telephone letter letters case caseworker advisor adviser counsellor counselor
    translator attorney power maintenance lump grant transitional attendance
    layoff furlough furloughed temporary jobseeker seeker seekers vacancy vacancies
    certificate note leave daughter wife husband parents kid born birth newborn
    adoption divorce separated widow widowed survivor funeral
    kindergarten daycare nursery school fee fees loan overpayment overpaid repay refund
    deduction deducted withholding taxes earnings wage earn
    assistive device devices wheelchair hearing aid glasses
    social assistance financial counselling counseling homeless shelter hungry
    privacy protection information saved stored
    activity activities advisor's employer's injury injured accident illness ill disease
    hospital treatment rehabilitation medical refugee refugees asylum residence permit
    mistake wrong correct correction form forms submit submitted received receive password human
    unemployement unemploymet benifit benifits benefet pention pensoin aplication
    aplly recieve recive payed sallary emplyer desicion disabilty retirment allowence
    adress acount sicknes seek
    """.split()
)
ENGLISH_WORDS = _ENGLISH_FUNCTION_WORDS | ENGLISH_SUBJECT_WORDS
# English words Norwegians write in Norwegian messages: in neither list, and a message
# with one never leans English on the detector's word alone ("jobb deadline", "live chat").
LOAN_WORDS = frozenset(
    """
    jobb jobber cv app appen apps chat chatten live online status bank banken deadline
    mail e-mail email link support team teams data plan baby student ok okay login drop
    """.split()
)
# Words both languages write the same way: no evidence for either.
_SHARED = frozenset({"i", "a", "for", "men", "at", "hi", "no", "her", "by", "hallo"})
# English words that are Norwegian words too ("to uker", "be om", "AS", "en person"): they
# count for English in a sentence, but alone never make a message lean English.
_ALSO_NORWEGIAN = frozenset({"to", "as", "be", "do", "an", "person"})

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_LINK = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
_NORWEGIAN_LETTERS = re.compile(r"[æøåÆØÅ]")

# A message decides alone only from this many words on (a single word is a topic,
# a greeting or a loan word far more often than a choice of language).
MIN_WORDS = 2
# The detector's confidence (0–1, over the languages it weighs) that decides.
MIN_CONFIDENCE = 0.5
# Sure enough of another language to answer "we speak Norwegian and English" to a
# message in Latin letters (a false "other" leaves a Norwegian or English visitor
# without an answer; lingua's low-accuracy mode can take three English words for French).
SURE_OTHER = 0.9

# The detector: text -> {language code: confidence}. Swappable for the measurement.
Detector = Callable[[str], Mapping[str, float]]
# How common a word is in a language: (word, language code) -> Zipf frequency (0 for a
# word the language's list does not have, 3 for once in a million words, 7 for "og"),
# or None when there is no list for the language.
WordFrequency = Callable[[str, str], "float | None"]

# A word counts for a language from this Zipf frequency on (once in a million words):
# rarer words are names, typos and borrowings in every list.
COMMON_WORD_ZIPF = 3.0


@dataclass(frozen=True)
class Detection:
    """What one message says about the language.

    `language` is "nb", "en", OTHER, or None when the message does not decide;
    `guess` is the detector's best language code ("pl", "uk", ...), for people to read;
    `lean` is "en" for a message that does not decide but is plainly English ("tax card",
    "opening hours"): enough to open a conversation in English, not to switch one
    (`opening_language`).
    """

    language: str | None
    guess: str | None = None
    lean: str | None = None


def words(text: str) -> list[str]:
    """The message's words, lower case, links and numbers left out."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(_LINK.sub(" ", text))]


def foreign_script_share(text: str) -> float:
    """The share of the letters that are neither Latin nor digits: Cyrillic, Arabic, Ethiopic..."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    foreign = sum(1 for ch in letters if not unicodedata.name(ch, "").startswith("LATIN"))
    return foreign / len(letters)


def evidence(tokens: list[str], text: str) -> tuple[float, float]:
    """(Norwegian, English) evidence: words only one language uses; æøå count for Norwegian."""
    norwegian: float = sum(1 for w in tokens if w in NORWEGIAN_WORDS and w not in _SHARED)
    norwegian += 0.5 * sum(1 for w in tokens if w in NORWEGIAN_TERMS)
    english: float = sum(1 for w in tokens if w in ENGLISH_WORDS and w not in _SHARED)
    # "I" in capitals is English; "i" in lower case is as often Norwegian "in".
    english += sum(1 for w in _WORD.findall(text) if w in {"I", "I'm", "I've", "I'd"})
    if _NORWEGIAN_LETTERS.search(text):
        # Half a word: English messages name Nav's benefits in Norwegian ("uføretrygd").
        norwegian += 0.5
    return norwegian, english


def reads_as_scandinavian(tokens: list[str], guess: str, frequency: WordFrequency | None = None) -> bool:
    """Whether as many of the words are commoner in Norwegian, Danish or Swedish as in the
    guessed language: the words' own say before a Latin-letter message is called another
    language ("sett en alarm for klokka 5": five Norwegian words, none Finnish). For a
    guessed language without a list (Somali), a word uncommon in Scandinavian counts for it."""
    zipf = frequency or word_frequency
    scandinavian = guessed = 0
    for word in tokens:
        ours = max(zipf(word, code) or 0.0 for code in ("nb", "da", "sv"))
        theirs = zipf(word, guess)
        if theirs is None:
            theirs = COMMON_WORD_ZIPF if ours < COMMON_WORD_ZIPF else 0.0
        if ours >= COMMON_WORD_ZIPF and ours >= theirs:
            scandinavian += 1
        elif theirs >= COMMON_WORD_ZIPF and theirs > ours:
            guessed += 1
    return scandinavian > 0 and scandinavian >= guessed


def detect_language(
    text: str, detector: Detector | None = None, frequency: WordFrequency | None = None
) -> Detection:
    """The language of one visitor message, or None when it does not decide."""
    tokens = words(text)
    if not tokens:
        return Detection(None)
    scores = (detector or lingua_confidences)(_LINK.sub(" ", text))
    guess = max(scores, key=lambda code: scores[code]) if scores else None
    if foreign_script_share(text) >= 0.5:
        return Detection(OTHER, guess)
    norwegian, english = evidence(tokens, text)
    scandinavian = sum(scores.get(code, 0.0) for code in SCANDINAVIAN)
    english_score = scores.get("en", 0.0)
    if len(tokens) < MIN_WORDS:
        return Detection(None, guess)
    # Plainly English, even where it does not decide: two words or more, more English
    # words than Norwegian with one of Nav's subjects among them ("tax card",
    # "uføretrygd application"), or no Norwegian word, no loan word and the detector
    # sure of English ("processing time"; not "personvern chat", "jobb deadline").
    subject = any(w in ENGLISH_SUBJECT_WORDS for w in tokens)
    loan = any(w in LOAN_WORDS for w in tokens)
    # Or an English word beside Nav's Norwegian names and no Norwegian word at all
    # ("meldekort how often", "fullmakt for my dad", "uføretrygd who gets"): people who
    # write Norwegian write at least one Norwegian word around the names.
    norwegian_words = sum(1 for w in tokens if w in NORWEGIAN_WORDS and w not in _SHARED)
    telling_english = any(w in ENGLISH_WORDS and w not in _SHARED | _ALSO_NORWEGIAN for w in tokens)
    plainly_english = (
        (english > norwegian and (subject or english >= 2))
        or (not norwegian and not loan and english_score >= max(MIN_CONFIDENCE, scandinavian))
        or (telling_english and not norwegian_words and not loan and english > norwegian)
    )
    lean = Language.ENGLISH.value if plainly_english else None
    # A whole message in English: English words and none of Norwegian's, or English
    # words clearly outnumbering a Norwegian name in it ("how do I søke dagpenger").
    mostly_english = english and (not norwegian or english >= 2 * norwegian + 1)
    if mostly_english and (english >= 2 or english_score >= MIN_CONFIDENCE):
        return Detection(Language.ENGLISH.value, guess)
    foreign = (
        bool(guess)
        and guess not in SCANDINAVIAN
        and guess != "en"
        and not reads_as_scandinavian(tokens, str(guess), frequency)
    )
    # One short word Norwegian shares with another language ("de", "om") in a
    # sentence the detector is sure of: Romanian, Dutch, ...
    if foreign and not english and norwegian <= 1 and len(tokens) >= 4 and scores[str(guess)] >= SURE_OTHER:
        return Detection(OTHER, guess)
    if norwegian and norwegian >= english:
        return Detection(Language.NORWEGIAN.value, guess)
    if len(tokens) < MIN_WORDS + 1:
        return Detection(None, guess, lean)
    # No telling words (typos, telegraphic style, another language): the detector decides.
    if english_score >= max(MIN_CONFIDENCE, scandinavian) and not norwegian:
        return Detection(Language.ENGLISH.value, guess)
    # The detector reads Nav's Norwegian names as Norwegian; without a Norwegian word
    # around them, a leaning message stays undecided rather than Norwegian.
    if lean and not norwegian_words:
        return Detection(None, guess, lean)
    if scandinavian >= MIN_CONFIDENCE:
        return Detection(Language.NORWEGIAN.value, guess)
    if foreign and not norwegian and not english and scores[str(guess)] >= SURE_OTHER:
        return Detection(OTHER, guess)
    return Detection(None, guess, lean)


# "Can I speak English?", "english please", "på engelsk" / "kan vi snakke norsk".
_ENGLISH_REQUEST = re.compile(
    r"\b(?:(?:speak|talk|write|chat|answer|reply|continue|respond)\b[\w\s]{0,20}\benglish"
    r"|english\s*(?:please|pls|plz)|in english|english\?|(?:på|paa|pa) engelsk|engelsk\s*takk"
    r"|snakke engelsk|do you (?:speak|understand) english)\b",
    re.IGNORECASE,
)
_NORWEGIAN_REQUEST = re.compile(
    r"\b(?:(?:på|paa|pa) (?:norsk|bokmål|bokmal)|snakke norsk|skrive norsk|norsk\s*(?:takk|please)"
    r"|(?:speak|talk|write|answer|reply|continue)\b[\w\s]{0,20}\bnorwegian|in norwegian)\b",
    re.IGNORECASE,
)
# The widget's switch and a one-word answer name the language alone.
_ONE_WORD = {"english": Language.ENGLISH, "engelsk": Language.ENGLISH, "norsk": Language.NORWEGIAN}


def requested_language(text: str) -> Language | None:
    """The language the visitor asks the chat to speak, if the message asks for one."""
    tokens = words(text)
    if len(tokens) == 1 and tokens[0] in _ONE_WORD:
        return _ONE_WORD[tokens[0]]
    if _ENGLISH_REQUEST.search(text):
        return Language.ENGLISH
    if _NORWEGIAN_REQUEST.search(text):
        return Language.NORWEGIAN
    return None


def opening_language(detection: Detection, language_set: bool) -> Language | None:
    """The language a message that does not decide gives a conversation whose language
    nothing has set yet (no message decided, no choice): English when the message leans
    English, so a first "sick note" or "opening hours" is not answered in Norwegian by
    default. Once set, only a message that decides changes it (`conversation_language`)."""
    if language_set or detection.language is not None or detection.lean != Language.ENGLISH.value:
        return None
    return Language.ENGLISH


def conversation_language(current: str | None, detection: Detection) -> Language:
    """The conversation's language after a message: the message's own when it decides
    for Norwegian or English, else the language the conversation had (Norwegian at first)."""
    if detection.language in {Language.ENGLISH.value, Language.NORWEGIAN.value}:
        return Language(detection.language)
    return Language.ENGLISH if current == Language.ENGLISH.value else Language.NORWEGIAN


# The languages the detector weighs: Nav's visitors write these (and the scripts rule
# above catches the rest). Fewer languages: less memory, fewer look-alikes.
LINGUA_LANGUAGES = (
    "ENGLISH BOKMAL NYNORSK DANISH SWEDISH GERMAN DUTCH FRENCH SPANISH PORTUGUESE ITALIAN "
    "POLISH LITHUANIAN LATVIAN ESTONIAN FINNISH ROMANIAN CROATIAN SERBIAN BOSNIAN ALBANIAN "
    "TURKISH SOMALI SWAHILI TAGALOG VIETNAMESE INDONESIAN UKRAINIAN RUSSIAN ARABIC PERSIAN "
    "URDU THAI CHINESE"
).split()


@lru_cache(maxsize=2)
def lingua_detector(high_accuracy: bool = False) -> object:
    """lingua over LINGUA_LANGUAGES. Low-accuracy mode (trigrams only) by default: on our
    set it decides as well as the high-accuracy mode inside the rule, in ~30 MB of memory
    instead of ~520 MB (docs/english.md)."""
    from lingua import Language as LinguaLanguage
    from lingua import LanguageDetectorBuilder

    languages = [getattr(LinguaLanguage, name) for name in LINGUA_LANGUAGES]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    return (builder if high_accuracy else builder.with_low_accuracy_mode()).build()


_LINGUA_CODES = {"BOKMAL": "nb", "NYNORSK": "nn"}


def lingua_confidences(text: str, high_accuracy: bool = False) -> dict[str, float]:
    """lingua's confidence per language (ISO 639-1 codes), zeros left out."""
    detector = lingua_detector(high_accuracy)
    out: dict[str, float] = {}
    for value in detector.compute_language_confidence_values(text):  # type: ignore[attr-defined]
        if value.value <= 0:
            continue
        name = value.language.name
        code = _LINGUA_CODES.get(name) or value.language.iso_code_639_1.name.lower()
        out[code] = float(value.value)
    return out


# wordfreq's lists under the detector's codes: one list for Bosnian, Croatian and
# Serbian, Filipino's for Tagalog. Languages without a list (Somali, Swahili, Albanian,
# Estonian, Thai) have none here: wordfreq's nearest match for them would be English.
_WORDFREQ_CODES = {"hr": "sh", "sr": "sh", "bs": "sh", "tl": "fil"}


def warm_up() -> None:
    """Loads the detector's models and the Scandinavian word lists, so the first visitor
    does not wait for them (a guessed language's own list still loads when first needed)."""
    lingua_confidences("hei")
    for code in ("nb", "da", "sv"):
        word_frequency("hei", code)


def word_frequency(word: str, language: str) -> float | None:
    """The word's Zipf frequency in the language (0 when not among its common words), or
    None for a language without a list. The word is looked up as `words` gives it."""
    table = _zipf_table(_WORDFREQ_CODES.get(language, language))
    return None if table is None else table.get(word, 0.0)


# wordfreq's small lists: every word from once in a million on (Zipf 3), 3–7 MB each in
# memory. The three Scandinavian lists stay; the other three are the languages guessed
# last (wordfreq's own loaders keep every list ever asked for, and importing wordfreq
# costs 17 MB more for pkg_resources: its data files are read directly instead).
@lru_cache(maxsize=6)
def _zipf_table(code: str) -> dict[str, float] | None:
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("wordfreq is not installed (requirements/bot.lock)")
    path = Path(spec.submodule_search_locations[0]) / "data" / f"small_{code}.msgpack.gz"
    if not path.exists():
        return None
    # A header, then one bucket of words per centibel, from a frequency of 1 (0 cB)
    # down; Zipf is log10 of the frequency per billion words: (cB + 900) / 100.
    with gzip.open(path, "rb") as packed:
        header, *buckets = msgpack.load(packed, raw=False)
    if header.get("format") != "cB":
        raise ValueError(f"{path}: not a wordfreq cBpack file")
    return {word: (900 - i) / 100 for i, bucket in enumerate(buckets) for word in bucket}
