from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from kefu.assist.content import load_shipped

    load_shipped(
        apps.get_model("assist", "ReplyTemplate"),
        apps.get_model("assist", "ArticleCategory"),
        timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("assist", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
