"""Notices written before they named their time standard: the metric read back from the
end of their text ("工单 TS-… 已超时（resolution）"), so they too read in each reader's
language."""

from django.db import migrations

METRICS = ("assign", "first_response", "next_update", "resolution", "return_visit")


def name_metrics(apps, schema_editor):
    notices = apps.get_model("cases", "CaseNotification").objects.filter(
        kind__in=("sla_breach", "sla_warning"), metric=""
    )
    for metric in METRICS:
        notices.filter(text__endswith=f"（{metric}）").update(metric=metric)


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_notification_metric")]

    operations = [migrations.RunPython(name_metrics, migrations.RunPython.noop)]
