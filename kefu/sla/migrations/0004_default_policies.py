from django.db import migrations

# name, kind, tier, priority, [(metric, minutes, business_time)]
DEFAULT_POLICIES = [
    (
        "通用时限标准",
        "",
        "",
        None,
        [("assign", 240, True), ("first_response", 480, True), ("resolution", 1800, True)],
    ),
    (
        "投诉时限标准（1小时内派单）",
        "complaint",
        "",
        None,
        [
            ("assign", 60, True),
            ("first_response", 120, True),
            ("resolution", 960, True),
            ("return_visit", 3 * 24 * 60, False),
        ],
    ),
    (
        "紧急投诉（全天候计时）",
        "complaint",
        "",
        4,
        [
            ("assign", 30, False),
            ("first_response", 60, False),
            ("resolution", 480, False),
            ("return_visit", 24 * 60, False),
        ],
    ),
    (
        "VIP客户投诉",
        "complaint",
        "vip",
        None,
        [
            ("assign", 30, True),
            ("first_response", 60, True),
            ("resolution", 480, True),
            ("return_visit", 2 * 24 * 60, False),
        ],
    ),
]


def load(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    for name, kind, tier, priority, targets in DEFAULT_POLICIES:
        policy, _ = SlaPolicy.objects.get_or_create(
            name=name, defaults={"kind_code": kind, "tier": tier, "priority": priority}
        )
        for metric, minutes, business in targets:
            SlaTarget.objects.get_or_create(
                policy=policy,
                metric=metric,
                defaults={"minutes": minutes, "business_time": business},
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_policies")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
