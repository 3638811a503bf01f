"""Choices of the crm app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScoringMethod(models.TextChoices):
    QUANTILE = "quantile", _("按分位数")
    THRESHOLD = "threshold", _("按阈值")


class NeedCategory(models.TextChoices):
    FUNCTIONAL = "functional", _("功能需求")
    SERVICE = "service", _("服务需求")
    EMOTIONAL = "emotional", _("情感需求")
    PRICE = "price", _("价格需求")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待评估")
    PLANNED = "planned", _("已排期")
    FULFILLED = "fulfilled", _("已满足")
    DECLINED = "declined", _("不予满足")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待跟进")
    DONE = "done", _("已跟进")
