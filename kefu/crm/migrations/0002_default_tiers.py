from django.db import migrations

# code, name, rank, min RFM score (3..15), queue priority floor, entitlements.
# "vip" and "standard" are the tiers the shipped SLA policies already know.
DEFAULT_TIERS = [
    ("vip", "VIP", 1, 13, 3, "专属客户经理；投诉30分钟内派单、8小时内结案；优先回访"),
    ("gold", "金卡", 2, 10, None, "优先受理；账单疑问当日答复"),
    ("silver", "银卡", 3, 7, None, "节日关怀"),
    ("standard", "普通", 4, 0, None, ""),
]


def load(apps, schema_editor):
    ValueTier = apps.get_model("crm", "ValueTier")
    CrmSettings = apps.get_model("crm", "CrmSettings")
    for code, name, rank, min_score, priority, entitlements in DEFAULT_TIERS:
        ValueTier.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "rank": rank,
                "min_score": min_score,
                "queue_priority": priority,
                "entitlements": entitlements,
            },
        )
    CrmSettings.objects.get_or_create(
        pk=1,
        defaults={
            "recency_cuts": [30, 90, 180, 365],
            "frequency_cuts": [2, 4, 8, 16],
            "monetary_cuts": [500, 2000, 8000, 30000],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
