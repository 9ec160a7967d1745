"""Full-text search over message text on PostgreSQL (a GIN index of the same expression the
case list searches with); SQLite searches with LIKE and needs nothing."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS message_body_search ON disputes_message "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(body, ''::text)))"
)
DROP = "DROP INDEX IF EXISTS message_body_search"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("disputes", "0003_workspace")]

    operations = [migrations.RunPython(forwards, backwards)]
