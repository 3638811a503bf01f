"""PostgreSQL: the indexes of the customer search (kefu.customers.text_search). pg_trgm is a
trusted extension: the database's owner may create it."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE INDEX customer_name_chars ON customers_customer
        USING gin (string_to_array(lower(name), NULL))""",
    """CREATE INDEX customer_phone_digits ON customers_customerphone
        USING gin (number gin_trgm_ops)""",
    """CREATE INDEX customer_email_text ON customers_customeremail
        USING gin (upper(address) gin_trgm_ops)""",
]
BACKWARD = [
    "DROP INDEX IF EXISTS customer_email_text",
    "DROP INDEX IF EXISTS customer_phone_digits",
    "DROP INDEX IF EXISTS customer_name_chars",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("customers", "0011_alter_customerevent_type")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
