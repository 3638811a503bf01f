from django.db import migrations

# Every answer updates ~20 rollup rows in place: on PostgreSQL, room on each page lets those
# updates stay HOT (no new index entries), and autovacuum comes often enough to keep the
# table small.
FORWARD = (
    "ALTER TABLE surveys_surveyrollup SET (fillfactor = 50, "
    "autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02)"
)
BACKWARD = (
    "ALTER TABLE surveys_surveyrollup RESET (fillfactor, "
    "autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_rollups")]
    operations = [migrations.RunPython(forward, backward)]
