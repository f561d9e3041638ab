"""Spelling normalisation for Norwegian chat text: plain functions, no Rasa.

Visitors write æ/ø/å as ae/oe/aa or drop them (a/o), write Nynorsk or dialect,
and mix in English. The functions here map those variants onto one form so that
"søke", "soeke" and "soke" become the same feature.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Nynorsk and dialect word forms → Bokmål. Only unambiguous, frequent function
# words and question words: a wrong mapping costs more than a missing one, and
# content words are left to the stemmer and the fuzzy vocabulary match.
DIALECT_TO_BOKMAL: dict[str, str] = {
    # jeg / meg / deg / seg
    "eg": "jeg",
    "æ": "jeg",
    "je": "jeg",
    "jæ": "jeg",
    "mæ": "meg",
    "dæ": "deg",
    "sæ": "seg",
    # hva / hvor / hvordan / hvem / hvorfor / når
    "kva": "hva",
    "ka": "hva",
    "kå": "hva",
    "va": "hva",
    "hvafor": "hvorfor",
    "kor": "hvor",
    "korleis": "hvordan",
    "kordan": "hvordan",
    "koss": "hvordan",
    "kossen": "hvordan",
    "åssen": "hvordan",
    "hvordn": "hvordan",
    "kem": "hvem",
    "kæm": "hvem",
    "kven": "hvem",
    "kvifor": "hvorfor",
    "korfor": "hvorfor",
    "åffer": "hvorfor",
    "kvar": "hver",
    "kvart": "hvert",
    "kår": "hvor",
    # ikke / noe / noen / nå / bare / mye
    "ikkje": "ikke",
    "ikkj": "ikke",
    "itj": "ikke",
    "ittj": "ikke",
    "noko": "noe",
    "nokon": "noen",
    "nåkka": "noe",
    "nokka": "noe",
    "nokke": "noe",
    "nåke": "noe",
    "noge": "noe",
    "no": "nå",
    "berre": "bare",
    "bærre": "bare",
    "mykje": "mye",
    "mykkje": "mye",
    # pronouns and small words
    "me": "vi",
    "dokker": "dere",
    "dokke": "dere",
    "dykk": "dere",
    "dei": "de",
    "ho": "hun",
    "ein": "en",
    "eit": "et",
    "frå": "fra",
    "ifrå": "fra",
    "heime": "hjemme",
    # frequent verbs
    "kjem": "kommer",
    "treng": "trenger",
    "veit": "vet",
    "fekk": "fikk",
    "gjer": "gjør",
    "vere": "være",
    "vera": "være",
    "søkje": "søke",
    "søkja": "søke",
    "sjå": "se",
    "sjekka": "sjekke",
    "betala": "betale",
    "har'kje": "har ikke",
    "sku": "skulle",
    "sjuk": "syk",
    "sjukmeld": "sykmeldt",
    "sjukmeldt": "sykmeldt",
    "sjukemeldt": "sykmeldt",
    "sjukepengar": "sykepenger",
    "pengar": "penger",
    "pengane": "pengene",
    "dagpengar": "dagpenger",
    "dagpengane": "dagpengene",
    "ungane": "barna",
    "borna": "barna",
    "unga": "barna",
    "ungan": "barna",
    # More question and function words (North, Trøndersk, West, Nynorsk)
    "korsn": "hvordan",
    "kossn": "hvordan",
    "kolles": "hvordan",
    "kortid": "når",
    "katti": "når",
    "kafor": "hvorfor",
    "kaffor": "hvorfor",
    "koffor": "hvorfor",
    "kåffer": "hvorfor",
    "e": "er",
    "ska": "skal",
    "te": "til",
    "tel": "til",
    "tå": "av",
    "itte": "ikke",
    "inkje": "ikke",
    "någe": "noe",
    "nåkke": "noe",
    "nåken": "noen",
    "nånn": "noen",
    "nokre": "noen",
    "fleire": "flere",
    "viss": "hvis",
    "vess": "hvis",
    "òg": "også",
    "au": "også",
    "sjølv": "selv",
    "sjøl": "selv",
    "heile": "hele",
    "heilt": "helt",
    "eigen": "egen",
    "hu": "hun",
    "dæm": "dem",
    "dykkar": "deres",
    "deira": "deres",
    "hennar": "hennes",
    "sidan": "siden",
    "fyrst": "først",
    "heim": "hjem",
    "saman": "sammen",
    "gong": "gang",
    "gongen": "gangen",
    # Time words
    "morgon": "morgen",
    "morgo": "morgen",
    "mårå": "morgen",
    "mårra": "morgen",
    "morra": "morgen",
    "imorgen": "i morgen",
    "imorgo": "i morgen",
    "imårå": "i morgen",
    "imorra": "i morgen",
    "imårra": "i morgen",
    "idag": "i dag",
    "igår": "i går",
    "kveill": "kveld",
    "veke": "uke",
    "veka": "uka",
    "vekene": "ukene",
    "månad": "måned",
    "månaden": "måneden",
    "måndag": "mandag",
    "tysdag": "tirsdag",
    "laurdag": "lørdag",
    "sundag": "søndag",
    "vêr": "vær",
    "vêret": "været",
    "veret": "været",
    # Verbs: Nynorsk and West Norwegian -a/-je infinitives, other forms
    "verte": "bli",
    "vert": "blir",
    "vart": "ble",
    "gjere": "gjøre",
    "gjera": "gjøre",
    "seie": "si",
    "spørje": "spørre",
    "spørja": "spørre",
    "finna": "finne",
    "visa": "vise",
    "leggje": "legge",
    "legga": "legge",
    "laga": "lage",
    "bestilla": "bestille",
    "sletta": "slette",
    "fjerna": "fjerne",
    "avlysa": "avlyse",
    "starta": "starte",
    "stoppa": "stoppe",
    "endra": "endre",
    "spela": "spille",
    "spele": "spille",
    "høyra": "høre",
    "lesa": "lese",
    "skriva": "skrive",
    "kjøpa": "kjøpe",
    "hjelpa": "hjelpe",
    "snakka": "snakke",
    "prata": "prate",
    "svara": "svare",
    "ønskjer": "ønsker",
    "ønskje": "ønske",
    # Nynorsk present tense (-ar) and -ast forms of the chat verbs: "snakkar eg med eit
    # menneske?" must read as the machine question, "snakkast" as a goodbye.
    "snakkar": "snakker",
    "pratar": "prater",
    "chattar": "chatter",
    "svarar": "svarer",
    "snakkast": "snakkes",
    "høyrast": "høres",
    # Nav words in Nynorsk
    "løn": "lønn",
    "sjukdom": "sykdom",
    "sjukehus": "sykehus",
    "sjukepengane": "sykepengene",
    "sjukmelding": "sykmelding",
    "sjukemelding": "sykmelding",
    "bustad": "bolig",
    "husleige": "husleie",
    "leige": "leie",
    "straum": "strøm",
    "rettleiar": "veileder",
    "rettleiing": "veiledning",
}

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "è": "e", "ü": "u", "ö": "o", "ä": "ae"})
_DIGRAPHS = re.compile(r"aa|oe")
# Words whose "aa" is not an å: AAP (arbeidsavklaringspenger) must not fold to "ap",
# which shares its letters with every "åp..." word ("åpningstid", "åpen").
_NOT_FOLDED = frozenset({"aap"})
_REPEATS = re.compile(r"(.)\1{2,}")

_stemmer = snowballstemmer.stemmer("norwegian")


def clean(text: str) -> str:
    """Lower-case and Unicode-normalise a text, and shorten letter runs ("hjelppp")."""
    text = unicodedata.normalize("NFC", text).lower()
    return _REPEATS.sub(r"\1\1", text)


def to_bokmal(word: str) -> str:
    """Map a lower-cased Nynorsk or dialect word form to its Bokmål form."""
    return DIALECT_TO_BOKMAL.get(word, word)


def fold(word: str) -> str:
    """Fold æ/ø/å and their ASCII spellings onto one form.

    "søke", "soeke" and "soke" all become "soke"; "går" and "gaar" become "gar".
    """
    if word in _NOT_FOLDED:
        return word
    head, hyphen, rest = word.partition("-")
    if hyphen and head in _NOT_FOLDED:  # "aap-søknaden": spaCy keeps the compound whole
        return head + hyphen + fold(rest)
    return _DIGRAPHS.sub(lambda m: m.group(0)[0], word.translate(_FOLD))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Norwegian) stem of a lower-cased word, folded afterwards.

    The tokenizer passes the word already folded, on purpose: a visitor who types
    "forstar" or "ogsa" then gets the same stem as one who types "forstår" or "også".
    The price is that a folded "-ar"/"-a" ending is stripped ("forstår" and "først"
    share the stem "forst"); consistency across spellings matters more here.
    """
    return fold(_stemmer.stemWord(word))


def normalise_word(word: str, dialect: bool = True) -> str:
    """The folded Bokmål form of one lower-cased word."""
    return fold(to_bokmal(word) if dialect else word)


_WORD = re.compile(r"[\w']+")


def bokmal_text(text: str) -> str:
    """The text with its Nynorsk and dialect words replaced by Bokmål ones.

    Lower-cased, punctuation and æøå kept: for models that read whole sentences.
    """
    return _WORD.sub(lambda m: to_bokmal(m.group(0)), clean(text))
