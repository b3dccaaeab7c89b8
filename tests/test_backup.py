"""`manage.py backup` / `restore` (make backup / make restore): a round trip
reproduces every row of every table and every uploaded file.

On PostgreSQL pg_dump runs in another process and sees only committed rows,
so the test is transactional; it ends with a flush and the next test loads the
registers again (tests/conftest.py)."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from measures.models import Initiative, Measure, Paper
from members.models import Participant
from secretariat.models import Circulation, Meeting, Notification, Receipt
from secretariat.services import initiative_circulate, meeting_create, receipt_answer

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table in the database (models, many-to-many tables,
    django_migrations, the beat schedule...), in a stable order."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cursor.fetchall()
            ]
            tables[table] = sorted(rows, key=repr)
    return tables


def media_files() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def workflow(people, eager_celery, drafting):
    """Beside the registers: an initiative with a paper (a file in MEDIA_ROOT),
    circulated with receipts, notifications and e-mails sent, one answer, and
    a meeting with those present (a many-to-many table)."""
    initiative = drafting
    initiative_circulate(
        actor=people.secretariat,
        initiative=initiative,
        deadline=timezone.localdate() + datetime.timedelta(days=10),
    )
    circulation = Circulation.objects.get(initiative=initiative)
    receipt_answer(actor=people["delegate-kaz"], circulation=circulation, position="support")
    meeting_create(
        actor=people.secretariat,
        body="swg",
        date=timezone.localdate(),
        present=Participant.objects.filter(code__in=["KAZ", "CHN", "RUS"]),
    )
    return initiative


def test_backup_and_restore_reproduce_every_row_and_file(workflow, tmp_path):
    before = snapshot()
    files_before = media_files()
    assert Receipt.objects.count() > 0
    assert Notification.objects.count() > 0
    assert Meeting.objects.get().present.count() == 3
    assert len(files_before) == 1

    call_command("backup", to=tmp_path / "backup", verbosity=0)
    assert (tmp_path / "backup" / "manifest.json").is_file()

    # Change the world: rename, delete, add rows; lose a file, add another.
    Participant.objects.filter(code="KAZ").update(name_en="Renamed")
    Notification.objects.all().delete()
    Receipt.objects.filter(position="").delete()
    Meeting.objects.get().present.clear()
    Initiative.objects.create(measure=Measure.objects.get(code="HUM-2"))
    paper = Paper.objects.get()
    Path(paper.file.path).unlink()
    (Path(settings.MEDIA_ROOT) / "stray.txt").write_text("not in the backup")
    assert snapshot() != before

    call_command("restore", str(tmp_path / "backup"), interactive=False, verbosity=0)

    after = snapshot()
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert after[table] == rows, f"{table} differs after restore"
    assert media_files() == files_before
    # Sequences came back too: new rows take fresh ids.
    extra = Initiative.objects.create(measure=Measure.objects.get(code="HUM-2"))
    assert extra.pk > max(pk for pk, *_ in before[Initiative._meta.db_table])


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path), interactive=False)
