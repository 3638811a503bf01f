"""The marker that the demo data was loaded (so a second `load_demo` does nothing)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoDataset(models.Model):
    loaded_at = models.DateTimeField(_("加载时间"))
    seed = models.IntegerField(_("随机种子"))
    customers = models.PositiveIntegerField(_("客户数"))
    cases = models.PositiveIntegerField(_("工单数"))
    seconds = models.FloatField(_("耗时（秒）"))

    class Meta:
        verbose_name = _("演示数据")
        verbose_name_plural = _("演示数据")

    def __str__(self) -> str:
        return f"demo {self.loaded_at:%Y-%m-%d %H:%M} ({self.cases} cases)"
