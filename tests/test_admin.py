"""The secretariat's admin over the registers."""

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from measures.models import (
    AreaAlias,
    CoordinatorDesignation,
    CoordinatorOffer,
    Expert,
    Initiative,
    InitiativeEvent,
    InterestDeclaration,
    Measure,
    Paper,
    PriorityArea,
)
from measures.services import initiative_submit_paper
from members.models import Chairmanship, Delegate, Participant, ParticipantAlias, Participation
from secretariat.models import (
    Circulation,
    Decision,
    InformationSubmission,
    Meeting,
    Notification,
    Receipt,
    WebhookDelivery,
    WebhookSubscription,
)
from secretariat.services import information_submit, initiative_circulate, receipt_answer
from tests.files import pdf

pytestmark = pytest.mark.django_db
MODELS = [
    Participant,
    ParticipantAlias,
    Participation,
    Chairmanship,
    Delegate,
    PriorityArea,
    Measure,
    CoordinatorOffer,
]


@pytest.fixture
def secretariat(client, settings):
    settings.CICA_DEMO_PASSWORD = "demo-pass-4-cica"
    call_command("create_demo_users", verbosity=0)
    assert client.login(username="secretariat", password="demo-pass-4-cica")
    return client


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


WORKFLOW_MODELS = [
    Initiative,
    InterestDeclaration,
    CoordinatorDesignation,
    Paper,
    InitiativeEvent,
    Meeting,
    Decision,
    Circulation,
    Receipt,
    Notification,
    InformationSubmission,
    Expert,
    WebhookSubscription,
    WebhookDelivery,
]


@pytest.mark.parametrize("model", WORKFLOW_MODELS, ids=lambda m: m.__name__)
def test_every_workflow_record_has_a_list_page(secretariat, model):
    assert secretariat.get(_changelist(model)).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_register_has_list_and_change_pages(secretariat, model):
    assert secretariat.get(_changelist(model)).status_code == 200
    obj = model.objects.first()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    assert secretariat.get(url).status_code == 200
    history = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[obj.pk]
    )
    assert secretariat.get(history).status_code == 200


def test_area_alias_is_not_orphaned():
    assert AreaAlias.objects.filter(area__code="HUM", name="Action humanitaire").exists()


@pytest.mark.parametrize("term", ["Russie", "Fédération de Russie", "Россия"])
def test_participant_search_by_any_name(secretariat, term):
    response = secretariat.get(_changelist(Participant), {"q": term})
    assert list(response.context["cl"].queryset.values_list("code", flat=True)) == ["RUS"]


def test_participant_status_filter(secretariat):
    response = secretariat.get(_changelist(Participant), {"status": "observer", "kind": "state"})
    assert response.context["cl"].result_count == 6


def test_translated_fields_are_editable_in_three_languages(secretariat):
    eco2 = Measure.objects.get(code="ECO-2")
    url = reverse("admin:measures_measure_change", args=[eco2.pk])
    form = secretariat.get(url).context["adminform"].form
    for lang in ("en", "fr", "ru"):
        assert f"title_{lang}" in form.fields
        assert f"text_{lang}" in form.fields


def test_participant_page_shows_history_inline(secretariat):
    rus = Participant.objects.get(code="RUS")
    page = secretariat.get(reverse("admin:members_participant_change", args=[rus.pk]))
    assert b"Russie" in page.content
    assert any(fs.formset.model is Participation for fs in page.context["inline_admin_formsets"])


def test_delegates_have_no_admin(client, settings):
    settings.CICA_DEMO_PASSWORD = "demo-pass-4-cica"
    call_command("create_demo_users", verbosity=0)
    client.login(username="delegate-kaz", password="demo-pass-4-cica")
    response = client.get(_changelist(Participant))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_expert_contact_is_hidden_from_the_chairs_office_in_the_admin(client, settings):
    expert = Expert.objects.create(
        participant=Participant.objects.get(code="KOR"),
        measure=Measure.objects.get(code="ECO-9"),
        name="Dr Kim",
        contact="kim@example.org",
        started_on=timezone.localdate(),
    )
    url = reverse("admin:measures_expert_change", args=[expert.pk])
    client.login(username="chair", password="demo-pass-4-cica")
    page = client.get(url)
    assert page.status_code == 200
    assert "kim@example.org" not in page.content.decode()
    client.login(username="secretariat", password="demo-pass-4-cica")
    assert "kim@example.org" in client.get(url).content.decode()


def test_item2_the_rosters_old_admin_address_leads_to_its_new_one(client):
    """issue 14 item 2: Expert moved from members to measures; a link to its
    old admin page (/admin/members/expert/...) lands on the new one."""
    old = client.get("/admin/members/expert/12/change/?_changelist_filters=q%3DKim")
    assert old.status_code == 302
    assert old["Location"] == "/admin/measures/expert/12/change/?_changelist_filters=q%3DKim"
    assert client.get("/admin/members/expert/")["Location"] == reverse(
        "admin:measures_expert_changelist"
    )


