"""Issue 17 item 2 (v2): the activities register — the services' rules
(who may, the transition table, the checks of the input), the API, the
notifications and the webhooks."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cica.errors import Conflict, DomainError, Forbidden
from implementation.models import Activity, ActivityDocument, ActivityEvent, ActivityStatus
from implementation.selectors import activities_visible
from implementation.services.activities import (
    TRANSITIONS,
    activity_create,
    activity_document_add,
    activity_set_status,
    activity_update,
)
from measures.models import Measure
from secretariat.models import Notification
from secretariat.services.notices import notice_render, notification_links
from tests.files import not_a_paper, pdf
from tests.implementation.v2_setup import an_activity, eco4_adopted, state, user

pytestmark = pytest.mark.django_db

ROLE_USERS = {
    "anon": None,
    "obs": "delegate-usa",
    "other": "delegate-chn",
    "host": "delegate-kaz",
    "coord": "delegate-tjk",
    "chair": "chair",
    "sec": "secretariat",
}
MAY_ENTER = {"host", "coord", "sec"}


@pytest.fixture
def adopted(people):
    return eco4_adopted()


def _at(activity: Activity, status: str) -> Activity:
    """Put an activity at ``status`` without the services (a test's start)."""
    Activity.objects.filter(pk=activity.pk).update(
        status=status, status_reason="earlier" if status in ("cancelled", "postponed") else ""
    )
    activity.refresh_from_db()
    return activity


# --- the transition table -------------------------------------------------------------

ALL_PAIRS = [(a, b) for a in ActivityStatus.values for b in ActivityStatus.values if a != b]


@pytest.mark.parametrize(("before", "after"), ALL_PAIRS, ids=lambda v: v)
def test_every_transition_allowed_or_refused(adopted, before, after):
    """Each row of the table: an allowed move writes the status and one
    history row with the reason; a refused one changes nothing (409)."""
    activity = an_activity(days=-1)  # started yesterday: may be held
    if after == "report_filed":
        activity_document_add(
            actor=user("secretariat"), activity=activity, kind="report", file=pdf()
        )
    activity = _at(activity, before)
    events = ActivityEvent.objects.filter(activity=activity).count()
    sequence = activity.sequence
    call = lambda: activity_set_status(  # noqa: E731
        actor=user("secretariat"), activity=activity, status=after, reason="Because"
    )
    if after in TRANSITIONS[before]:
        done = call()
        assert done.status == after
        assert done.sequence == sequence + 1
        event = ActivityEvent.objects.filter(activity=activity).latest("pk")
        assert (event.from_status, event.to_status, event.reason) == (before, after, "Because")
        assert done.status_reason == ("Because" if after in ("cancelled", "postponed") else "")
    else:
        with pytest.raises(Conflict):
            call()
        activity.refresh_from_db()
        assert activity.status == before
        assert ActivityEvent.objects.filter(activity=activity).count() == events


@pytest.mark.parametrize("to", ["cancelled", "postponed"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_cancel_or_postpone_needs_a_reason(adopted, to, reason):
    activity = an_activity()
    with pytest.raises(DomainError) as refused:
        activity_set_status(actor=user("secretariat"), activity=activity, status=to, reason=reason)
    assert refused.value.status_code == 400
    activity.refresh_from_db()
    assert activity.status == "planned"


def test_held_only_once_started(adopted):
    activity = _at(an_activity(days=3), "confirmed")
    with pytest.raises(Conflict, match="cannot be held before"):
        activity_set_status(actor=user("secretariat"), activity=activity, status="held")


def test_report_filed_needs_a_report(adopted):
    activity = _at(an_activity(days=-2), "held")
    activity_document_add(
        actor=user("secretariat"), activity=activity, kind="programme", file=pdf()
    )
    with pytest.raises(Conflict, match="report"):
        activity_set_status(actor=user("secretariat"), activity=activity, status="report_filed")
    activity_document_add(actor=user("delegate-kaz"), activity=activity, kind="report", file=pdf())
    done = activity_set_status(actor=user("delegate-tjk"), activity=activity, status="report_filed")
    assert done.status == "report_filed"


def test_postponed_comes_back_with_new_dates(adopted):
    activity = an_activity()
    activity_set_status(
        actor=user("delegate-tjk"), activity=activity, status="postponed", reason="Elections"
    )
    new = timezone.localdate() + datetime.timedelta(days=90)
    done = activity_set_status(
        actor=user("delegate-tjk"),
        activity=activity,
        status="confirmed",
        starts_on=new,
        ends_on=new + datetime.timedelta(days=2),
    )
    assert (done.status, done.starts_on, done.status_reason) == ("confirmed", new, "")


# --- who may ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_who_may_enter_update_and_move(adopted, as_user, role):
    """The coordinator's and the host's delegates and the secretariat; the
    others are refused (403), signed-out callers asked to sign in."""
    client = as_user(ROLE_USERS[role] or "")
    response = client.post("/api/v1/activities/", _body(), format="json")
    if role in MAY_ENTER:
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "planned"
    else:
        assert response.status_code in (401, 403), response.content
        assert not Activity.objects.exists()
    activity = an_activity()
    patched = client.patch(f"/api/v1/activities/{activity.pk}/", {"venue": "Astana"}, format="json")
    moved = client.post(
        f"/api/v1/activities/{activity.pk}/status/", {"status": "confirmed"}, format="json"
    )
    activity.refresh_from_db()
    if role in MAY_ENTER:
        assert patched.status_code == 200, patched.content
        assert moved.status_code == 200, moved.content
        assert (activity.venue, activity.status) == ("Astana", "confirmed")
    else:
        assert patched.status_code in (401, 403)
        assert moved.status_code in (401, 403)
        assert (activity.venue, activity.status) == ("Almaty", "planned")


def test_host_delegate_may_not_enter_for_another_host(adopted):
    with pytest.raises(Forbidden):
        activity_create(
            actor=user("delegate-kaz"),
            measure=Measure.objects.get(code="ECO-4"),
            kind="seminar",
            host=state("AZE"),
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            title_en="Not ours",
        )


def test_measure_not_adopted_is_409(people):
    with pytest.raises(Conflict, match="no adopted initiative"):
        activity_create(
            actor=user("secretariat"),
            measure=Measure.objects.get(code="ECO-4"),
            kind="seminar",
            host=state("KAZ"),
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            title_en="Too early",
        )


def _body(**changes):
    starts = timezone.localdate() + datetime.timedelta(days=20)
    body = {
        "measure": "eco-4",
        "kind": "workshop",
        "title_en": "Workshop on customs",
        "title_ru": "Семинар по таможне",
        "host": "KAZ",
        "participants": ["KAZ", "TJK"],
        "co_organisers": ["TJK"],
        "starts_on": starts.isoformat(),
        "ends_on": (starts + datetime.timedelta(days=2)).isoformat(),
        "venue": "Almaty",
        "time_zone": "Asia/Almaty",
        "organisations": ["UNESCAP"],
        "visibility": "public",
    }
    body.update(changes)
    return body


def test_api_create_returns_everything(adopted, as_user):
    response = as_user("delegate-tjk").post("/api/v1/activities/", _body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["measure"] == "ECO-4"
    assert data["participants"] == ["KAZ", "TJK"]
    assert data["organisations"] == ["UNESCAP"]
    assert data["sequence"] == 0
    assert set(data["available_statuses"]) == {"confirmed", "cancelled", "postponed"}
    assert data["history"][0]["action"] == "create"


# --- hostile input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"title_en": "Bad\x00title"},
        {"title_en": "Two\r\nlines"},
        {"title_en": "x" * 5000},
        {"title_en": "", "title_ru": ""},
        {"time_zone": "Mars/Olympus"},
        {"time_zone": "../../etc/passwd"},
        {"ends_on": "2020-01-01"},
        {"host": "UNDP"},
        {"starts_on": "not a date"},
        {"organisations": ["a\nb"]},
        {"participants": ["XXX"]},
    ],
    ids=[
        "nul",
        "crlf",
        "huge",
        "no-title",
        "bad-zone",
        "path-zone",
        "ends-before",
        "organisation-host",
        "bad-date",
        "organisation-crlf",
        "unknown-state",
    ],
)
def test_hostile_input_is_400(adopted, as_user, changes):
    response = as_user("secretariat").post("/api/v1/activities/", _body(**changes), format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Activity.objects.exists()


def test_hostile_update_is_400(adopted, as_user):
    activity = an_activity()
    client = as_user("delegate-tjk")
    for body in ({"title_en": "a\nb"}, {"ends_on": "2000-01-01"}, {"time_zone": "Nowhere"}):
        response = client.patch(f"/api/v1/activities/{activity.pk}/", body, format="json")
        assert response.status_code == 400, (body, response.content)
    activity.refresh_from_db()
    assert activity.sequence == 0


def test_update_bumps_the_sequence(adopted):
    activity = an_activity()
    done = activity_update(actor=user("delegate-kaz"), activity=activity, venue="Astana")
    assert (done.venue, done.sequence) == ("Astana", 1)


# --- documents ----------------------------------------------------------------------


def test_documents_upload_checked_and_download_visible(adopted, as_user):
    activity = an_activity(visibility="secretariat")
    client = as_user("delegate-tjk")
    url = f"/api/v1/activities/{activity.pk}/documents/"
    refused = client.post(url, {"kind": "programme", "file": not_a_paper()}, format="multipart")
    assert refused.status_code == 400
    done = client.post(url, {"kind": "programme", "file": pdf()}, format="multipart")
    assert done.status_code == 201, done.content
    download = done.json()["download"]
    assert client.get(url).json()[0]["kind"] == "programme"
    assert client.get(download).status_code == 200
    # A member state with no part in it does not see it, nor its documents.
    assert as_user("delegate-chn").get(download).status_code == 404
    assert as_user("").get(download).status_code == 404
    assert (
        as_user("delegate-chn")
        .post(url, {"kind": "report", "file": pdf()}, format="multipart")
        .status_code
        == 404
    )
    assert ActivityDocument.objects.count() == 1


# --- visibility ---------------------------------------------------------------------

READERS = {
    "anon": None,
    "observer": "delegate-usa",
    "member": "delegate-chn",
    "host": "delegate-kaz",
    "coordinator": "delegate-tjk",
    "secretariat": "secretariat",
}
SEES = {
    "public": set(READERS),
    "members_and_observers": {"observer", "member", "host", "coordinator", "secretariat"},
    "secretariat": {"host", "coordinator", "secretariat"},
}


@pytest.mark.parametrize("visibility", list(SEES))
@pytest.mark.parametrize("reader", list(READERS))
def test_visibility_per_reader_api(adopted, as_user, visibility, reader):
    activity = an_activity(visibility=visibility, title=f"Visible {visibility}", participants=())
    client = as_user(READERS[reader] or "")
    listed = client.get("/api/v1/activities/").json()["results"]
    detail = client.get(f"/api/v1/activities/{activity.pk}/")
    if reader in SEES[visibility]:
        assert [a["id"] for a in listed] == [activity.pk]
        assert detail.status_code == 200
    else:
        assert listed == []
        assert detail.status_code == 404


def test_a_participating_state_reads_a_restricted_activity(adopted):
    """The hole closed: a state invited to a secretariat-only activity is
    told of its confirmation, so it may read it."""
    activity = an_activity(visibility="secretariat", participants=("CHN",))
    assert activity in activities_visible(user("delegate-chn"))
    assert activity not in activities_visible(user("delegate-ind"))


def test_filters(adopted, as_user):
    one = an_activity(title="One", days=10)
    two = an_activity(title="Two", days=400, host="AZE")
    activity_set_status(actor=user("secretariat"), activity=two, status="confirmed")
    client = as_user("secretariat")

    def ids(query):
        response = client.get(f"/api/v1/activities/?{query}")
        assert response.status_code == 200, response.content
        return {a["id"] for a in response.json()["results"]}

    assert ids("status=confirmed") == {two.pk}
    assert ids("host=aze") == {two.pk}
    assert ids("measure=ECO-4") == {one.pk, two.pk}
    assert ids(f"year={one.starts_on.year}") >= {one.pk}
    assert ids(f"date_to={one.ends_on.isoformat()}") == {one.pk}
    assert ids(f"date_from={two.starts_on.isoformat()}") == {two.pk}
    assert ids("kind=seminar") == {one.pk, two.pk}
    assert ids("visibility=secretariat") == set()
    assert client.get("/api/v1/activities/?year=abc").status_code == 400
    assert client.get("/api/v1/activities/?measure=NOPE").status_code == 400


# --- notifications and webhooks -----------------------------------------------------


@pytest.mark.parametrize("status", ["confirmed", "cancelled", "postponed"])
def test_participants_delegates_are_told(adopted, django_capture_on_commit_callbacks, status):
    activity = an_activity(participants=("AZE", "KAZ"))
    with django_capture_on_commit_callbacks():
        activity_set_status(
            actor=user("delegate-tjk"), activity=activity, status=status, reason="Floods"
        )
    notices = Notification.objects.filter(kind="activity")
    recipients = {n.recipient.username for n in notices}
    assert {"delegate-aze", "delegate-kaz"} <= recipients
    assert "delegate-chn" not in recipients
    notice = notices.get(recipient__username="delegate-aze")
    assert "Seminar on trade facilitation" in notice.subject
    # The notice leads to the activity's page.
    assert notification_links([notice])[notice.pk] == f"/activities/{activity.pk}/"
    if status != "confirmed":
        assert "Floods" in notice.body


def test_notice_in_the_readers_language(adopted):
    params = {
        "title_en": "Seminar",
        "title_ru": "Семинар",
        "measure": "ECO-4",
        "status": "cancelled",
        "reason": "Наводнение",
        "starts_on": "2027-03-01",
        "ends_on": "2027-03-02",
        "venue": "Almaty",
    }
    subject, body = notice_render(kind="activity", params=params, language="ru")
    assert "Семинар" in subject
    subject, _body = notice_render(kind="activity", params=params, language="en")
    assert "Seminar" in subject
    assert "cancelled" in subject


def test_no_notice_when_planned_again(adopted):
    activity = an_activity()
    activity_set_status(
        actor=user("secretariat"), activity=activity, status="postponed", reason="Later"
    )
    count = Notification.objects.count()
    activity_set_status(actor=user("secretariat"), activity=activity, status="planned")
    assert Notification.objects.count() == count


def test_the_host_keeps_the_host_but_may_not_hand_it_over(adopted):
    """The host's delegate may save the details with the host unchanged; only
    a coordinator or the secretariat moves an activity to another host."""
    activity = an_activity()
    done = activity_update(
        actor=user("delegate-kaz"), activity=activity, host=state("KAZ"), venue="Astana"
    )
    assert done.venue == "Astana"
    with pytest.raises(Forbidden):
        activity_update(actor=user("delegate-kaz"), activity=activity, host=state("AZE"))
    moved = activity_update(actor=user("delegate-tjk"), activity=activity, host=state("AZE"))
    assert moved.host.code == "AZE"


def test_under_an_approved_plan_the_activity_is_linked_to_it(adopted):
    """The plan in force is linked; a planned activity of another plan is refused."""
    from implementation.models import ActionPlan, PlannedActivity  # noqa: PLC0415

    def plan(number, status):
        return ActionPlan.objects.create(
            initiative=adopted,
            measure=adopted.measure,
            number=number,
            symbol=f"CICA/AP/ECO-4/{number}",
            starts_in=2027,
            ends_in=2029,
            status=status,
        )

    draft = plan(2, "draft")
    in_force = plan(1, "approved")
    foreseen = PlannedActivity.objects.create(
        plan=in_force, kind="seminar", title="Seminar", target_year=2027
    )
    other = PlannedActivity.objects.create(
        plan=draft, kind="seminar", title="Draft seminar", target_year=2028
    )
    starts = timezone.localdate() + datetime.timedelta(days=5)
    common = {
        "actor": user("delegate-tjk"),
        "measure": adopted.measure,
        "kind": "seminar",
        "host": state("TJK"),
        "starts_on": starts,
        "ends_on": starts,
        "title_en": "Planned seminar",
    }
    activity = activity_create(**common, planned=foreseen)
    assert (activity.plan, activity.planned) == (in_force, foreseen)
    with pytest.raises(DomainError, match="action plan in force"):
        activity_create(**common, planned=other)
