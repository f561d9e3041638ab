"""Is a short message too vague for one answer? Plain functions, no Rasa.

"stønad", "penger" or "hjelp søknad" name no question, yet a classifier gives
them some answer, often with high confidence: each word belongs to the examples
of many answers, and the classes must sum to one. Confidence cannot tell that
apart from a clear short question, but the training examples can: a short
message is vague when the examples that hold its content words together belong
to many answers, none of them most. "dagpenger søknad" occurs together mostly in
one answer's examples; "hjelp søknad" in a dozen answers' alike.

Function words are found from the examples too (stems in the examples of a
large share of all answers), so no word list has to be kept by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VaguenessRule:
    """When a message counts as vague. Chosen in docs/confidence.md."""

    max_words: int = 3  # longer messages say enough to be judged by the classifier
    # Vague when this many answers or more each hold a real share (`min_share`) of
    # the examples that have the content words together.
    min_answers: int = 3
    min_share: float = 0.1
    # Fewer examples than this with the words together are too little to judge
    # by; then each word is judged alone, on this many examples at least.
    min_examples_together: int = 2
    min_examples_alone: int = 5
    # A stem in the examples of this share of all answers and intents or more is a
    # function word ("jeg", "hvordan", "nav"); a topic word stays in a few answers.
    function_word_share: float = 0.3


@dataclass(frozen=True)
class ExampleIndex:
    """The training examples' stems, by answer."""

    examples: tuple[tuple[str, frozenset[str]], ...]  # (answer label, the example's stems)
    function_words: frozenset[str]
    vocabulary: frozenset[str]

    @classmethod
    def build(cls, examples: Iterable[tuple[str, Sequence[str]]], rule: VaguenessRule) -> ExampleIndex:
        """Indexes (label, stems) pairs; function words are those spread over most labels."""
        rows = tuple((label, frozenset(stems)) for label, stems in examples)
        spread = Counter(stem for stem, _ in {(s, label) for label, stems in rows for s in stems})
        labels = len({label for label, _ in rows})
        cutoff = max(2.0, rule.function_word_share * labels)
        function_words = frozenset(s for s, n in spread.items() if n >= cutoff)
        return cls(rows, function_words, frozenset(spread))

    def answers_with_all(self, stems: Iterable[str]) -> Counter[str]:
        """How many examples of each answer hold every one of `stems`."""
        wanted = frozenset(stems)
        return Counter(label for label, have in self.examples if wanted <= have)

    def answers_with_each(self, stems: Iterable[str]) -> frozenset[str]:
        """The answers that have every one of `stems` in some example (not all in one)."""
        wanted = frozenset(stems)
        have: dict[str, set[str]] = {}
        for label, example in self.examples:
            have.setdefault(label, set()).update(wanted & example)
        return frozenset(label for label, found in have.items() if found == wanted)

    def save(self, path: Path) -> None:
        data = {
            "examples": [[label, sorted(stems)] for label, stems in self.examples],
            "function_words": sorted(self.function_words),
        }
        path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, path: Path) -> ExampleIndex:
        data = json.loads(path.read_text("utf-8"))
        rows = tuple((str(label), frozenset(stems)) for label, stems in data["examples"])
        return cls(rows, frozenset(data["function_words"]), frozenset(s for _, stems in rows for s in stems))


def content_words(stems: Sequence[str], index: ExampleIndex) -> list[str]:
    """The stems that carry meaning: not function words."""
    return [s for s in stems if s not in index.function_words]


def is_vague(stems: Sequence[str], index: ExampleIndex, rule: VaguenessRule) -> bool:
    """True for a short message whose content words fit many answers alike.

    A short message of function words only ("hva med penger?") is vague too. A
    word the examples never had says nothing either way: such a message is left
    to the classifiers and the confidence gate.
    """
    if not stems or len(stems) > rule.max_words:
        return False
    content = content_words(stems, index)
    if not content:
        return True
    if any(s not in index.vocabulary for s in content):
        return False
    together = _spread(content, index, rule, rule.min_examples_together)
    if together is not None:
        return together
    # Too rare together in one example: the answers whose examples hold every word,
    # each in some example. One or two ("aap amount": only the AAP amount answer has
    # both words) is a question the classifiers can judge; many ("hjelp søknad") is vague.
    sharing = index.answers_with_each(content)
    if sharing:
        return len(sharing) >= rule.min_answers
    # No answer has them all (two subjects at once): vague if every word alone is vague.
    return len(content) > 1 and all(_spread([w], index, rule, rule.min_examples_alone) for w in content)


def _spread(words: Sequence[str], index: ExampleIndex, rule: VaguenessRule, least: int) -> bool | None:
    """Whether the examples with all `words` spread over many answers; None: fewer than `least`."""
    answers = index.answers_with_all(words)
    total = sum(answers.values())
    if total < least:
        return None
    fitting = [label for label, n in answers.items() if n >= rule.min_share * total]
    return len(fitting) >= rule.min_answers
