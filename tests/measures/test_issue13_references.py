"""Issue 13 item 4: an initiative's reference is unique per measure, whatever
its modality, and the database holds it."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from measures.models import Initiative, Measure

pytestmark = pytest.mark.django_db


def test_item4_second_initiative_on_eco9_in_modality_b_gets_its_own_reference(as_user):
    """issue 13 item 4: ECO-9 (a) from the annex, then (b) through the API: ECO-9-2."""
    first = Initiative.objects.get(measure__code="ECO-9", modality="a")
    assert (first.reference, first.sequence) == ("ECO-9", 1)

    kor = as_user("delegate-kor")
    created = kor.post("/api/v1/initiatives/", {"measure": "ECO-9", "modality": "b"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["reference"], body["sequence"], body["modality"]) == ("ECO-9-2", 2, "b")

    listed = as_user("").get("/api/v1/initiatives/?measure=ECO-9").json()["results"]
    references = [row["reference"] for row in listed]
    assert sorted(references) == ["ECO-9", "ECO-9-2"]
    assert len(set(references)) == len(references)


def test_item4_a_closed_initiative_and_its_successor_of_the_other_modality_differ(as_user):
    """issue 13 item 4: after ECO-9 (a) is withdrawn, a (b) and then a new (a) get 2 and 3."""
    first = Initiative.objects.get(measure__code="ECO-9", modality="a")
    withdrawn = as_user("secretariat").post(
        f"/api/v1/initiatives/{first.pk}/withdraw/", {"reason": "test"}
    )
    assert withdrawn.status_code == 200, withdrawn.content
    b = as_user("delegate-kor").post("/api/v1/initiatives/", {"measure": "ECO-9", "modality": "b"})
    a = as_user("delegate-kaz").post("/api/v1/initiatives/", {"measure": "ECO-9", "modality": "a"})
    assert (b.json()["reference"], a.json()["reference"]) == ("ECO-9-2", "ECO-9-3")


def test_item4_the_database_refuses_a_repeated_reference():
    """issue 13 item 4: a unique constraint on (measure, sequence), whatever the modality."""
    measure = Measure.objects.get(code="ECO-9")
    with pytest.raises(IntegrityError), transaction.atomic():
        Initiative.objects.create(measure=measure, modality="b", sequence=1)


@pytest.mark.django_db(transaction=True)
def test_item4_concurrent_first_declarations_in_both_modalities_get_two_references(people):
    """issue 13 item 4: two declarations at once (a and b) on PostgreSQL: sequences 1 and 2."""
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL (DATABASE_URL)")
    measure = Measure.objects.get(code="HUM-4")
    assert not measure.initiatives.exists()
    users = [people["delegate-kaz"], people["delegate-kor"], people["delegate-tur"]]
    payloads = [{"measure": "HUM-4", "modality": m} for m in ("a", "b", "a")]
    barrier = threading.Barrier(len(users))
    results = []
    lock = threading.Lock()

    def worker(user, payload):
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=30)
            response = client.post("/api/v1/initiatives/", payload, format="json")
            with lock:
                results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=pair) for pair in zip(users, payloads, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(code for code, _body in results) in ([200, 201, 201],), results
    rows = list(measure.initiatives.order_by("sequence").values_list("modality", "sequence"))
    assert sorted(seq for _m, seq in rows) == [1, 2]
    assert {m for m, _seq in rows} == {"a", "b"}


@pytest.mark.django_db(transaction=True)
def test_item4_migration_renumbers_references_repeated_before_it():
    """issue 13 item 4: data written under the old numbering (a and b both 1) migrates."""
    before, after = (
        ("measures", "0008_participant_initiative_indexes"),
        (
            "measures",
            "0009_initiative_reference_unique_per_measure",
        ),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        old = executor.loader.project_state([before]).apps
        OldInitiative = old.get_model("measures", "Initiative")
        measure_id = Measure.objects.get(code="HUM-4").pk
        rows = [
            OldInitiative.objects.create(measure_id=measure_id, modality=m, sequence=s, status=st)
            for m, s, st in (("a", 1, "withdrawn"), ("b", 1, "drafting"), ("a", 2, "drafting"))
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([after])
    try:
        sequences = dict(
            Initiative.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "sequence")
        )
        assert [sequences[r.pk] for r in rows] == [1, 3, 2]
        assert sorted(i.reference for i in Initiative.objects.filter(measure_id=measure_id)) == [
            "HUM-4",
            "HUM-4-2",
            "HUM-4-3",
        ]
    finally:
        # Leave the schema whole for the tests after this one: every app's
        # latest migration, not only the one under test (going back to 0008
        # also unapplied the migrations of other apps that depend on measures).
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
