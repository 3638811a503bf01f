from django.db import migrations

# policy name -> (minutes, counted in business time)
NEXT_UPDATE = {
    "通用时限标准": (960, True),
    "投诉时限标准（1小时内派单）": (480, True),
    "紧急投诉（全天候计时）": (240, False),
    "VIP客户投诉": (240, True),
}


def load(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    for name, (minutes, business) in NEXT_UPDATE.items():
        policy = SlaPolicy.objects.filter(name=name).first()
        if policy is not None:
            SlaTarget.objects.get_or_create(
                policy=policy,
                metric="next_update",
                defaults={"minutes": minutes, "business_time": business},
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_next_update_metric")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
