"""Names of the analyzer's labels, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EMOTIONS = {
    "angry": _("愤怒"),
    "anxious": _("焦虑"),
    "disappointed": _("失望"),
    "neutral": _("平静"),
    "satisfied": _("满意"),
}
URGENCIES = {
    "low": _("不急"),
    "normal": _("一般"),
    "high": _("较急"),
    "critical": _("紧急"),
}
NEEDS = {
    "functional": _("功能需求"),
    "service": _("服务需求"),
    "emotional": _("情感需求"),
    "price": _("价格需求"),
}
FORBIDDEN = {
    "child_can_do": _("贬低客户能力"),
    "pay_for_what_you_get": _("一分钱一分货"),
    "impossible": _("一口否认"),
    "not_our_business": _("推诿"),
    "dont_know": _("一问三不知"),
    "company_rules": _("拿规定压人"),
    "cant_you_read": _("质疑客户理解力"),
    "contact_later": _("拖延"),
    "seen_it_often": _("见得多了"),
    "common_thing": _("常有的事"),
}
BEHAVIOURS = {
    "arguing": _("与客户争辩"),
    "rushing_to_conclusion": _("急于下结论"),
    "apology_without_action": _("只道歉不行动"),
    "blaming_customer": _("指责或挑剔客户"),
}


def label(table: dict, code: str) -> str:
    return str(table.get(code, code))
