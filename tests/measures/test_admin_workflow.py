"""Workflow actions in the admin, and the audit trail (issue 3, must show 6)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import CoordinatorDesignation, Initiative, Measure
from members.models import Participant
from secretariat.models import Meeting
from tests.conftest import DEMO_PASSWORD
from tests.files import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def drafted(people):
    initiative = Initiative.objects.create(
        measure=Measure.objects.get(code="NCT-4"), status="drafting"
    )
    CoordinatorDesignation.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="TUR"),
        role="coordinator",
        started_on=timezone.localdate(),
    )
    services.initiative_submit_paper(
        actor=people["delegate-tur"], initiative=initiative, file=pdf(), language="en"
    )
    return initiative


def act_url(initiative, action):
    return reverse("admin:measures_initiative_act", args=[initiative.pk, action])


def test_change_page_offers_exactly_the_available_actions(staff, drafted):
    page = staff.get(reverse("admin:measures_initiative_change", args=[drafted.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert act_url(drafted, "circulate") in html
    assert act_url(drafted, "withdraw") in html
    assert act_url(drafted, "refer_to_swg") not in html
    assert act_url(drafted, "submit_paper") not in html  # a coordinator state's act
    assert "CICA/CP/NCT-4/1" in html  # the papers inline


def test_circulate_refer_and_decide_in_the_admin(staff, drafted):
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    response = staff.post(
        act_url(drafted, "circulate"), {"deadline": deadline.isoformat(), "audience": "members"}
    )
    assert response.status_code == 302
    drafted.refresh_from_db()
    assert drafted.status == "circulated"

    # Too early: the refusal comes back as a message and nothing changes.
    response = staff.post(act_url(drafted, "refer_to_swg"), {"reason": ""}, follow=True)
    assert "has not passed" in response.content.decode()
    drafted.refresh_from_db()
    assert drafted.status == "circulated"

    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        # Eleven days on, the 12-hour session has ended: sign in again.
        assert staff.login(username="secretariat", password=DEMO_PASSWORD)
        staff.post(act_url(drafted, "refer_to_swg"), {"reason": "deadline passed"})
        meeting = Meeting.objects.create(body="swg", date=timezone.localdate())
        meeting.present.set(Participant.objects.filter(code__in=["TUR", "KAZ", "IND"]))
        form = staff.get(act_url(drafted, "record_swg_decision"))
        assert str(meeting) in form.content.decode()
        response = staff.post(
            act_url(drafted, "record_swg_decision"),
            {
                "meeting": meeting.pk,
                "outcome": "approved",
                "objecting": ["IND"],
            },
            follow=True,
        )
        assert "No consensus" in response.content.decode()
        drafted.refresh_from_db()
        assert drafted.status == "swg_review"
        staff.post(
            act_url(drafted, "record_swg_decision"), {"meeting": meeting.pk, "outcome": "approved"}
        )
    drafted.refresh_from_db()
    assert drafted.status == "soc_review"
    assert list(drafted.events.values_list("action", flat=True)) == [
        "submit_paper",
        "circulate",
        "refer_to_swg",
        "record_swg_decision",
    ]
    assert set(
        drafted.events.exclude(action="submit_paper").values_list("actor__username", flat=True)
    ) == {"secretariat"}


def test_invalid_form_input_is_shown_not_raised(staff, drafted):
    response = staff.post(act_url(drafted, "circulate"), {"deadline": "not a date"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
    drafted.refresh_from_db()
    assert drafted.status == "drafting"
    response = staff.post(act_url(drafted, "fly_to_the_moon"), {}, follow=True)
    assert b"Unknown action" in response.content


def test_initiatives_cannot_be_added_or_edited_by_hand(staff, drafted):
    assert staff.get(reverse("admin:measures_initiative_add")).status_code == 403
    page = staff.get(reverse("admin:measures_initiative_change", args=[drafted.pk]))
    assert 'name="status"' not in page.content.decode()


def test_every_change_shows_in_the_admin_history_with_its_actor(staff, as_user, people):
    initiative = Initiative.objects.get(measure__code="ECO-2")
    as_user("chair").post(f"/api/v1/initiatives/{initiative.pk}/open-consultation/")
    as_user("delegate-kaz").post("/api/v1/initiatives/", {"measure": "ECO-2"})
    history = staff.get(reverse("admin:measures_initiative_history", args=[initiative.pk]))
    assert history.status_code == 200
    assert "chair" in history.content.decode()
    assert initiative.history.filter(history_user=people.chair, status="consultation").exists()
    assert initiative.history.first().history_user == people["delegate-kaz"]
    declaration = initiative.declarations.get(participant__code="KAZ")
    assert declaration.history.get().history_user == people["delegate-kaz"]

    # An edit in the admin is recorded with the secretariat as its author.
    kaz = Participant.objects.get(code="KAZ")
    url = reverse("admin:members_participant_change", args=[kaz.pk])
    form = staff.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "code": "KAZ",
            "kind": "state",
            "name_en": "Kazakhstan (Republic of)",
            "name_fr": kaz.name_fr,  # type: ignore[attr-defined]  # TEMPORARY (issue 14)
            "name_ru": kaz.name_ru,  # type: ignore[attr-defined]  # TEMPORARY (issue 14)
        }
    )
    for prefix in ("aliases", "participations", "delegates"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert kaz.history.first().history_user == people.secretariat  # type: ignore[attr-defined]  # TEMPORARY (issue 14)
    page = staff.get(reverse("admin:members_participant_history", args=[kaz.pk]))
    assert "secretariat" in page.content.decode()
