"""Backups of the database and the uploaded files, and their restore.

A backup is a folder: ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``)
or ``database.sqlite3`` (SQLite, a copy made with sqlite3's online backup API,
consistent even while the app writes), ``media/`` (a copy of ``MEDIA_ROOT``:
the uploaded papers and attachments) and ``manifest.json`` (when, which
database engine). ``manage.py backup`` / ``restore`` and ``make backup`` /
``make restore`` call the two functions here.
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections

PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
MANIFEST_FILE = "manifest.json"
MEDIA_DIR = "media"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def default_backup_dir() -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.BASE_DIR) / "backups" / stamp


def backup_create(*, dest: Path | None = None, using: str = "default") -> Path:
    """Write a backup of the database ``using`` and of MEDIA_ROOT into ``dest``
    (a new folder; ``backups/<UTC timestamp>/`` by default) and return it.

    The database is copied first and the files after: a paper's file is stored
    before its row commits, so every file a backed-up row names is in the copy."""
    dest = Path(dest) if dest else default_backup_dir()
    dest.mkdir(parents=True, exist_ok=False)
    connection = connections[using]
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", f"--file={dest / PG_DUMP_FILE}"], connection)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(dest / SQLITE_FILE) as target:
            connection.connection.backup(target)
        target.close()
    else:
        raise BackupError(f"No backup for the {connection.vendor} database engine.")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        shutil.copytree(media, dest / MEDIA_DIR)
    else:
        (dest / MEDIA_DIR).mkdir()
    # Written last: a folder without a manifest is an unfinished backup, and
    # restore refuses it.
    manifest = {
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "vendor": connection.vendor,
    }
    (dest / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return dest


def backup_restore(*, src: Path, using: str = "default") -> dict:
    """Replace the database ``using`` and the contents of MEDIA_ROOT with the
    backup in ``src``; return its manifest.

    PostgreSQL: ``pg_restore --clean --if-exists --no-owner`` in one
    transaction, so a failed restore leaves the database as it was. Objects
    the backup does not know (tables of a later migration) are left alone:
    restore a backup into a database at the same migration, or an empty one.
    SQLite: the online backup API copies the file into the live database."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src} is not a backup: cannot read {MANIFEST_FILE} ({exc}).") from exc
    connection = connections[using]
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(
            f"{src} holds a {manifest.get('vendor')} database; this one is {connection.vendor}."
        )
    if connection.vendor == "postgresql":
        # Our own idle connection must not hold locks that DROP TABLE waits for.
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(src / PG_DUMP_FILE),
            ],
            connection,
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(src / SQLITE_FILE) as source:
            source.backup(connection.connection)
        source.close()
    _restore_media(src / MEDIA_DIR)
    # Content types are cached per process; their ids come from the backup now.
    ContentType.objects.clear_cache()
    return manifest


def _restore_media(backup_media: Path) -> None:
    """Make MEDIA_ROOT hold exactly the backup's files. The folder itself stays
    (it may be a mount point of shared storage); what is in it is replaced."""
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    for child in media.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if backup_media.is_dir():
        shutil.copytree(backup_media, media, dirs_exist_ok=True)


def _run(command: list[str], connection) -> None:
    """Run a PostgreSQL client with the connection's settings in its
    environment (PGPASSWORD never appears on a command line)."""
    params = connection.settings_dict
    env = {**os.environ, "PGDATABASE": params["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if params.get(key):
            env[var] = str(params[key])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    options = params.get("OPTIONS", {})
    for key, var in (("sslmode", "PGSSLMODE"), ("connect_timeout", "PGCONNECT_TIMEOUT")):
        if options.get(key):
            env[var] = str(options[key])
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed or not on PATH.") from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")
