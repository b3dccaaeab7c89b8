"""PostgreSQL's ``unaccent`` for the Catalogue's search (issue 16 item 11):
"energie" finds "énergétique". Nothing on SQLite. The search stems words
with the text-search configurations PostgreSQL ships (no extension), so
``pg_trgm`` is not needed. Creating an extension takes a superuser or, since
PostgreSQL 13, the database's owner (``unaccent`` is a trusted extension)."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class UnaccentOnPostgreSQL(UnaccentExtension):
    """Django's operation does nothing forwards on another database but asks
    ``pg_extension`` backwards whatever the database: on SQLite, migrating
    back past this one failed. Nothing either way but on PostgreSQL."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0011_expert_moved_from_members"),
    ]

    operations = [
        UnaccentOnPostgreSQL(),
    ]
