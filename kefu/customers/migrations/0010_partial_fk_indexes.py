import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_configuration_event"),
        ("customers", "0009_drop_redundant_event_customer_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="customer",
            name="customer_chain",
        ),
        # Only the single-column index goes: Django's AlterField would also drop and
        # re-validate the foreign key over every row.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="customer",
                    name="account_manager",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="managed_customers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="客户经理",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_customer_account_manager_id_e124452c"',
                    reverse_sql='CREATE INDEX "customers_customer_account_manager_id_e124452c" ON "customers_customer" ("account_manager_id")',
                ),
            ],
        ),
        # Only the single-column index goes: Django's AlterField would also drop and
        # re-validate the foreign key over every row.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="customer",
                    name="decision_role",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="customers.decisionrole",
                        verbose_name="决策链角色",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_customer_decision_role_id_2e4e7264"',
                    reverse_sql='CREATE INDEX "customers_customer_decision_role_id_2e4e7264" ON "customers_customer" ("decision_role_id")',
                ),
            ],
        ),
        # Only the single-column index goes: Django's AlterField would also drop and
        # re-validate the foreign key over every row.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="customer",
                    name="dedicated_team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="accounts.team",
                        verbose_name="专属团队",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_customer_dedicated_team_id_5f439f41"',
                    reverse_sql='CREATE INDEX "customers_customer_dedicated_team_id_5f439f41" ON "customers_customer" ("dedicated_team_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("organisation__isnull", False)),
                fields=["organisation", "decision_role"],
                name="customer_chain",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("decision_role__isnull", False)),
                fields=["decision_role"],
                name="customer_decision_role",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("account_manager__isnull", False)),
                fields=["account_manager"],
                name="customer_account_manager",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("dedicated_team__isnull", False)),
                fields=["dedicated_team"],
                name="customer_dedicated_team",
            ),
        ),
    ]
