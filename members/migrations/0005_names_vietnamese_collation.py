"""The ICU collation `vietnamese` (locale "vi") that PostgreSQL sorts people's names with
(members/names.py). Nothing on SQLite, which gets its collation from Python on each connection."""

from django.contrib.postgres.operations import CreateCollation
from django.db import migrations


class CreateCollationOnPostgres(CreateCollation):
    """`CreateCollation`, whose reverse also leaves databases other than PostgreSQL alone."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_organisation_terms"),
    ]

    operations = [
        CreateCollationOnPostgres("vietnamese", provider="icu", locale="vi"),
    ]
