from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, the online backup API on SQLite) "
        "and the uploaded files (MEDIA_ROOT) into a new folder, backups/<UTC timestamp>/ "
        "by default. `make backup` runs this."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", type=Path, default=None, help="Folder to create.")
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, to: Path | None, database: str, **options):
        try:
            dest = backup_create(dest=to, using=database)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {dest}")
