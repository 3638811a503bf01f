"""CRM: value tiers and RFM grades, tier changes, needs, satisfaction, churn warning."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kefu.accounts.actors import ActorKind
from kefu.core.models import AppendOnlyModel
from kefu.crm.choices import NeedCategory, NeedStatus, ScoringMethod, TaskStatus


class ValueTier(models.Model):
    """A value tier (VIP / 金卡 / 银卡 / 普通): its code is the customer's tier, which picks
    the SLA policy; a customer whose RFM score reaches min_score (and no higher tier's) gets it."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    rank = models.PositiveSmallIntegerField(_("排序"), default=100, help_text=_("1 为最高"))
    min_score = models.PositiveSmallIntegerField(_("最低RFM总分"), default=0)
    queue_priority = models.PositiveSmallIntegerField(_("工单优先级下限"), null=True, blank=True)
    entitlements = models.TextField(_("专属权益"), blank=True)
    entitlements_en = models.TextField(_("专属权益（英文）"), blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("客户价值等级")
        verbose_name_plural = _("客户价值等级")
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the active language."""
        return self.name_en if _english() and self.name_en else self.name

    @property
    def entitlements_label(self) -> str:
        return self.entitlements_en if _english() and self.entitlements_en else self.entitlements


def _english() -> bool:
    return (get_language() or "").startswith("en")


class CrmSettings(models.Model):
    """The grading and churn-warning parameters: one row (pk=1), editable in the admin."""

    window_days = models.PositiveIntegerField(_("RFM统计窗口（天）"), default=365)
    method = models.CharField(
        _("评分方法"), max_length=10, choices=ScoringMethod.choices, default=ScoringMethod.QUANTILE
    )
    # Threshold scoring: 4 ascending cut points each; R counts days (fewer is better).
    recency_cuts = models.JSONField(_("R阈值（天）"), default=list, blank=True)
    frequency_cuts = models.JSONField(_("F阈值（次）"), default=list, blank=True)
    monetary_cuts = models.JSONField(_("M阈值（元）"), default=list, blank=True)
    churn_window_days = models.PositiveIntegerField(_("流失预警窗口（天）"), default=90)
    churn_threshold = models.FloatField(_("流失预警阈值"), default=50)
    weight_decline = models.FloatField(_("权重：消费下降"), default=35)
    weight_complaints = models.FloatField(_("权重：投诉"), default=20)
    weight_breaches = models.FloatField(_("权重：超时"), default=15)
    weight_satisfaction = models.FloatField(_("权重：满意度低"), default=20)
    weight_silence = models.FloatField(_("权重：久未联系"), default=10)
    follow_up_days = models.PositiveSmallIntegerField(_("跟进期限（天）"), default=3)

    class Meta:
        verbose_name = _("客户关系参数")
        verbose_name_plural = _("客户关系参数")

    def __str__(self) -> str:
        return f"RFM {self.window_days}d {self.method}"


class CustomerValue(models.Model):
    """The customer's latest RFM grade (one row per graded customer, rewritten in bulk)."""

    customer = models.OneToOneField(
        "customers.Customer", primary_key=True, on_delete=models.CASCADE, related_name="value"
    )
    # The last purchase, not "days since": the row changes only when the grade's inputs do.
    last_purchase_on = models.DateField(_("最近消费日期"), null=True, blank=True)
    frequency = models.PositiveIntegerField(_("消费次数"), default=0)
    monetary = models.DecimalField(_("消费金额"), max_digits=16, decimal_places=2, default=0)
    r = models.PositiveSmallIntegerField("R", default=1)
    f = models.PositiveSmallIntegerField("F", default=1)
    m = models.PositiveSmallIntegerField("M", default=1)
    score = models.PositiveSmallIntegerField(_("RFM总分"), default=3)
    tier = models.CharField(_("价值等级"), max_length=30)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("客户价值")
        verbose_name_plural = _("客户价值")
        indexes = [models.Index(fields=["tier", "score"], name="crm_value_tier")]

    def __str__(self) -> str:
        return f"{self.customer_id} R{self.r}F{self.f}M{self.m} {self.tier}"


class TierChange(AppendOnlyModel):
    """A customer's tier changed: from what to what, and the R, F, M values that caused it."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="tier_changes",
        db_index=False,  # crm_tier_change_timeline leads with it
    )
    at = models.DateTimeField(verbose_name=_("时间"))
    previous = models.CharField(_("原等级"), max_length=30)
    tier = models.CharField(_("新等级"), max_length=30)
    recency_days = models.PositiveIntegerField(
        verbose_name=_("距上次消费天数"), null=True, blank=True
    )
    frequency = models.PositiveIntegerField(verbose_name=_("消费次数"), default=0)
    monetary = models.DecimalField(
        verbose_name=_("消费金额"), max_digits=16, decimal_places=2, default=0
    )
    r = models.PositiveSmallIntegerField(verbose_name="R", null=True, blank=True)
    f = models.PositiveSmallIntegerField(verbose_name="F", null=True, blank=True)
    m = models.PositiveSmallIntegerField(verbose_name="M", null=True, blank=True)
    score = models.PositiveSmallIntegerField(verbose_name=_("RFM总分"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
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
    )
    actor_customer_id = models.BigIntegerField(verbose_name=_("操作客户"), null=True, blank=True)
    actor_source = models.CharField(verbose_name=_("来源"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("等级变更")
        verbose_name_plural = _("等级变更")
        indexes = [models.Index(fields=["customer", "at"], name="crm_tier_change_timeline")]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.previous}→{self.tier}"


class Need(models.Model):
    """A customer need (客户需求), classified and assessed; its priority follows the formula."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="needs"
    )
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="+")
    category = models.CharField(_("需求类别"), max_length=20, choices=NeedCategory.choices)
    title = models.CharField(_("需求"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    importance = models.PositiveSmallIntegerField(_("重要性"))
    urgency = models.PositiveSmallIntegerField(_("紧迫性"))
    feasibility = models.PositiveSmallIntegerField(_("可行性"))
    days_to_fulfil = models.PositiveIntegerField(_("实现所需天数"))
    priority = models.FloatField(_("优先级"))
    status = models.CharField(
        _("状态"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(verbose_name=_("更新时间"))

    class Meta:
        verbose_name = _("客户需求")
        verbose_name_plural = _("客户需求")
        indexes = [models.Index(fields=["customer", "-priority"], name="crm_need_customer")]
        constraints = [
            models.CheckConstraint(
                condition=Q(importance__gte=1, importance__lte=5)
                & Q(urgency__gte=1, urgency__lte=5)
                & Q(feasibility__gte=1, feasibility__lte=5),
                name="crm_need_scores_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SatisfactionRecord(models.Model):
    """A satisfaction measurement (a survey answer, a return-visit outcome), 0..1 normalised."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="satisfaction"
    )
    score = models.FloatField(_("得分"))
    scale_max = models.FloatField(_("满分"))
    normalised = models.FloatField(_("标准化得分"))
    source = models.CharField(_("来源"), max_length=40)
    reference = models.CharField(_("来源编号"), max_length=100)
    measured_at = models.DateTimeField(_("测量时间"))
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("满意度")
        verbose_name_plural = _("满意度")
        constraints = [
            models.UniqueConstraint(fields=["source", "reference"], name="crm_satisfaction_once"),
        ]
        indexes = [models.Index(fields=["customer", "measured_at"], name="crm_satisfaction_cust")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.score}/{self.scale_max}"


class ChurnEpisode(models.Model):
    """A stretch of time a customer stayed above the churn threshold: one follow-up each."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="churn_episodes"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    peak_score = models.FloatField(default=0)

    class Meta:
        verbose_name = _("流失预警期")
        verbose_name_plural = _("流失预警期")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(ended_at__isnull=True),
                name="crm_one_open_churn_episode",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.started_at:%Y-%m-%d}"


class ChurnAssessment(models.Model):
    """The customer's latest churn score, its components and the reasons in words (codes +
    parameters, rendered in the reader's language)."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("客户"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="churn",
    )
    score = models.FloatField(_("流失风险分"))
    components = models.JSONField(verbose_name=_("分项得分"), default=dict)
    reasons = models.JSONField(verbose_name=_("原因"), default=list)
    at_risk = models.BooleanField(_("有流失风险"), default=False)
    computed_at = models.DateTimeField(verbose_name=_("计算时间"))

    class Meta:
        verbose_name = _("流失评估")
        verbose_name_plural = _("流失评估")
        indexes = [
            models.Index(fields=["-score"], name="crm_churn_at_risk", condition=Q(at_risk=True))
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.score:.0f}"


class FollowUpTask(models.Model):
    """A task for the account manager: call the customer at risk of leaving."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    episode = models.OneToOneField(
        ChurnEpisode,
        verbose_name=_("流失预警期"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="task",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crm_follow_ups",
    )
    title = models.CharField(_("任务"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    due_at = models.DateTimeField(_("期限"))
    created_at = models.DateTimeField(verbose_name=_("创建时间"))
    done_at = models.DateTimeField(verbose_name=_("完成时间"), null=True, blank=True)
    note = models.TextField(_("跟进记录"), blank=True)

    class Meta:
        verbose_name = _("跟进任务")
        verbose_name_plural = _("跟进任务")
        indexes = [models.Index(fields=["assignee", "status"], name="crm_task_inbox")]

    def __str__(self) -> str:
        return self.title
