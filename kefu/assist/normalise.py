"""Text normalisation for the analyzer, keeping a map back to the original characters.

Rules and the model read the normalised text (NFKC, Simplified characters, lower case, common
typos fixed, emoji variation selectors dropped); every span they report is mapped back through
`Normalised.span` so evidence always points into the text the user typed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from kefu.assist.lexicons import fix_typos
from kefu.core.text import to_simplified

_DROP = frozenset("\ufe0f\ufe0e\u200b\u200c\u200d\ufeff")
_ID = re.compile(r"[a-z]{0,4}[\d*#]{5,}[a-z\d*#-]*")
_NUM = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class Normalised:
    original: str
    text: str
    # offsets[i] is the index in `original` of text[i]; one extra entry closes the last span.
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original-text span of normalised characters [start, end)."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


@functools.lru_cache(maxsize=4096)
def _char(ch: str) -> str:
    if ch in _DROP:
        return ""
    return unicodedata.normalize("NFKC", ch).lower()


def normalise(text: str) -> Normalised:
    pieces: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        out = ch if ch.isascii() and not ch.isupper() else _char(ch)
        pieces.append(out)
        offsets.extend([i] * len(out))
    folded = "".join(pieces)
    simplified = to_simplified(folded)
    if len(simplified) != len(folded):
        # A phrase conversion changed the length: convert one character at a time instead.
        simplified = "".join(to_simplified(c) if len(to_simplified(c)) == 1 else c for c in folded)
    simplified = fix_typos(simplified)
    offsets.append(len(text))
    return Normalised(original=text, text=simplified, offsets=tuple(offsets))


def model_text(text: str) -> str:
    """What the classifier reads: normalised text with identifiers and numbers folded."""
    text = _ID.sub(" 编号 ", text)
    return _NUM.sub("0", text)
