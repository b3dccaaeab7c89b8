"""Two people acting on one initiative at once (issue 3, must show 4).

Real threads, real connections, real row locks: this runs on PostgreSQL
(SQLite serialises writers differently and is skipped).
"""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from measures.models import Initiative, InitiativeEvent, Measure
from members.models import Participant
from secretariat.models import Decision, Meeting

pytestmark = pytest.mark.django_db(transaction=True)


def _race(users, url, payload, n=10):
    barrier = threading.Barrier(n)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def worker(user):
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=30)
            response = client.post(url, payload, format="json")
            with lock:
                results.append((response.status_code, response.json().get("detail", "")))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(users[i % len(users)],)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL (DATABASE_URL)")


def test_ten_concurrent_consultations_one_wins(postgres_only, people):
    initiative = Initiative.objects.create(measure=Measure.objects.get(code="HUM-2"))
    url = f"/api/v1/initiatives/{initiative.pk}/open-consultation/"
    results = _race([people.secretariat, people.chair], url, {"reason": "race"})
    codes = sorted(code for code, _detail in results)
    assert codes == [200] + [409] * 9, results
    assert all("consultation" in detail.lower() for code, detail in results if code == 409)
    assert InitiativeEvent.objects.filter(initiative=initiative).count() == 1
    initiative.refresh_from_db()
    assert initiative.status == "consultation"


def test_ten_concurrent_decisions_one_recorded(postgres_only, people):
    initiative = Initiative.objects.create(
        measure=Measure.objects.get(code="HUM-3"), status="swg_review"
    )
    meeting = Meeting.objects.create(body="swg", date=timezone.localdate() - datetime.timedelta(1))
    meeting.present.set(Participant.objects.filter(code__in=["KAZ", "CHN"]))
    url = f"/api/v1/initiatives/{initiative.pk}/record-swg-decision/"
    results = _race([people.secretariat], url, {"meeting": meeting.pk, "outcome": "approved"})
    assert sorted(code for code, _d in results) == [200] + [409] * 9, results
    assert Decision.objects.filter(initiative=initiative).count() == 1
    assert InitiativeEvent.objects.filter(initiative=initiative).count() == 1


def test_two_first_declarations_at_once_make_one_initiative(postgres_only, people):
    measure = Measure.objects.get(code="HUM-4")
    users = [people["delegate-chn"], people["delegate-ind"]]
    results = _race(users, "/api/v1/initiatives/", {"measure": "HUM-4"}, n=2)
    assert sorted(code for code, _d in results) == [200, 201], results
    initiative = Initiative.objects.get(measure=measure)
    assert initiative.declarations.count() == 2
