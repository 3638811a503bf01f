"""The mainland China standard calendar and a 24×7 calendar, present in every deployment."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

MAINLAND = "cn-standard"
ALWAYS = "24x7"


def create(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    WorkingPeriod = apps.get_model("sla", "WorkingPeriod")
    now = timezone.now()
    mainland, created = BusinessCalendar.objects.get_or_create(
        code=MAINLAND,
        defaults={
            "name": "中国大陆标准工作日",
            "time_zone": "Asia/Shanghai",
            "region": "CN",
            "is_24x7": False,
            "makeup_weekday": 0,
            "updated_at": now,
        },
    )
    if created:
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(calendar=mainland, weekday=weekday, start=start, end=end)
            for weekday in range(5)
            for start, end in ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(18, 0)))
        )
    BusinessCalendar.objects.get_or_create(
        code=ALWAYS,
        defaults={
            "name": "7×24 全天候",
            "time_zone": "Asia/Shanghai",
            "region": "",
            "is_24x7": True,
            "updated_at": now,
        },
    )


def remove(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    BusinessCalendar.objects.filter(code__in=[MAINLAND, ALWAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
