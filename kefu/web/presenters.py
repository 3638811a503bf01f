"""The service record as lines a person reads: what happened, who did it, what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kefu.accounts.actors import ActorKind
from kefu.accounts.models import Team
from kefu.assist.playbooks import SERVICE_CYCLE
from kefu.cases.choices import (
    CallDirection,
    CaseStatus,
    EventType,
    MessageKind,
    Priority,
    ReturnVisitOutcome,
    Stance,
)
from kefu.cases.clock_selectors import Timer
from kefu.cases.models import Case, CaseEvent, CaseKind, CaseMessage, CauseCategory
from kefu.cases.transitions import workflow_for
from kefu.customers.normalize import mask_email
from kefu.sla.policies import Metric
from kefu.surveys.models import DeliveryChannel
from kefu.web.labels import kind_name

TONES: dict[str, str] = {
    EventType.CREATED: "info",
    EventType.ACCEPTED: "info",
    EventType.ASSIGNED: "info",
    EventType.ESCALATED: "warn",
    EventType.SLA_BREACHED: "warn",
    EventType.RESOLVED: "ok",
    EventType.CLOSED: "ok",
    EventType.REOPENED: "warn",
    EventType.ATTEMPT_REFUSED: "muted",
    EventType.RETURN_VISIT_RECORDED: "ok",
    EventType.EMAIL_FAILED: "warn",
}


@dataclass
class TimelineEntry:
    event: CaseEvent
    title: str
    actor: str
    tone: str = ""
    status_change: tuple[str, str] | None = None
    details: list[tuple[str, str]] = field(default_factory=list)
    message: CaseMessage | None = None
    attachment: dict[str, Any] | None = None


def status_label(value: str) -> str:
    return str(CaseStatus(value).label) if value in CaseStatus.values else value


def _choice(enum: Any, value: Any) -> str:
    return str(enum(value).label) if value in enum.values else str(value)


def actor_label(event: CaseEvent) -> str:
    if event.actor_user is not None:
        return event.actor_user.label
    if event.actor_kind == ActorKind.CUSTOMER:
        return _("客户")
    if event.actor_kind == ActorKind.AUTOMATION:
        return _("自动规则")
    return _("系统")


def action_label(workflow: str, action: str) -> str:
    transition = workflow_for(workflow).get(action)
    return str(transition.label) if transition else action


def reason_text(reason: str) -> str:
    """A reason as recorded, in words: the system's own reasons are codes ("resolution
    overdue", "tier"); what people wrote stays as they wrote it."""
    metric, _space, rest = reason.partition(" ")
    if rest == "overdue" and metric in Metric.values:
        return _("%(metric)s超时") % {"metric": _choice(Metric, metric)}
    words = {
        "priority": _("优先级变更"),
        "team": _("班组变更"),
        "kind": _("工单类型变更"),
        "tier": _("客户价值等级变更"),
        "rules": _("时限规则变更"),
        "return visit: not satisfied": _("回访不满意"),
        "dedicated_team": _("客户有专属班组"),
        "account_manager": _("客户有专属客户经理"),
        "bounce": _("邮件被退回"),
        "survey follow-up": _("满意度调查跟进"),
    }
    return str(words.get(reason, reason))


