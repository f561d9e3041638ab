"""Is a message only a greeting and the writer's name? A plain rule, no Rasa.

Visitors who write as in a letter open with their name ("God dag. Her skriver Kari
Nordmann."). The classifiers know none of the names, so the few other words decide,
and "skriver" once took such a greeting to the answer about privacy in the chat: a
confident wrong answer to a message that asked nothing. A message that is only a
greeting and a self-introduction is a greeting.

Names are told by their capital letters, in the message as written: "jeg heter Kari"
introduces someone, "dette er vanskelig for meg" does not, and a message that goes
on after the name ("jeg heter Kari og lurer på dagpenger") asks something.
"""

from __future__ import annotations

import re

from bot.nlu.normalize import normalise_word

# Greeting words a self-introduction may open with (folded Bokmål, and English).
_GREETING_WORDS = frozenset(
    "hei hallo heisann hallais halla hoi hej god goddag dag morgen kveld ettermiddag morn "
    "hi hello hey good morning afternoon evening dear".split()
)
# "Her skriver", "jeg heter", "mitt navn er", "my name is", ... as folded word sequences.
_INTRODUCTIONS = tuple(
    tuple(phrase.split())
    for phrase in (
        "her skriver",
        "her er",
        "jeg heter",
        "jeg heiter",
        "mitt navn er",
        "navnet mitt er",
        "navnet er",
        "my name is",
        "this is",
    )
)
# A name: one to four words, each capitalised as written ("Ingrid Solberg", "Per Ola Berg").
MAX_NAME_WORDS = 4
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


def is_self_introduction(text: str) -> bool:
    """Whether the whole message is a greeting (optional) and the writer's name."""
    written = _WORD.findall(text)  # as written: the capitals tell the name
    folded = [normalise_word(word.lower()) for word in written]
    start = 0
    while start < len(folded) and folded[start] in _GREETING_WORDS:
        start += 1
    for phrase in _INTRODUCTIONS:
        end = start + len(phrase)
        if tuple(folded[start:end]) != phrase:
            continue
        name = written[end:]
        return 1 <= len(name) <= MAX_NAME_WORDS and all(word[0].isupper() for word in name)
    return False
