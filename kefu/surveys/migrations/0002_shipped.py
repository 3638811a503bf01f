from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from kefu.surveys.shipped import load_shipped

    load_shipped(
        apps.get_model("surveys", "Survey"),
        apps.get_model("surveys", "SurveyVersion"),
        apps.get_model("surveys", "IndexGroup"),
        timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
