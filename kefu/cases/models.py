"""Cases (工单), their append-only service record, messages, attachments and return visits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.accounts.actors import ActorKind
from kefu.cases.choices import (
    OPEN_STATUSES,
    CallDirection,
    CaseStatus,
    Channel,
    EventType,
    MessageKind,
    Priority,
    ReturnVisitOutcome,
    Stance,
)
from kefu.core.models import AppendOnlyModel


class CaseKind(models.Model):
    """A kind of case (咨询, 投诉, 建议, 表扬, 报修…): data, so a deployment can add its own."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50)
    number_prefix = models.CharField(_("编号前缀"), max_length=6, unique=True)
    workflow = models.CharField(_("流程"), max_length=20, default="standard")
    is_complaint = models.BooleanField(_("投诉类"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("工单类型")
        verbose_name_plural = _("工单类型")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name_zh


class CauseCategory(models.Model):
    """Complaint cause categories (投诉产生的因素), configurable."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50)
    # A work-quality cause (e.g. service manner) needs the responsible person or department.
    is_work_quality = models.BooleanField(_("工作质量类"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("投诉原因类别")
        verbose_name_plural = _("投诉原因类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name_zh


class Case(models.Model):
    number = models.CharField(_("工单号"), max_length=32, unique=True)
    kind = models.ForeignKey(
        CaseKind, verbose_name=_("类型"), on_delete=models.PROTECT, db_index=False
    )
    # Copied from the kind so that every queue can sort complaints first from one index.
    is_complaint = models.BooleanField(verbose_name=_("投诉类"), default=False)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    priority = models.PositiveSmallIntegerField(
        _("优先级"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    subject = models.CharField(_("主题"), max_length=200)
    description = models.TextField(_("客户诉求"), blank=True)
    product = models.CharField(_("涉及产品/服务"), max_length=100, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # case_customer leads with it
    )
    site = models.ForeignKey(
        "accounts.Site",
        verbose_name=_("网点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # case_site_status leads with it
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("班组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # case_team_queue leads with it
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
        db_index=False,  # case_handler_status leads with it
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created_cases",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accepted_cases",
        db_index=False,  # read with its case, never searched by
    )

    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    # Seconds from creation to the first assignment (target: 1 hour for complaints).
    seconds_to_assign = models.PositiveIntegerField(
        verbose_name=_("派单用时（秒）"), null=True, blank=True
    )
    first_contact_at = models.DateTimeField(_("首次联系时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    escalation_level = models.PositiveSmallIntegerField(_("升级级别"), default=0)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("升级至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_cases",
        # Found through CaseEscalation: an escalation must not touch the case's indexes.
        db_index=False,
    )

    # Handle (处理): agreement reached.
    stance = models.CharField(_("责任判定"), max_length=30, choices=Stance.choices, blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    # Improve (改进): every complaint has a cause.
    cause = models.ForeignKey(
        CauseCategory,
        verbose_name=_("原因类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    root_cause = models.TextField(_("根本原因"), blank=True)
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_for_cases",
    )
    responsible_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    improvement_needed = models.BooleanField(_("需要改进措施"), null=True, blank=True)

    # Optimistic concurrency: every write bumps it; an edit names the version it read.
    version = models.PositiveIntegerField(verbose_name=_("版本"), default=1)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        indexes = [
            # The agent queue: team filter, complaints first, then age.
            models.Index(fields=["team", "-is_complaint", "created_at"], name="case_team_queue"),
            models.Index(
                fields=["status", "-is_complaint", "created_at"], name="case_status_queue"
            ),
            models.Index(fields=["handler", "status"], name="case_handler_status"),
            models.Index(fields=["customer", "-created_at"], name="case_customer"),
            models.Index(fields=["site", "status"], name="case_site_status"),
            models.Index(fields=["created_at"], name="case_created"),
            # "All cases": complaints first, newest first, read in order under a LIMIT.
            models.Index(fields=["-is_complaint", "-created_at"], name="case_recent_complaints"),
            # Open cases are a few percent of all: the queues and their counts read these
            # partial indexes (each arm of the role-visibility OR has one), not the history.
            models.Index(
                fields=["team", "-is_complaint", "created_at"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_team_queue",
            ),
            models.Index(
                fields=["site", "-is_complaint", "created_at"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES), team__isnull=True),
                name="case_open_site_intake",
            ),
            models.Index(
                fields=["created_by"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_created_by",
            ),
            models.Index(
                fields=["-is_complaint", "created_at"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class CaseEscalation(models.Model):
    """Whom a case is escalated to, as an index of its own: "cases escalated to me" is one
    arm of every member of staff's visibility. The case row keeps the same two values for
    showing them; no index on the case names them, so the sweep's escalations of thousands
    of cases are heap-only (HOT) updates of the case rows, not rewrites of all their indexes.
    Written with the case's columns by the escalate step and the SLA sweep."""

    case = models.OneToOneField(
        Case, primary_key=True, on_delete=models.CASCADE, related_name="escalation"
    )
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.case_id} → {self.escalated_to_id} ({self.level})"


class CaseEvent(AppendOnlyModel):
    """One entry of the service record (服务记录). Written once, never changed or deleted."""

    # Indexes: event_case_timeline leads with the case; people's own events are found by a
    # partial index (most events of a sweep are the system's). Fewer indexes, cheaper appends.
    case = models.ForeignKey(
        Case,
        verbose_name=_("工单"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    type = models.CharField(verbose_name=_("类型"), max_length=40, choices=EventType.choices)
    at = models.DateTimeField(verbose_name=_("时间"))
    actor_kind = models.CharField(
        verbose_name=_("操作者类型"), max_length=20, choices=ActorKind.choices
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor_customer_id = models.BigIntegerField(verbose_name=_("操作客户"), null=True, blank=True)
    actor_source = models.CharField(verbose_name=_("来源"), max_length=100, blank=True)
    data = models.JSONField(verbose_name=_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        indexes = [
            models.Index(fields=["case", "at", "id"], name="event_case_timeline"),
            models.Index(
                fields=["actor_user"],
                condition=models.Q(actor_user__isnull=False),
                name="event_actor_user",
            ),
        ]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


class CaseMessage(AppendOnlyModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(_("类别"), max_length=20, choices=MessageKind.choices)
    body = models.TextField(_("内容"), blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    call_direction = models.CharField(
        _("呼叫方向"), max_length=10, choices=CallDirection.choices, blank=True
    )
    call_duration_seconds = models.PositiveIntegerField(_("通话时长（秒）"), null=True, blank=True)
    visited_at = models.DateTimeField(_("上门时间"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        indexes = [models.Index(fields=["case", "created_at"], name="message_case")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.body[:40]}"

    @property
    def is_public(self) -> bool:
        return self.kind in (MessageKind.INBOUND, MessageKind.OUTBOUND)


def attachment_path(instance: Attachment, filename: str) -> str:
    created = instance.created_at
    return f"attachments/{created:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(AppendOnlyModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    message = models.ForeignKey(
        CaseMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class ReturnVisit(models.Model):
    """The return visit (回访) after a complaint closes. Its outcome is recorded once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="return_visits")
    due_at = models.DateTimeField(_("回访期限"))
    outcome = models.CharField(
        _("回访结果"), max_length=20, choices=ReturnVisitOutcome.choices, blank=True
    )
    note = models.TextField(_("回访记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        indexes = [models.Index(fields=["outcome", "due_at"], name="return_visit_due")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.due_at:%Y-%m-%d} {self.outcome or '-'}"


class CaseNumberSequence(models.Model):
    """The last number issued per prefix and year (TS-2026-000123)."""

    prefix = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="case_number_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class CaseSearchDocument(models.Model):
    """The segmented text of a case (subject, request, messages) for full-text search.

    SQLite keeps an FTS5 index over it (triggers in the migration); PostgreSQL a generated
    tsvector column with a GIN index. See kefu/cases/search.py.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True)
    content = models.TextField()

    def __str__(self) -> str:
        return f"search document of case {self.pk}"


class CaseClock(models.Model):
    """A time standard (时限) running on a case: assign, first response, resolution, return
    visit. Written by the case actions; found by the sweep through partial indexes, so the
    sweep's cost grows with the clocks due, not with the open cases.
    """

    # Indexed by clock_case_metric and the partial clock_*_version indexes (which lead with
    # these columns), not by one index each: the sweep rewrites thousands of clocks a minute.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clocks", db_index=False)
    metric = models.CharField(_("指标"), max_length=20)
    policy = models.ForeignKey(
        "sla.SlaPolicy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    calendar = models.ForeignKey(
        "sla.BusinessCalendar", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The versions of the rules this clock was computed on; older ones are recomputed.
    calendar_version = models.PositiveIntegerField(default=1)
    policy_version = models.PositiveIntegerField(default=1)
    business_time = models.BooleanField(default=True)
    target_seconds = models.PositiveIntegerField()
    warn_share = models.FloatField(default=0.8)
    started_at = models.DateTimeField()
    # Waiting on the customer pauses the clock for real: the paused time (counted the same
    # way as the target) is added before computing warn_at and due_at.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    warn_at = models.DateTimeField(_("预警时间"))
    due_at = models.DateTimeField(_("到期时间"))
    stopped_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("时限计时")
        verbose_name_plural = _("时限计时")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "metric"],
                condition=models.Q(stopped_at__isnull=True),
                name="case_clock_one_running_per_metric",
            )
        ]
        indexes = [
            models.Index(
                fields=["warn_at"],
                name="clock_warning_due",
                condition=models.Q(
                    stopped_at__isnull=True, warned_at__isnull=True, paused_at__isnull=True
                ),
            ),
            models.Index(
                fields=["due_at"],
                name="clock_breach_due",
                condition=models.Q(
                    stopped_at__isnull=True, breached_at__isnull=True, paused_at__isnull=True
                ),
            ),
            models.Index(fields=["case", "metric"], name="clock_case_metric"),
            models.Index(
                fields=["calendar", "calendar_version"],
                name="clock_calendar_version",
                condition=models.Q(stopped_at__isnull=True),
            ),
            models.Index(
                fields=["policy", "policy_version"],
                name="clock_policy_version",
                condition=models.Q(stopped_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.metric} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.stopped_at is None


class CaseNotification(models.Model):
    """An in-app notice to a member of staff, also emailed — inside the recipient's working
    hours unless the case is critical (deliver_after)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # notification_inbox leads with it
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=30)
    # The time standard a notice is about (sla.Metric): its words are put together in each
    # reader's language (kefu.cases.notifications.notice_text); `text` keeps them as written.
    metric = models.CharField(max_length=20, blank=True, default="")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    deliver_after = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(
                fields=["deliver_after"],
                name="notification_email_due",
                condition=models.Q(emailed_at__isnull=True),
            ),
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.text}"
