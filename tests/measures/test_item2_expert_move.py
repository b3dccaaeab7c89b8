"""Issue 14 item 2: Expert moved from members to measures (its relations point
at the Catalogue). The move changes Django's record only: rows written under
the old layout are still there after the migrations, with their links."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from measures.models import Expert, Initiative, Measure
from members.models import Participant
from secretariat.models import Meeting

BEFORE = [
    ("members", "0004_delegate_language"),
    ("measures", "0010_timeline_events"),
    ("secretariat", "0009_outbox_claimed_at"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_item2_experts_written_before_the_move_survive_it():
    """issue 14 item 2: an expert, its history, an initiative and a meeting
    naming it, and a group's permission on it, all written while Expert lived
    in members, are the same rows after the migrations, now measures.Expert."""
    executor = _migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldExpert = old.get_model("members", "Expert")
        OldHistory = old.get_model("members", "HistoricalExpert")
        OldInitiative = old.get_model("measures", "Initiative")
        OldMeeting = old.get_model("secretariat", "Meeting")
        measure_id = Measure.objects.get(code="ECO-9").pk
        participant_id = Participant.objects.get(code="KOR").pk
        expert = OldExpert.objects.create(
            participant_id=participant_id,
            measure_id=measure_id,
            name="Dr Kim",
            contact="kim@example.org",
            started_on=datetime.date(2026, 1, 1),
        )
        OldHistory.objects.create(
            id=expert.pk,
            participant_id=participant_id,
            measure_id=measure_id,
            name="Dr Kim",
            started_on=datetime.date(2026, 1, 1),
            history_date=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            history_type="+",
        )
        initiative = OldInitiative.objects.create(
            measure_id=measure_id, modality="b", sequence=7, status="drafting"
        )
        initiative.responsible_experts.add(expert.pk)
        meeting = OldMeeting.objects.create(
            body="specialised", date=datetime.date(2026, 2, 1), measure_id=measure_id
        )
        meeting.experts.add(expert.pk)
        content_type = ContentType.objects.get(app_label="members", model="expert")
        permission, _created = Permission.objects.get_or_create(
            content_type=content_type, codename="view_expert", defaults={"name": "Can view expert"}
        )
        group = Group.objects.create(name="Roster readers")
        group.permissions.add(permission)
    finally:
        _migrate(executor.loader.graph.leaf_nodes())

    moved = Expert.objects.get(pk=expert.pk)
    assert (moved.name, moved.contact, moved.participant.code) == (
        "Dr Kim",
        "kim@example.org",
        "KOR",
    )
    assert list(moved.history.values_list("name", flat=True)) == ["Dr Kim"]
    assert list(Initiative.objects.get(pk=initiative.pk).responsible_experts.all()) == [moved]
    assert list(Meeting.objects.get(pk=meeting.pk).experts.all()) == [moved]
    ContentType.objects.clear_cache()
    content_type = ContentType.objects.get_for_model(Expert)
    assert content_type.pk == permission.content_type_id
    assert group.permissions.filter(content_type__app_label="measures").exists()
