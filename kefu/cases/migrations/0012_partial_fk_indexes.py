import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_leaner_event_and_clock_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Only the single-column index goes: Django's AlterField would also drop and
        # re-validate the foreign key over every row.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="casenotification",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_casenotification_recipient_id_ae328967"',
                    reverse_sql='CREATE INDEX "cases_casenotification_recipient_id_ae328967" ON "cases_casenotification" ("recipient_id")',
                ),
            ],
        ),
    ]
