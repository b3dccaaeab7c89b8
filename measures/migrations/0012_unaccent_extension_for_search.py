"""PostgreSQL's ``unaccent`` for the Catalogue's search (issue 16 item 11):
"energie" finds "énergétique". Nothing on SQLite. The search stems words
with the text-search configurations PostgreSQL ships (no extension), so
``pg_trgm`` is not needed. Creating an extension takes a superuser or, since
PostgreSQL 13, the database's owner (``unaccent`` is a trusted extension)."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0011_expert_moved_from_members"),
    ]

    operations = [
        UnaccentExtension(),
    ]
