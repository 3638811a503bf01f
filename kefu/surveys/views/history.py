"""A survey's change history (kefu.accounts.audit) as the designer page lists it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.accounts.models import ConfigurationEvent
from kefu.surveys.models import Survey

ACTIONS = {
    "created": gettext_lazy("创建问卷"),
    "edited": gettext_lazy("修改设置"),
    "draft_saved": gettext_lazy("保存草稿"),
    "published": gettext_lazy("发布新版本"),
    "invited": gettext_lazy("手动发送"),
    "wave_scheduled": gettext_lazy("安排关系调查批次"),
    "wave_sent": gettext_lazy("批次已发送"),
    "invitations_expired": gettext_lazy("链接过期"),
}


def history_entries(events: list[ConfigurationEvent]) -> list[dict[str, Any]]:
    """When, who, what, and the change in a line."""
    return [
        {
            "at": event.at,
            "who": event.actor_user.label if event.actor_user else event.actor_source,
            "what": ACTIONS.get(event.action, event.action),
            "detail": _detail(event.action, event.data),
        }
        for event in events
    ]


def _detail(action: str, data: dict[str, Any]) -> str:
    if action == "edited":
        return "; ".join(
            f"{_field(name)}: {old} → {data.get('after', {}).get(name)}"
            for name, old in data.get("before", {}).items()
        )
    if action == "draft_saved":
        line = _("v%(version)s，共 %(count)s 题") % {
            "version": data.get("version"),
            "count": data.get("questions"),
        }
        added, removed = data.get("added") or [], data.get("removed") or []
        return (
            line
            + (f" +{', '.join(added)}" if added else "")
            + (f" −{', '.join(removed)}" if removed else "")
        )
    if action == "published":
        return f"v{data.get('version')}" + (
            f" (← v{data['replaces']})" if data.get("replaces") else ""
        )
    if action == "created":
        return _("代码 %(code)s，草稿 v1，共 %(count)s 题") % {
            "code": data.get("code"),
            "count": len(data.get("questions") or []),
        }
    if action == "invited":
        return _("客户 %(customer)s，%(channel)s") % {
            "customer": data.get("customer"),
            "channel": data.get("channel"),
        }
    if action == "wave_scheduled":
        return _("%(name)s，计划于 %(at)s") % {
            "name": data.get("name"),
            "at": _moment(data.get("scheduled_for")),
        }
    if action == "wave_sent":
        return _("%(name)s：邀请 %(invited)s，跳过 %(skipped)s") % {
            "name": data.get("name"),
            "invited": data.get("invited"),
            "skipped": data.get("skipped"),
        }
    if action == "invitations_expired":
        return _("%(count)s 个链接") % {"count": data.get("count")}
    return ""


def _field(name: str) -> str:
    try:
        field = Survey._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed: show its code
        return name
    return str(getattr(field, "verbose_name", name))


def _moment(raw: Any) -> str:
    moment = parse_datetime(raw) if isinstance(raw, str) else None
    if not isinstance(moment, dt.datetime):
        return str(raw or "")
    return date_format(localtime(moment), "Y-m-d H:i")
