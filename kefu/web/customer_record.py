"""A customer's record (CustomerEvent) as sentences a person reads: who, when, what.

Free text an event carries (a reveal's reason, a follow-up note, a need's title, tags) is
masked like the rest of the customer page for roles that may not see personal data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kefu.accounts.actors import ActorKind
from kefu.core.money import money
from kefu.crm.choices import NeedCategory, NeedStatus
from kefu.customers.choices import (
    ConsentMethod,
    ConsentPurpose,
    ConsumptionKind,
    CustomerEventType,
)
from kefu.customers.models import Customer, CustomerEvent
from kefu.customers.normalize import mask_email, mask_id_number, mask_phone

E = CustomerEventType

TONES: dict[str, str] = {
    E.CONSENT_WITHDRAWN: "warn",
    E.REVEALED: "warn",
    E.CHURN_WARNING_OPENED: "warn",
    E.CHURN_WARNING_CLOSED: "ok",
    E.FOLLOW_UP_DONE: "ok",
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_PHONE = re.compile(r"(?<![\d+])(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")


def mask_text(text: str) -> str:
    """Phones, emails and ID numbers inside free text, masked as on the profile."""
    text = _EMAIL.sub(lambda m: mask_email(m.group()), text)
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return _PHONE.sub(lambda m: mask_phone(m.group().replace(" ", "").replace("-", "")), text)


@dataclass
class RecordLine:
    event: CustomerEvent
    at: dt.datetime
    what: str
    text: str
    tone: str = ""


@dataclass
class RecordRun:
    """Events of one kind in a row (a file's purchases): one line, opened on demand, so a
    busy customer's record still shows its contacts and warnings at a glance."""

    lines: list[RecordLine]

    @property
    def what(self) -> str:
        return self.lines[0].what

    @property
    def newest(self) -> dt.datetime:
        return self.lines[0].at

    @property
    def oldest(self) -> dt.datetime:
        return self.lines[-1].at

    @property
    def type(self) -> str:
        return str(self.lines[0].event.type)


RUN_FROM = 4  # this many events of one kind in a row are shown as one run


def in_runs(lines: list[RecordLine]) -> list[RecordLine | RecordRun]:
    """`lines` with each stretch of RUN_FROM or more events of one kind folded into a run."""
    out: list[RecordLine | RecordRun] = []
    start = 0
    while start < len(lines):
        end = start + 1
        while end < len(lines) and lines[end].event.type == lines[start].event.type:
            end += 1
        stretch = lines[start:end]
        if len(stretch) >= RUN_FROM:
            out.append(RecordRun(stretch))
        else:
            out.extend(stretch)
        start = end
    return out


def _choice(enum: Any, value: Any) -> str:
    return str(enum(value).label) if value in enum.values else str(value or "—")


def _day(value: Any) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is not None and timezone.is_aware(moment):
        return f"{timezone.localtime(moment):%Y-%m-%d}"
    day = parse_date(value) if isinstance(value, str) else None
    return f"{day:%Y-%m-%d}" if day else "—"


def _field_label(name: str) -> str:
    special = {
        "phones": _("电话"),
        "emails": _("邮箱"),
        "addresses": _("地址"),
        "tags": _("标签"),
    }
    if name in special:
        return special[name]
    try:
        field = Customer._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def _need_field_labels() -> dict[str, str]:
    return {
        "importance": _("重要性"),
        "urgency": _("紧迫性"),
        "feasibility": _("可行性"),
        "days_to_fulfil": _("实现所需天数"),
        "priority": _("优先级"),
        "status": _("状态"),
    }


def _churn_reason_names() -> dict[str, str]:
    return {
        "decline": _("消费下降"),
        "complaints": _("投诉较多"),
        "breaches": _("工单超时"),
        "satisfaction": _("满意度低"),
        "silence": _("长期没有联系"),
    }


def _satisfaction_sources() -> dict[str, str]:
    return {"survey": _("满意度调查"), "return_visit": _("回访")}


class RecordPresenter:
    """Turns a page of events into lines; the names it needs (people, decision roles) are
    given, so presenting a page runs no query."""

    def __init__(
        self,
        *,
        personal: bool,
        people: Mapping[int, str] | None = None,
        roles: Mapping[str, str] | None = None,
    ) -> None:
        self.personal = personal
        self.people = people or {}
        self.roles = roles or {}

    def lines(self, events: Iterable[CustomerEvent]) -> list[RecordLine]:
        return [self.line(e) for e in events]

    def line(self, event: CustomerEvent) -> RecordLine:
        what = _choice(E, event.type)
        values = {"who": self.who(event)}
        writer: Callable[[dict[str, Any], dict[str, str]], str] | None = getattr(
            self, "_" + event.type, None
        )
        if writer is None:  # a type this page has no sentence for yet: its name
            text = _("%(who)s · %(what)s") % {**values, "what": what}
        else:
            text = writer(event.data or {}, values)
        return RecordLine(event, event.at, what, text, TONES.get(event.type, ""))

    def who(self, event: CustomerEvent) -> str:
        if event.actor_user is not None:
            return event.actor_user.label
        if event.actor_kind == ActorKind.CUSTOMER:
            return _("客户本人")
        if event.actor_kind == ActorKind.AUTOMATION:
            return _("自动规则")
        return _("系统")

    def free(self, value: Any) -> str:
        """Free text from an event, masked for roles that may not see personal data."""
        text = str(value or "").strip() or "—"
        return text if self.personal else mask_text(text)

    # --- one writer per event type --------------------------------------------------

    def _created(self, data: dict[str, Any], v: dict[str, str]) -> str:
        return _("%(who)s 建立了客户档案") % v

    def _updated(self, data: dict[str, Any], v: dict[str, str]) -> str:
        fields = list(data.get("fields") or [])
        if fields == ["tags"] and "tags" in data:
            tags = _list(self.free(t) for t in data["tags"]) or "—"
            return _("%(who)s 将标签改为：%(tags)s") % {**v, "tags": tags}
        names = _list(_field_label(str(f)) for f in fields) or "—"
        return _("%(who)s 更新了资料：%(fields)s") % {**v, "fields": names}

    def _contact_role(self, data: dict[str, Any], v: dict[str, str]) -> str:
        def role(code: Any) -> str:
            return self.roles.get(code, str(code)) if code else _("无")

        return _("%(who)s 将决策链角色由「%(before)s」改为「%(after)s」") % {
            **v,
            "before": role(data.get("previous")),
            "after": role(data.get("role")),
        }

    def _consent(self, data: dict[str, Any], v: dict[str, str], template: str) -> str:
        return template % {
            **v,
            "purpose": _choice(ConsentPurpose, data.get("purpose")),
            "method": _choice(ConsentMethod, data.get("method")),
        }

    def _consent_given(self, data: dict[str, Any], v: dict[str, str]) -> str:
        return self._consent(data, v, _("%(who)s 记录了客户授权：%(purpose)s（%(method)s）"))

    def _consent_withdrawn(self, data: dict[str, Any], v: dict[str, str]) -> str:
        return self._consent(data, v, _("%(who)s 记录了客户撤回授权：%(purpose)s（%(method)s）"))

    def _revealed(self, data: dict[str, Any], v: dict[str, str]) -> str:
        values = {**v, "reason": self.free(data.get("reason"))}
        field = data.get("field")
        if field == "email":
            return _("%(who)s 查看了完整邮箱（原因：%(reason)s）") % values
        if field == "id_number":
            return _("%(who)s 查看了完整证件号码（原因：%(reason)s）") % values
        return _("%(who)s 查看了完整电话（原因：%(reason)s）") % values

    def _exported(self, data: dict[str, Any], v: dict[str, str]) -> str:
        return _("%(who)s 导出了客户资料") % v

    def _imported(self, data: dict[str, Any], v: dict[str, str]) -> str:
        return _("%(who)s 通过批量导入更新了客户资料") % v

    def _portal_password_set(self, data: dict[str, Any], v: dict[str, str]) -> str:
        if data.get("first"):
            return _("%(who)s 设置了门户密码") % v
        return _("%(who)s 重设了门户密码") % v

    def _consumption_recorded(self, data: dict[str, Any], v: dict[str, str]) -> str:
        return _("%(who)s 记录了消费：%(day)s %(product)s ¥%(amount)s（%(kind)s）") % {
            **v,
            "day": _day(data.get("occurred_on")),
            "product": self.free(data.get("product")),
            "amount": money(data.get("amount") or 0),
            "kind": _choice(ConsumptionKind, data.get("kind")),
        }

    def _need_recorded(self, data: dict[str, Any], v: dict[str, str]) -> str:
        return _("%(who)s 记录了需求「%(title)s」：%(category)s，优先级 %(priority)s") % {
            **v,
            "title": self.free(data.get("title")),
            "category": _choice(NeedCategory, data.get("category")),
            "priority": _number(data.get("priority")),
        }

    def _need_updated(self, data: dict[str, Any], v: dict[str, str]) -> str:
        before, after = data.get("before") or {}, data.get("after") or {}
        changes, labels = [], _need_field_labels()
        # In the form's order (PostgreSQL's jsonb keeps keys in its own order).
        for name in sorted(after, key=lambda n: (list(labels).index(n) if n in labels else 99, n)):
            old, new = before.get(name), after[name]
            if name == "status":
                old, new = _choice(NeedStatus, old), _choice(NeedStatus, new)
            else:
                old, new = _number(old), _number(new)
            changes.append(f"{labels.get(name, name)} {old} → {new}")
        return _("%(who)s 变更了需求「%(title)s」：%(changes)s") % {
            **v,
            "title": self.free(data.get("title")),
            "changes": _list(changes, _("，")) or "—",
        }

    def _satisfaction_recorded(self, data: dict[str, Any], v: dict[str, str]) -> str:
        source = str(data.get("source") or "")
        sources = _satisfaction_sources()
        return _("%(who)s 记录了满意度：%(score)s / %(scale)s 分（%(source)s）") % {
            **v,
            "score": _number(data.get("score")),
            "scale": _number(data.get("scale_max")),
            "source": sources.get(source, source or "—"),
        }

    def _churn_warning_opened(self, data: dict[str, Any], v: dict[str, str]) -> str:
        names = _churn_reason_names()
        reasons = _list(names.get(r, str(r)) for r in data.get("reasons") or [])
        assignee = data.get("assignee_id")
        text = _(
            "%(who)s 发出流失预警：风险分 %(score)s（%(reasons)s），%(due)s 前由 %(assignee)s 跟进"
        )
        return text % {
            **v,
            "score": _number(data.get("score")),
            "reasons": reasons or "—",
            "assignee": self.people.get(assignee, "—") if assignee else _("未指定"),
            "due": _day(data.get("due_at")),
        }

    def _churn_warning_closed(self, data: dict[str, Any], v: dict[str, str]) -> str:
        return _("%(who)s 解除流失预警：风险分 %(score)s（最高 %(peak)s）") % {
            **v,
            "score": _number(data.get("score")),
            "peak": _number(data.get("peak_score")),
        }

    def _follow_up_assigned(self, data: dict[str, Any], v: dict[str, str]) -> str:
        assignee = data.get("assignee_id")
        name = self.people.get(assignee) if isinstance(assignee, int) else None
        return _("%(who)s 将流失预警跟进交给 %(assignee)s") % {
            **v,
            "assignee": name or self.free(data.get("assignee_name")) or "—",
        }

    def _follow_up_done(self, data: dict[str, Any], v: dict[str, str]) -> str:
        return _("%(who)s 完成了流失预警跟进：%(note)s") % {
            **v,
            "note": self.free(data.get("note")),
        }


def _list(items: Iterable[str], separator: str | None = None) -> str:
    """Items joined with the language's list separator (、 in Chinese, a comma in English)."""
    return (separator or _("、")).join(items)


def _number(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def people_named(events: Iterable[CustomerEvent]) -> set[int]:
    """Ids of the staff an event names besides its actor (a churn warning's assignee)."""
    return {
        e.data["assignee_id"]
        for e in events
        if e.type in (E.CHURN_WARNING_OPENED, E.FOLLOW_UP_ASSIGNED)
        and isinstance(e.data.get("assignee_id"), int)
    }
