"""Every Chinese string in the product has its English translation in the compiled catalogues.

Each app may keep its own catalogue (``kefu/<app>/locale``); Django merges them all, so the
check runs over the whole package.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import trans_real

KEFU = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
# The translate tag doubles a string's percent signs before looking it up (as makemessages
# writes them), so its catalogue entry has "%%" where the template has "%".
TAG_PATTERNS = [
    re.compile(r'{% (?:translate|trans) "([^"]+)"'),
    re.compile(r"{% (?:translate|trans) '([^']+)'"),
]
PATTERNS = [re.compile(r'\b_\(\s*"([^"]+)"\s*\)')]
BLOCKS = re.compile(
    r"{% blocktranslate[^%]*%}(.*?)(?:{% plural %}.*?)?{% endblocktranslate %}", re.S
)


def _source_strings() -> set[str]:
    found: set[str] = set()
    for path in [*KEFU.rglob("*.html"), *KEFU.rglob("*.py")]:
        if {"tests", "migrations", "corpus", "static"} & set(path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in PATTERNS:
            found.update(m for m in pattern.findall(text) if CJK.search(m))
        for pattern in TAG_PATTERNS:
            found.update(m.replace("%", "%%") for m in pattern.findall(text) if CJK.search(m))
        for block in BLOCKS.findall(text):
            found.add(re.sub(r"{{ *(\w+) *}}", r"%(\1)s", block))
    return found


def test_every_chinese_string_of_the_product_has_an_english_translation():
    catalog = trans_real.translation("en")._catalog  # type: ignore[attr-defined]
    strings = _source_strings()

    def english(msgid: str) -> str | None:
        # Plural entries are keyed by (msgid, form).
        value = catalog.get(msgid) or catalog.get((msgid, 1))
        return None if value is None else str(value)

    missing = sorted(s for s in strings if english(s) is None)
    untranslated = sorted(s for s in strings if CJK.search(english(s) or ""))

    assert len(strings) > 150
    assert missing == []
    assert untranslated == []


def test_the_compiled_catalogues_are_loaded():
    with translation.override("en"):
        assert translation.gettext("我的工单") == "My cases"
        assert translation.ngettext("共 %(counter)s 个工单", "共 %(counter)s 个工单", 2) == (
            "%(counter)s cases"
        )
    with translation.override("zh-hans"):
        assert translation.gettext("我的工单") == "我的工单"


FULL_WIDTH = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]+")
TEMPLATE_CODE = re.compile(
    r"{% blocktranslate.*?{% endblocktranslate %}|{%.*?%}|{{.*?}}|{#.*?#}|<!--.*?-->", re.S
)


# Chinese on purpose in both languages: the logo, the language switch's own name.
MEANT = {"客", "中文", "简体中文", "切换到中文"}


def test_no_chinese_word_or_punctuation_is_left_outside_the_translate_tags():
    """An English reader sees no stray Chinese colon or bracket between translated words."""
    stray = []
    for path in KEFU.rglob("*.html"):
        if {"tests", "static"} & set(path.parts) or path.name == "500.html":  # 500: both
            continue
        text = TEMPLATE_CODE.sub("", path.read_text(encoding="utf-8"))
        stray += [
            f"{path.relative_to(KEFU)}: {m}" for m in FULL_WIDTH.findall(text) if m not in MEANT
        ]
    assert stray == []


def test_djangos_own_words_the_pages_show_read_well_in_chinese():
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.utils.translation import ngettext

    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"  # new in Django 6.1, untranslated there
        assert ngettext("%(num)d month", "%(num)d months", 1) % {"num": 1} == "1 个月"
        assert ngettext("%(num)d day", "%(num)d days", 3) % {"num": 3} == "3 天"