def _when(value: Any) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class TimelineBuilder:
    def __init__(
        self,
        case: Case,
        *,
        messages: Iterable[CaseMessage],
        kinds: Iterable[CaseKind],
        causes: Iterable[CauseCategory],
        teams: Iterable[Team],
        surveys: Mapping[str, str] | None = None,
    ) -> None:
        self.case = case
        self.surveys = surveys or {}  # survey code → title in the reader's language
        self.messages = {m.pk: m for m in messages}
        self.kinds: Mapping[str, CaseKind] = {k.code: k for k in kinds}
        self.causes: Mapping[str, CauseCategory] = {c.code: c for c in causes}
        self.teams: Mapping[int, Team] = {t.pk: t for t in teams}

    def build(self, events: Iterable[CaseEvent]) -> list[TimelineEntry]:
        return [self.entry(e) for e in events]

    def entry(self, event: CaseEvent) -> TimelineEntry:
        data = event.data or {}
        before, after = data.get("before") or {}, data.get("after") or {}
        entry = TimelineEntry(
            event=event,
            title=str(EventType(event.type).label)
            if event.type in EventType.values
            else event.type,
            actor=actor_label(event),
            tone=TONES.get(event.type, ""),
        )
        if "status" in after and before.get("status") != after["status"] and before:
            entry.status_change = (status_label(before["status"]), status_label(after["status"]))
        handler = getattr(self, "_" + event.type, None)
        if handler is not None:
            handler(entry, data, before, after)
        if data.get("reason") and event.type != EventType.RETURN_VISIT_RECORDED:
            entry.details.append((_("原因"), reason_text(str(data["reason"]))))
        if data.get("note") and event.type != EventType.RETURN_VISIT_RECORDED:
            entry.details.append((_("说明"), str(data["note"])))
        return entry

    def _sla_warning(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        entry.title = _("时限预警：%(metric)s") % {"metric": _choice(Metric, data.get("metric"))}
        if data.get("due_at"):
            entry.details.append((_("到期时间"), _when(data["due_at"])))

    def _sla_breached(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        entry.title = _("时限超时：%(metric)s") % {"metric": _choice(Metric, data.get("metric"))}
        if data.get("due_at"):
            entry.details.append((_("到期时间"), _when(data["due_at"])))

    def _created(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        kind = self.kinds.get(after.get("kind", ""))
        entry.details.append((_("类型"), kind_name(kind) if kind else after.get("kind", "")))
        entry.details.append((_("主题"), str(after.get("subject", ""))))

    def _email_failed(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        if data.get("to"):
            entry.details.append((_("收件人"), mask_email(str(data["to"]))))
        if data.get("error"):
            entry.details.append((_("错误信息"), str(data["error"])))

    _email_sent = _email_failed

    def _service_cycle_step(
        self, entry: TimelineEntry, data: dict, before: dict, after: dict
    ) -> None:
        step = next((s for s in SERVICE_CYCLE if s.code == data.get("step")), None)
        name = f"{step.number}. {step.name}" if step else str(data.get("step", ""))
        if data.get("done", True):
            entry.title = _("服务循环：%(step)s 已完成") % {"step": name}
        else:
            entry.title = _("服务循环：%(step)s 改为未完成") % {"step": name}

    def _survey_sent(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        if data.get("survey"):
            code = str(data["survey"])
            entry.details.append((_("问卷"), self.surveys.get(code, code)))
        if data.get("channel"):
            entry.details.append((_("渠道"), _choice(DeliveryChannel, data["channel"])))

    def _survey_answered(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        marks = [
            f"{k.upper()} {data[k]}" for k in ("csat", "nps", "ces") if data.get(k) is not None
        ]
        if marks:
            entry.details.append((_("得分"), " · ".join(marks)))

    def _linked(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        if data.get("number"):
            entry.details.append((_("跟进工单"), str(data["number"])))
        if data.get("response"):
            entry.details.append((_("调查答卷"), f"#{data['response']}"))

    def _assigned(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        entry.title = _("派单给 %(name)s") % {"name": data.get("handler_name", "")}

    def _escalated(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        entry.title = _("升级至 %(name)s（第 %(level)s 级）") % {
            "name": data.get("escalated_to_name", ""),
            "level": after.get("escalation_level", ""),
        }

    def _transferred(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        team = self.teams.get(after.get("team") or 0)
        if team is not None:
            entry.title = _("转派至 %(team)s") % {"team": team.name}

    def _kind_changed(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        old, new = self.kinds.get(before.get("kind", "")), self.kinds.get(after.get("kind", ""))
        entry.details.append(
            (_("类型"), f"{kind_name(old) if old else ''} → {kind_name(new) if new else ''}")
        )

    def _resolved(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        if after.get("stance"):
            entry.details.append((_("责任判定"), _choice(Stance, after["stance"])))
        entry.details.append((_("处理结果"), str(after.get("resolution", ""))))

    def _closed(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        if "cause" in after:
            cause = self.causes.get(after["cause"])
            entry.details.append((_("原因类别"), kind_name(cause) if cause else after["cause"]))
            entry.details.append((_("根本原因"), str(after.get("root_cause", ""))))
            person = self.case.responsible_person
            if (
                after.get("responsible_person")
                and person
                and person.pk == after["responsible_person"]
            ):
                entry.details.append((_("责任人"), person.label))
            needed = after.get("improvement_needed")
            if needed is not None:
                entry.details.append((_("是否需要改进措施"), _("需要") if needed else _("不需要")))

    def _fields_changed(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        for name, value in after.items():
            try:
                label = str(getattr(Case._meta.get_field(name), "verbose_name", name))
            except FieldDoesNotExist:  # a field this version no longer has
                label = name
            if name == "priority":
                old, value = _choice(Priority, before.get(name)), _choice(Priority, value)
                entry.details.append((label, f"{old} → {value}"))
            else:
                entry.details.append((label, f"{before.get(name, '')} → {value}"))

    def _message_added(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        kind = data.get("kind", "")
        entry.title = _choice(MessageKind, kind)
        entry.tone = {"outbound": "reply", "inbound": "inbound", "note": "note"}.get(kind, "call")
        entry.message = self.messages.get(data.get("message") or 0)
        if kind == MessageKind.CALL:
            seconds = int(data.get("duration_seconds") or 0)
            entry.details.append(
                (
                    _choice(CallDirection, data.get("direction", "")),
                    _("%(m)s 分 %(s)s 秒")
                    % {
                        "m": seconds // 60,
                        "s": seconds % 60,
                    },
                )
            )

    def _attachment_added(
        self, entry: TimelineEntry, data: dict, before: dict, after: dict
    ) -> None:
        entry.attachment = {
            "id": data.get("attachment"),
            "name": data.get("name", ""),
            "size": data.get("size", 0),
        }

    def _return_visit_scheduled(
        self, entry: TimelineEntry, data: dict, before: dict, after: dict
    ) -> None:
        entry.details.append((_("回访期限"), _when(data.get("due_at"))))

    def _return_visit_recorded(
        self, entry: TimelineEntry, data: dict, before: dict, after: dict
    ) -> None:
        entry.details.append((_("回访结果"), _choice(ReturnVisitOutcome, data.get("outcome", ""))))
        if data.get("note"):
            entry.details.append((_("客户评价"), str(data["note"])))

    def _attempt_refused(self, entry: TimelineEntry, data: dict, before: dict, after: dict) -> None:
        entry.title = _("操作被拒绝：%(action)s") % {
            "action": action_label(self.case.kind.workflow, data.get("action", ""))
        }
        entry.details.append((_("当时状态"), status_label(data.get("status", ""))))


@dataclass
class TimerRow:
    label: str
    state: str
    due_at: Any
    text: str


def _duration(delta: dt.timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(h)s 小时 %(m)s 分") % {"h": hours, "m": minutes}
    return _("%(m)s 分钟") % {"m": minutes}


def timer_rows(timers: Iterable[Timer]) -> list[TimerRow]:
    """The running time standards (时限) of a case, most urgent first, as a person reads them."""
    rows = []
    for timer in timers:
        if timer.state == "paused":
            text = _("已暂停（等待客户）")
        elif timer.state == "breached":
            text = _("已超时 %(d)s") % {"d": _duration(timer.remaining)}
        else:
            text = _("还剩 %(d)s") % {"d": _duration(timer.remaining)}
        rows.append(
            TimerRow(
                label=_choice(Metric, timer.metric),
                state=timer.state,
                due_at=timer.due_at,
                text=text,
            )
        )
    return rows
