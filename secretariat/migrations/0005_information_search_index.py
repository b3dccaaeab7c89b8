"""A GIN index on the information exchange's search vector, on PostgreSQL only
(SQLite has no GIN; the embedded default searches with a plain LIKE)."""

from django.db import migrations

INDEX = "secretariat_information_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON secretariat_informationsubmission "
            "USING gin (search_vector)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("secretariat", "0004_information_exchange")]

    operations = [migrations.RunPython(create, drop)]
