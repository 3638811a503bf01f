"""The advice the analyzer gives reads in the agent's language (the lexicons are Chinese)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.utils import translation

from kefu.assist.lexicons import DIR
from tests.factories import advance, make_case


def _advice_texts() -> list[str]:
    texts: list[str] = []
    for name in ("forbidden", "behaviour", "etiquette"):
        with open(Path(DIR) / f"{name}.toml", "rb") as fh:
            for entry in tomllib.load(fh).values():
                if not isinstance(entry, dict):
                    continue
                advice = entry.get("advice")
                if isinstance(advice, str):
                    texts.append(advice)
                elif isinstance(advice, dict):
                    texts.extend(str(v) for v in advice.values())
    return texts


def test_every_piece_of_lexicon_advice_has_its_english():
    texts = _advice_texts()
    assert len(texts) >= 20
    with translation.override("en"):
        untranslated = [t for t in texts if translation.gettext(t) == t]
    assert untranslated == []


def test_an_english_speaking_agent_reads_the_advice_in_english(org, client):
    case = advance(org, make_case(org), "assigned")
    client.force_login(org.agent)
    client.cookies["django_language"] = "en"

    panel = client.post(
        f"/cases/{case.number}/assist/check/",
        {"msg-kind": "outbound", "msg-body": "公司的规定就是这样的。"},
    ).content.decode()

    assert "Hiding behind the rules is passing the buck." in panel
    assert "拿规定挡客户是推诿" not in panel
