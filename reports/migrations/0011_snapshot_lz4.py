"""The snapshots' JSON compressed with lz4 instead of pglz on PostgreSQL (14 and later, built with lz4).

A recompute writes 70,000 snapshots of 8 KB of JSON on average at 400,000 members; PostgreSQL compresses
each (TOAST) with pglz by default, about a third of the time the writes take; lz4 takes a third of
pglz's time for a little more disk (docs/performance.md). Values already stored keep their compression
until they are rewritten (the next recompute). Nothing to do on other databases.
"""

from django.db import migrations

COLUMNS = ("data", "lists")


def _lz4_supported(schema_editor) -> bool:
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return bool(row) and "lz4" in row[0]


def _set(method: str):
    def apply(apps, schema_editor):
        if not _lz4_supported(schema_editor):
            return
        table = schema_editor.quote_name(apps.get_model("reports", "ProgressSnapshot")._meta.db_table)
        for column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name(column)} SET COMPRESSION {method}"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [("reports", "0010_snaplists_lists")]

    operations = [migrations.RunPython(_set("lz4"), _set("pglz"))]
