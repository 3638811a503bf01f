"""Time-standard figures in the reader's language: durations as days, hours and minutes, and
the names of mainland China's holidays (chinese-calendar names them in English)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _


def duration_text(delta: dt.timedelta) -> str:
    """8 天 20 小时 30 分 / 4 小时 / 30 分钟 (whole minutes; the sign is left out)."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(_("%(n)s 天") % {"n": days})
    if hours:
        parts.append(_("%(n)s 小时") % {"n": hours})
    if minutes or not parts:
        parts.append(_("%(n)s 分钟") % {"n": minutes})
    return " ".join(parts)


def holiday_name(name: str) -> str:
    """A holiday's name as chinese-calendar gives it, in the reader's language."""
    names = {
        "New Year's Day": _("元旦"),
        "Spring Festival": _("春节"),
        "Tomb-sweeping Day": _("清明节"),
        "Labour Day": _("劳动节"),
        "Dragon Boat Festival": _("端午节"),
        "National Day": _("国庆节"),
        "Mid-autumn Festival": _("中秋节"),
        "Anti-Fascist 70th Day": _("抗战胜利70周年纪念日"),
    }
    return names.get(name, name)
