from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE cases_search_fts USING fts5(
        content, content='cases_casesearchdocument', content_rowid='case_id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER cases_search_ai AFTER INSERT ON cases_casesearchdocument BEGIN
        INSERT INTO cases_search_fts(rowid, content) VALUES (new.case_id, new.content);
    END""",
    """CREATE TRIGGER cases_search_ad AFTER DELETE ON cases_casesearchdocument BEGIN
        INSERT INTO cases_search_fts(cases_search_fts, rowid, content)
        VALUES ('delete', old.case_id, old.content);
    END""",
    """CREATE TRIGGER cases_search_au AFTER UPDATE ON cases_casesearchdocument BEGIN
        INSERT INTO cases_search_fts(cases_search_fts, rowid, content)
        VALUES ('delete', old.case_id, old.content);
        INSERT INTO cases_search_fts(rowid, content) VALUES (new.case_id, new.content);
    END""",
    # The service record is append-only, in the database too.
    """CREATE TRIGGER cases_caseevent_no_update BEFORE UPDATE ON cases_caseevent BEGIN
        SELECT RAISE(ABORT, 'case events are append-only');
    END""",
    """CREATE TRIGGER cases_casemessage_no_update BEFORE UPDATE ON cases_casemessage BEGIN
        SELECT RAISE(ABORT, 'case messages are append-only');
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_casemessage_no_update",
    "DROP TRIGGER IF EXISTS cases_caseevent_no_update",
    "DROP TRIGGER IF EXISTS cases_search_au",
    "DROP TRIGGER IF EXISTS cases_search_ad",
    "DROP TRIGGER IF EXISTS cases_search_ai",
    "DROP TABLE IF EXISTS cases_search_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE cases_casesearchdocument ADD COLUMN tsv tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED""",
    "CREATE INDEX cases_search_tsv ON cases_casesearchdocument USING gin (tsv)",
    """CREATE FUNCTION kefu_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME; END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER cases_caseevent_no_update BEFORE UPDATE ON cases_caseevent
        FOR EACH ROW EXECUTE FUNCTION kefu_append_only()""",
    """CREATE TRIGGER cases_casemessage_no_update BEFORE UPDATE ON cases_casemessage
        FOR EACH ROW EXECUTE FUNCTION kefu_append_only()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_casemessage_no_update ON cases_casemessage",
    "DROP TRIGGER IF EXISTS cases_caseevent_no_update ON cases_caseevent",
    "DROP FUNCTION IF EXISTS kefu_append_only()",
    "DROP INDEX IF EXISTS cases_search_tsv",
    "ALTER TABLE cases_casesearchdocument DROP COLUMN IF EXISTS tsv",
]

def vendor_sql(forward, backward):
    def run(apps, schema_editor, statements):
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        run(apps, schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(vendor, []))

    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        run(apps, schema_editor, {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(vendor, []))

    return migrations.RunPython(forwards, backwards)


def load_reference_data(apps, schema_editor):
    from kefu.cases.reference_data import load_reference_data as load

    load(apps.get_model("cases", "CaseKind"), apps.get_model("cases", "CauseCategory"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        vendor_sql(SQLITE_FORWARD, SQLITE_BACKWARD),
        migrations.RunPython(load_reference_data, migrations.RunPython.noop),
    ]
