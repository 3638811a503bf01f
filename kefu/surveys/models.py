"""Surveys, their versions, invitations, responses, the outbox, waves and peer figures.

A version's questionnaire (sections and questions) is one validated JSON document
(kefu.surveys.definition): a published version never changes, so a response always reads
the questions it answered. Scores are copied onto the response at submission (csat, nps, ces
columns and one ResponseItem per numeric answer) so that the dashboard aggregates in SQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SurveyPurpose(models.TextChoices):
    CSAT = "csat", _("结案满意度")
    RETURN_VISIT = "return_visit", _("投诉回访")
    RELATIONSHIP = "relationship", _("客户关系调查")
    CARE = "care", _("客户关怀调查")
    CUSTOM = "custom", _("自定义")


class InvitationState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    ANSWERED = "answered", _("已答复")
    EXPIRED = "expired", _("已过期")


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    PORTAL = "portal", _("客户门户")


class Trigger(models.TextChoices):
    CASE_CLOSED = "case_closed", _("结案")
    RETURN_VISIT = "return_visit", _("回访")
    WAVE = "wave", _("关系调查批次")
    MANUAL = "manual", _("手动发送")


class Survey(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    title_zh = models.CharField(_("中文标题"), max_length=200)
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True)
    purpose = models.CharField(
        _("用途"), max_length=20, choices=SurveyPurpose.choices, default=SurveyPurpose.CUSTOM
    )
    anonymous = models.BooleanField(_("匿名"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    # Case kinds whose closing sends this survey; and whether a recorded return visit does.
    closed_kinds = models.JSONField(_("结案触发的工单类型"), default=list, blank=True)
    on_return_visit = models.BooleanField(_("回访后发送"), default=False)
    channels = models.JSONField(_("发送渠道"), default=list, blank=True)
    expiry_days = models.PositiveSmallIntegerField(_("有效天数"), default=14)
    reminder_after_days = models.PositiveSmallIntegerField(_("提醒间隔天数"), default=3)
    max_reminders = models.PositiveSmallIntegerField(_("最多提醒次数"), default=1)
    # Closed loop: at or below these, a follow-up case is opened ({"csat": 2, "nps": 6, ...}).
    low_scores = models.JSONField(_("低分阈值"), default=dict, blank=True)
    followup_kind = models.CharField(_("跟进工单类型"), max_length=32, default="complaint")
    created_at = models.DateTimeField(verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("调查问卷")
        verbose_name_plural = _("调查问卷")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title_zh

    def title(self, language: str) -> str:
        return self.title_en if language.startswith("en") and self.title_en else self.title_zh

    @property
    def display_title(self) -> str:
        """The title in the active language (the staff pages)."""
        return self.title(translation.get_language() or "")


class SurveyVersion(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("调查问卷"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(verbose_name=_("版本号"))
    definition = models.JSONField(verbose_name=_("问卷定义"))
    published_at = models.DateTimeField(verbose_name=_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique"),
            # At most one draft per survey: edits go to it until it is published.
            models.UniqueConstraint(
                fields=["survey"], condition=Q(published_at__isnull=True), name="survey_one_draft"
            ),
        ]
        ordering = ["survey", "number"]

    def __str__(self) -> str:
        return f"{self.survey.code} v{self.number}"


class RelationshipWave(models.Model):
    """A scheduled relationship survey to every decision-chain contact of organisations."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("调查问卷"), on_delete=models.PROTECT, related_name="waves"
    )
    # Empty: every organisation.
    organisation = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("名称"), max_length=100)
    scheduled_for = models.DateTimeField(_("计划时间"))
    sent_at = models.DateTimeField(verbose_name=_("发送时间"), null=True, blank=True)
    invited = models.PositiveIntegerField(verbose_name=_("已邀请"), default=0)
    skipped = models.PositiveIntegerField(verbose_name=_("已跳过"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("关系调查批次")
        verbose_name_plural = _("关系调查批次")
        indexes = [models.Index(fields=["sent_at", "scheduled_for"])]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One person asked once: a one-time tokenised link with an expiry."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("调查问卷"), on_delete=models.PROTECT, related_name="invitations"
    )
    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("问卷版本"), on_delete=models.PROTECT, related_name="+"
    )
    token = models.CharField(verbose_name=_("令牌"), max_length=64, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trigger = models.CharField(verbose_name=_("触发"), max_length=20, choices=Trigger.choices)
    # The case event or wave that caused it: each trigger fires once.
    source_event_id = models.BigIntegerField(verbose_name=_("来源事件"), null=True, blank=True)
    wave = models.ForeignKey(
        RelationshipWave,
        verbose_name=_("关系调查批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(
        verbose_name=_("渠道"), max_length=10, choices=DeliveryChannel.choices
    )
    address = models.CharField(verbose_name=_("地址"), max_length=254, blank=True)
    language = models.CharField(verbose_name=_("语言"), max_length=10, default="zh-hans")
    state = models.CharField(
        verbose_name=_("状态"),
        max_length=10,
        choices=InvitationState.choices,
        default=InvitationState.PENDING,
    )
    # Who the answer is about, for the cuts (copied from the case when there is one).
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("班组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "accounts.Site",
        verbose_name=_("网点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case_kind = models.CharField(verbose_name=_("工单类型"), max_length=32, blank=True)
    case_channel = models.CharField(verbose_name=_("工单渠道"), max_length=20, blank=True)
    tier = models.CharField(verbose_name=_("客户等级"), max_length=30, blank=True)
    created_at = models.DateTimeField(verbose_name=_("创建时间"))
    sent_at = models.DateTimeField(verbose_name=_("发送时间"), null=True, blank=True)
    expires_at = models.DateTimeField(verbose_name=_("过期时间"))
    reminders_sent = models.PositiveSmallIntegerField(verbose_name=_("已提醒次数"), default=0)
    last_sent_at = models.DateTimeField(verbose_name=_("最近发送时间"), null=True, blank=True)
    answered_at = models.DateTimeField(verbose_name=_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调查邀请")
        verbose_name_plural = _("调查邀请")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "source_event_id"],
                condition=Q(source_event_id__isnull=False),
                name="invitation_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["wave", "customer"],
                condition=Q(wave__isnull=False),
                name="invitation_once_per_wave",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "created_at"]),
            models.Index(fields=["state", "last_sent_at"]),
            models.Index(fields=["survey", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.survey.code} → {self.customer_id or '-'}"


class Response(models.Model):
    invitation = models.OneToOneField(
        Invitation, verbose_name=_("调查邀请"), on_delete=models.PROTECT, related_name="response"
    )
    survey = models.ForeignKey(
        Survey, verbose_name=_("调查问卷"), on_delete=models.PROTECT, related_name="responses"
    )
    version = models.ForeignKey(
        SurveyVersion,
        verbose_name=_("问卷版本"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    # Empty for anonymous surveys: the answer cannot be traced back to the person.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answers = models.JSONField(verbose_name=_("答案"), default=dict)
    complete = models.BooleanField(verbose_name=_("已答完"), default=False)
    language = models.CharField(verbose_name=_("语言"), max_length=10, default="zh-hans")
    started_at = models.DateTimeField(verbose_name=_("开始时间"))
    saved_at = models.DateTimeField(verbose_name=_("保存时间"))
    submitted_at = models.DateTimeField(verbose_name=_("提交时间"), null=True, blank=True)
    csat = models.PositiveSmallIntegerField(verbose_name=_("CSAT"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(verbose_name=_("NPS"), null=True, blank=True)
    ces = models.PositiveSmallIntegerField(verbose_name=_("CES"), null=True, blank=True)
    # 0–100 per index group (service_quality, care, leadership…), and the weighted index.
    group_scores = models.JSONField(verbose_name=_("分组得分"), default=dict, blank=True)
    open_text = models.TextField(verbose_name=_("开放题回答"), blank=True)
    # The open answers segmented (jieba, space-joined) by the after-answer job, for keywords.
    open_tokens = models.TextField(verbose_name=_("开放题分词"), blank=True)
    complaint_detected = models.BooleanField(verbose_name=_("检出投诉"), default=False)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("班组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "accounts.Site",
        verbose_name=_("网点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case_kind = models.CharField(verbose_name=_("工单类型"), max_length=32, blank=True)
    case_channel = models.CharField(verbose_name=_("工单渠道"), max_length=20, blank=True)
    tier = models.CharField(verbose_name=_("客户等级"), max_length=30, blank=True)
    followup_case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("跟进工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("调查答卷")
        verbose_name_plural = _("调查答卷")
        indexes = [
            models.Index(fields=["survey", "complete", "submitted_at"]),
            models.Index(fields=["complete", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.survey.code} #{self.pk}"


class ResponseItem(models.Model):
    """One numeric answer (a rating, a matrix row), normalised to 0–100 for item means."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="items")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    question = models.CharField(max_length=60)
    group = models.CharField(max_length=40, blank=True)
    value = models.FloatField()
    score = models.FloatField()
    submitted_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["survey", "submitted_at", "question"])]

    def __str__(self) -> str:
        return f"{self.question}={self.value:g}"


class OutboxMessage(models.Model):
    """An SMS or WeChat message with a survey link, for the gateway to send."""

    channel = models.CharField(
        verbose_name=_("渠道"), max_length=10, choices=DeliveryChannel.choices
    )
    to = models.CharField(verbose_name=_("收件人"), max_length=254)
    body = models.TextField(verbose_name=_("内容"))
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("调查邀请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("创建时间"))
    sent_at = models.DateTimeField(verbose_name=_("发送时间"), null=True, blank=True)
    gateway = models.CharField(verbose_name=_("网关"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        indexes = [models.Index(fields=["sent_at", "id"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}"


class IndexGroup(models.Model):
    """A group of questions in the weighted satisfaction index, with its weight."""

    key = models.SlugField(_("代码"), max_length=40, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50)
    weight = models.DecimalField(_("权重"), max_digits=4, decimal_places=3)
    sort_order = models.PositiveSmallIntegerField(verbose_name=_("排序"), default=0)

    class Meta:
        verbose_name = _("满意度指数分组")
        verbose_name_plural = _("满意度指数分组")
        ordering = ["sort_order", "key"]

    def __str__(self) -> str:
        return f"{self.name_zh} × {self.weight}"

    @property
    def display_name(self) -> str:
        """The name in the active language."""
        english = (translation.get_language() or "").startswith("en")
        return (self.name_en if english else self.name_zh) or self.name_zh


class PeerFigure(models.Model):
    """A peer's or the industry's figure for a period (同业排名)."""

    metric = models.CharField(_("指标"), max_length=10)
    peer = models.CharField(_("同业"), max_length=100)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    value = models.FloatField(_("数值"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("同业数据")
        verbose_name_plural = _("同业数据")
        ordering = ["period_start", "metric", "peer"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "peer", "period_start"], name="peer_figure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.peer} {self.metric} {self.period_start}"


class SurveyRollup(models.Model):
    """Running totals per day, survey and cut (team 7, kind complaint, item csat, …), kept by
    the actions in the answer's transaction, so that the dashboard sums a few thousand rows
    instead of reading every response. `dim` "all" (key "") is the survey's total; "item",
    "group" and "driver" are per question; "word" and "phrase" count open-answer keywords."""

    day = models.DateField()
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    dim = models.CharField(max_length=12)
    key = models.CharField(max_length=60, blank=True)
    n = models.PositiveIntegerField(default=0)
    csat_n = models.PositiveIntegerField(default=0)
    csat_ok = models.PositiveIntegerField(default=0)
    nps_n = models.PositiveIntegerField(default=0)
    promoters = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    ces_n = models.PositiveIntegerField(default=0)
    ces_sum = models.FloatField(default=0)
    followups = models.PositiveIntegerField(default=0)
    score_n = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0)
    value_sum = models.FloatField(default=0)
    # Driver analysis: sums for Pearson r of the item (x) with overall satisfaction (y).
    y_sum = models.FloatField(default=0)
    xy_sum = models.FloatField(default=0)
    xx_sum = models.FloatField(default=0)
    yy_sum = models.FloatField(default=0)
    invited = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "survey", "dim", "key"], name="survey_rollup_unique"
            )
        ]
        indexes = [models.Index(fields=["dim", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.survey_id} {self.dim}={self.key}"
