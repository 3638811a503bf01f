"""SLA policies: targets per case kind × customer tier × priority, and which calendar counts.

A policy matches a case when each of its set criteria (kind, tier, priority) equals the
case's; blank criteria match anything. The most specific active policy wins (most criteria
set, then the lowest id). Calendars are chosen per team, else per site, else the default.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    ASSIGN = "assign", _("派单时限")
    FIRST_RESPONSE = "first_response", _("首次响应时限")
    NEXT_UPDATE = "next_update", _("跟进时限")
    RESOLUTION = "resolution", _("限时结案")
    RETURN_VISIT = "return_visit", _("回访时限")


def metric_label(code: str) -> str:
    """A time standard by its name in the active language (限时结案); an unknown code as is."""
    return str(Metric(code).label) if code in Metric.values else code


class SlaPolicy(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    kind_code = models.CharField(_("工单类型"), max_length=32, blank=True)
    tier = models.CharField(_("客户等级"), max_length=30, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        app_label = "sla"
        verbose_name = _("时限标准")
        verbose_name_plural = _("时限标准")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return sum(bool(v) for v in (self.kind_code, self.tier, self.priority))


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("指标"), max_length=20, choices=Metric.choices)
    minutes = models.PositiveIntegerField(_("时限（分钟）"))
    business_time = models.BooleanField(_("按工作时间计"), default=True)
    warn_share = models.FloatField(_("预警比例"), default=0.8)

    class Meta:
        app_label = "sla"
        verbose_name = _("时限指标")
        verbose_name_plural = _("时限指标")
        constraints = [
            models.UniqueConstraint(fields=["policy", "metric"], name="sla_target_unique"),
            models.CheckConstraint(
                condition=Q(warn_share__gt=0) & Q(warn_share__lt=1), name="sla_warn_share_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy}: {self.metric} {self.minutes} min"


class CalendarAssignment(models.Model):
    """Which business calendar a team's (or a whole site's) clocks count on."""

    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("工作日历"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    team = models.OneToOneField(
        "accounts.Team",
        verbose_name=_("班组"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    site = models.OneToOneField(
        "accounts.Site",
        verbose_name=_("网点"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        app_label = "sla"
        verbose_name = _("日历分配")
        verbose_name_plural = _("日历分配")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) ^ Q(site__isnull=False),
                name="sla_calendar_for_team_or_site",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team or self.site} → {self.calendar}"
