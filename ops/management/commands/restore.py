from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files (MEDIA_ROOT) with a backup made by "
        "`manage.py backup`. `make restore FROM=backups/<stamp>` runs this."
    )

    def add_arguments(self, parser):
        parser.add_argument("src", type=Path, help="The backup folder, e.g. backups/<stamp>.")
        parser.add_argument("--database", default="default", help="Database alias.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, src: Path, database: str, interactive: bool, **options):
        if not src.is_dir():
            raise CommandError(f"No backup folder {src}.")
        if interactive:
            answer = input(
                f"This replaces every row of the database and every uploaded file with {src}. "
                "Type 'yes' to continue: "
            )
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        try:
            manifest = backup_restore(src=src, using=database)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {src} (backup of {manifest.get('created', '?')})")