def test_bulk_dissemination_in_the_admin(secretariat, people):
    kinds: dict[str, Any] = dict(
        kind="views",
        language="en",
        visibility="members",
        measures=[Measure.objects.get(code="ENV-1")],
    )
    ready = information_submit(actor=people["delegate-mng"], title="A", text="a", **kinds)
    waiting = information_submit(
        actor=people["delegate-mng"],
        title="B",
        text="b",
        co_submitters=[Participant.objects.get(code="KAZ")],
        **kinds,
    )
    response = secretariat.post(
        _changelist(InformationSubmission),
        {"action": "disseminate", "_selected_action": [ready.pk, waiting.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 submission(s) disseminated" in html
    assert "Waiting for KAZ" in html
    ready.refresh_from_db()
    waiting.refresh_from_db()
    assert (ready.status, waiting.status) == ("disseminated", "submitted")


def test_remind_now_and_return_with_reasons_in_the_admin(secretariat, people):
    initiative = Initiative.objects.create(
        measure=Measure.objects.get(code="ENV-4"), status="drafting"
    )
    CoordinatorDesignation.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="MNG"),
        role="coordinator",
        started_on=timezone.localdate(),
    )
    initiative_submit_paper(
        actor=people["delegate-mng"], initiative=initiative, file=pdf(), language="en"
    )
    initiative_circulate(
        actor=people.secretariat, initiative=initiative, deadline=timezone.localdate()
    )
    circulation = Circulation.objects.get(initiative=initiative)
    receipt_answer(actor=people["delegate-kaz"], circulation=circulation, position="support")
    for _ in range(2):  # a second click the same day adds nothing
        response = secretariat.post(
            _changelist(Circulation),
            {"action": "remind_now", "_selected_action": [circulation.pk]},
            follow=True,
        )
    assert Notification.objects.filter(kind="reminder").count() == 17
    assert [str(m) for m in response.context["messages"]] == [
        f"{circulation.reference}: 0 reminder(s) sent."
    ]

    submission = information_submit(
        actor=people["delegate-mng"],
        title="T",
        text="t",
        kind="views",
        language="en",
        visibility="members",
        measures=[Measure.objects.get(code="ENV-4")],
    )
    ask = secretariat.post(
        _changelist(InformationSubmission),
        {"action": "return_submissions", "_selected_action": [submission.pk]},
    )
    assert ask.status_code == 200
    assert b'name="reason"' in ask.content
    secretariat.post(
        _changelist(InformationSubmission),
        {
            "action": "return_submissions",
            "_selected_action": [submission.pk],
            "reason": "Sources missing.",
        },
    )
    submission.refresh_from_db()
    assert submission.status == "returned"
    assert submission.return_reason == "Sources missing."


def test_a_meeting_page_offers_its_decisions(secretariat, people):
    under_review = Initiative.objects.create(
        measure=Measure.objects.get(code="ENV-4"), status="swg_review"
    )
    meeting = Meeting.objects.create(body="swg", date=timezone.localdate(), place="Almaty")
    page = secretariat.get(reverse("admin:secretariat_meeting_change", args=[meeting.pk]))
    link = reverse("admin:measures_initiative_act", args=[under_review.pk, "record_swg_decision"])
    assert f"{link}?meeting={meeting.pk}" in page.content.decode()
    form = secretariat.get(f"{link}?meeting={meeting.pk}").context["form"]
    assert str(form["meeting"].value()) == str(meeting.pk)


def test_circulation_and_submission_pages_offer_their_actions(secretariat, people):
    submission = information_submit(
        actor=people["delegate-mng"],
        title="T",
        text="t",
        kind="views",
        language="en",
        visibility="members",
        measures=[Measure.objects.get(code="ENV-4")],
    )
    change = reverse("admin:secretariat_informationsubmission_change", args=[submission.pk])
    do = reverse("admin:secretariat_informationsubmission_do", args=[submission.pk, "return"])
    html = secretariat.get(change).content.decode()
    assert do in html
    assert "Disseminate" in html
    empty = secretariat.post(do, {"reason": ""})
    assert empty.status_code == 200
    assert b"errorlist" in empty.content
    secretariat.post(do, {"reason": "Out of scope."})
    submission.refresh_from_db()
    assert submission.status == "returned"
    assert do not in secretariat.get(change).content.decode()  # nothing left to do
    refused = secretariat.post(do, {"reason": "again"}, follow=True)
    assert "not available now" in refused.content.decode()

    initiative = Initiative.objects.create(
        measure=Measure.objects.get(code="ENV-2"), status="circulated"
    )
    paper = Paper.objects.create(
        initiative=initiative,
        kind="concept_paper",
        version=1,
        symbol="CICA/CP/ENV-2/1",
        file="papers/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0",
        language="en",
    )
    circulation = Circulation.objects.create(
        initiative=initiative, paper=paper, reference="CICA/CIRC/T/1", deadline=timezone.localdate()
    )
    Receipt.objects.create(circulation=circulation, participant=Participant.objects.get(code="KAZ"))
    remind = reverse("admin:secretariat_circulation_do", args=[circulation.pk, "remind"])
    assert (
        remind
        in secretariat.get(
            reverse("admin:secretariat_circulation_change", args=[circulation.pk])
        ).content.decode()
    )
    secretariat.post(remind, {})
    assert Notification.objects.filter(kind="reminder", recipient=people["delegate-kaz"]).exists()
