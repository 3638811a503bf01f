"""Business calendars: when a service centre is open. The arithmetic is in business_time.py."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class BusinessCalendar(models.Model):
    """Working hours, a time zone, a holiday region, closures and extra working days."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    # "" no public holidays; "CN" mainland China with 调休 (chinese-calendar); any other
    # country code (optionally "DE-BY" with a subdivision) from the `holidays` package.
    region = models.CharField(_("节假日地区"), max_length=20, blank=True, default="CN")
    is_24x7 = models.BooleanField(_("全天候 (7×24)"), default=False)
    makeup_weekday = models.PositiveSmallIntegerField(
        _("调休上班日按此日工作时间"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    # Bumped by every change, so clocks computed on an older version can be found later.
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class WorkingPeriod(models.Model):
    """One stretch of working hours on a weekday; several on one day leave breaks."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    start = models.TimeField(_("开始"))
    # 00:00 as the end means midnight at the end of the day.
    end = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("工作时段")
        verbose_name_plural = _("工作时段")
        ordering = ["calendar", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")) | Q(end=dt.time(0, 0)),
                name="sla_period_start_before_end",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="sla_period_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class Closure(models.Model):
    """The centre is closed: whole local days (first_day..last_day) or an exact interval."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    first_day = models.DateField(_("首日"), null=True, blank=True)
    last_day = models.DateField(_("末日"), null=True, blank=True)
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("停业")
        verbose_name_plural = _("停业")
        ordering = ["calendar", "first_day", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        first_day__isnull=False,
                        last_day__isnull=False,
                        starts_at__isnull=True,
                        ends_at__isnull=True,
                        first_day__lte=F("last_day"),
                    )
                    | Q(
                        first_day__isnull=True,
                        last_day__isnull=True,
                        starts_at__isnull=False,
                        ends_at__isnull=False,
                        starts_at__lt=F("ends_at"),
                    )
                ),
                name="sla_closure_days_or_interval",
            )
        ]

    def __str__(self) -> str:
        if self.first_day is not None:
            return f"{self.first_day}..{self.last_day} {self.reason}".strip()
        return f"{self.starts_at}..{self.ends_at} {self.reason}".strip()


class ExtraWorkday(models.Model):
    """A day the centre works although the week or the region says it rests."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="extra_workdays"
    )
    day = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("额外工作日")
        verbose_name_plural = _("额外工作日")
        ordering = ["calendar", "day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="sla_extra_workday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}".strip()


# Policies and calendar assignments live in their own module; imported here to register.
from kefu.sla.policies import CalendarAssignment, Metric, SlaPolicy, SlaTarget  # noqa: E402

__all__ = [
    "BusinessCalendar",
    "CalendarAssignment",
    "Closure",
    "ExtraWorkday",
    "Metric",
    "SlaPolicy",
    "SlaTarget",
    "WorkingPeriod",
]
