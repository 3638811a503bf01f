"""Chinese-aware text normalisation and tokens for full-text search.

Search indexes character bigrams of every CJK run (plus whole Latin/digit words), after
converting Traditional to Simplified characters. A query is tokenised the same way and
matched as a phrase, so any 2+ character query behaves like a substring match — 话费, 退款
and 维修 find every case that contains them, with no dictionary to keep in step (measured:
bigrams 100% recall vs 98.6% for jieba; see shared/guides/CHINESE-TEXT.md).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ebef"
_RUN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text) if text else ""


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), Simplified characters, lower case."""
    return to_simplified(unicodedata.normalize("NFKC", text or "")).lower()


def _run_tokens(run: str) -> list[str]:
    if _CJK_RUN.match(run):
        if len(run) == 1:
            return [run]
        return [run[i : i + 2] for i in range(len(run) - 1)]
    return [run]


def index_tokens(text: str) -> str:
    """The space-joined tokens stored in the search index."""
    return " ".join(tok for run in _RUN.findall(normalize(text)) for tok in _run_tokens(run))


def query_terms(query: str) -> list[list[str]]:
    """A query as a list of phrases (one per run); every phrase must match.

    A single CJK character is returned as a one-token phrase marked by a trailing '*'
    (prefix match against the bigrams that start with it).
    """
    phrases: list[list[str]] = []
    for run in _RUN.findall(normalize(query)):
        if _CJK_RUN.match(run) and len(run) == 1:
            phrases.append([run + "*"])
        else:
            phrases.append(_run_tokens(run))
    return phrases


def clip_to_width(text: str, width: int) -> str:
    """`text` cut to `width` columns as a screen shows it (a Chinese character takes two), with
    an ellipsis when cut: chart labels fit the same room in either language."""
    used = 0
    for i, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > width:
            return text[: max(i - 1, 0)].rstrip() + "…"
    return text
