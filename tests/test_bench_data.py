"""`manage.py bench_data` (make bench's first step, now in the ops app) fills
PostgreSQL at a small scale; on SQLite it refuses with a message.

Transactional: the command ends with VACUUM, which cannot run in a
transaction; the flush afterwards is followed by the registers again
(tests/conftest.py)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from measures.models import Initiative, InitiativeEvent
from members.models import Delegate
from secretariat.models import Notification, Receipt

pytestmark = pytest.mark.django_db(transaction=True)


def test_item2_bench_data_fills_postgresql_at_a_small_scale(capsys):
    """issue 14 item 2: the moved bench_data command runs (scale 0.001: its minimum sizes)."""
    if connection.vendor != "postgresql":
        before = Initiative.objects.count()
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("bench_data", scale=0.001)
        assert Initiative.objects.count() == before
        return
    delegates_before = Delegate.objects.count()
    call_command("bench_data", scale=0.001)
    assert "bench data (scale 0.001" in capsys.readouterr().out
    assert Initiative.objects.count() >= 100
    assert InitiativeEvent.objects.count() >= 1000
    assert Receipt.objects.count() > 900  # about the number asked
    assert Notification.objects.count() > 900
    bench = Delegate.objects.filter(user__username__startswith="bench-")
    assert bench.count() == Delegate.objects.count() - delegates_before == 60
    assert set(bench.values_list("language", flat=True)) == {""}


def test_v7_implementation_years_on_top_of_bench_data():
    """issue 17 (make bench): after bench_data's bench states (members, no
    dates), the implementation years still have exactly CICA's 28 member
    states owing each cycle: the bench states are observers from 2016."""
    if connection.vendor != "postgresql":
        pytest.skip("bench_data writes with COPY (PostgreSQL)")
    from implementation.models import ReportingCycle  # noqa: PLC0415
    from implementation.services.reporting import states_owing  # noqa: PLC0415
    from members.models import Participant  # noqa: PLC0415

    call_command("bench_data", scale=0.001)
    assert Participant.objects.with_status_in("member").count() > 28  # bench states too
    call_command("bench_implementation_data", years=2, activities_per_year=1)
    for cycle in ReportingCycle.objects.all():
        owing = states_owing(cycle)
        assert len(owing) == 28
        assert not [p.code for p in owing if p.code.startswith("B") and p.name.startswith("Bench")]
    assert Participant.objects.with_status_in("member").count() == 28
    assert (
        Participant.objects.filter(name__startswith="Bench state")
        .with_status_in("observer")
        .count()
        == Participant.objects.filter(name__startswith="Bench state").count()
    )
