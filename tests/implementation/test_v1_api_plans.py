"""The action plans' API and pages (issue 17 item 1)."""

import datetime

import pytest
from django.utils import timezone

from implementation.models import ActionPlan
from implementation.services.plans import plan_create, plan_record_decision, plan_submit
from members.models import Participant
from secretariat.services import meeting_create
from tests.scenarios import eco4_adopted, eco4_at_drafting

pytestmark = pytest.mark.django_db

BODY = {
    "starts_in": 2027,
    "ends_in": 2029,
    "text": "Carry out ECO-4.",
    "planned": [{"kind": "seminar", "title": "Seminar", "target_year": 2028}],
}


@pytest.fixture
def adopted(people):
    return eco4_adopted(people)


@pytest.fixture
def meetings(people):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    present = list(Participant.objects.filter(code__in=["TJK", "KAZ", "IND", "CHN"]))
    return {
        body: meeting_create(actor=people.secretariat, body=body, date=yesterday, present=present)
        for body in ("swg", "soc")
    }


def _ok(response, code=200):
    assert response.status_code == code, (response.status_code, response.content[:600])
    return response.json()


def _refused(response, code, words):
    assert response.status_code == code, (response.status_code, response.content[:600])
    assert response["Content-Type"].startswith("application/problem+json")
    assert words in response.json()["detail"], response.json()["detail"]


def _draft(people, adopted):
    return plan_create(
        actor=people["delegate-tjk"], initiative=adopted, starts_in=2027, ends_in=2029
    )


def _approved(people, adopted, meetings):
    plan = plan_submit(actor=people["delegate-tjk"], plan=_draft(people, adopted))
    for body in ("swg", "soc"):
        plan = plan_record_decision(
            actor=people.secretariat,
            plan=plan,
            body=body,
            meeting=meetings[body],
            outcome="approved",
        )
    return plan


def test_the_coordinator_creates_a_plan(as_user, adopted):
    data = _ok(
        as_user("delegate-tjk").post(
            "/api/v1/action-plans/", {**BODY, "initiative": adopted.pk}, format="json"
        ),
        201,
    )
    assert data["symbol"] == "CICA/AP/ECO-4/1"
    assert data["measure"] == "ECO-4"
    assert data["initiative"] == adopted.pk
    assert data["initiative_reference"] == adopted.reference
    assert data["status"] == "draft"
    assert data["coordinators"] == [{"participant": "TJK", "role": "coordinator"}]
    assert [p["title"] for p in data["planned_activities"]] == ["Seminar"]
    assert [e["action"] for e in data["events"]] == ["create"]
    assert data["url"] == f"/action-plans/{data['id']}/"
    actions = {a["action"]: a for a in data["actions"]}
    assert actions["submit"]["available"]
    assert not actions["record_swg_decision"]["available"]


def test_create_refusals(as_user, adopted, people):
    url = "/api/v1/action-plans/"
    _refused(
        as_user("delegate-chn").post(url, {**BODY, "initiative": adopted.pk}, format="json"),
        403,
        "coordinator states",
    )
    _refused(as_user("").post(url, {**BODY, "initiative": adopted.pk}, format="json"), 401, "")
    _refused(
        as_user("secretariat").post(url, {**BODY, "initiative": adopted.pk, "ends_in": 2050}),
        400,
        "at most 10 years",
    )
    _refused(
        as_user("secretariat").post(url, {**BODY, "initiative": adopted.pk, "starts_in": 1800}),
        400,
        "starts_in",
    )
    _refused(as_user("secretariat").post(url, {"initiative": adopted.pk}), 400, "starts_in")
    _refused(as_user("secretariat").post(url, {**BODY, "initiative": "x"}), 400, "initiative")
    # Hostile input: a NUL anywhere, a title on two lines.
    _refused(
        as_user("secretariat").post(url, {**BODY, "initiative": adopted.pk, "text": "a\x00b"}),
        400,
        "",
    )
    bad = [{"kind": "seminar", "title": "two\nlines", "target_year": 2028}]
    _refused(
        as_user("secretariat").post(url, {**BODY, "initiative": adopted.pk, "planned": bad}),
        400,
        "one line",
    )
    assert not ActionPlan.objects.exists()
    _ok(as_user("secretariat").post(url, {**BODY, "initiative": adopted.pk}), 201)
    _refused(
        as_user("secretariat").post(url, {**BODY, "initiative": adopted.pk}),
        409,
        "one plan at a time",
    )


def test_a_plan_for_an_initiative_not_adopted_is_a_conflict(as_user, people):
    initiative = eco4_at_drafting()
    _refused(
        as_user("delegate-tjk").post(
            "/api/v1/action-plans/", {**BODY, "initiative": initiative.pk}, format="json"
        ),
        409,
        "adopted measure",
    )


def test_update_submit_and_the_draft_is_closed(as_user, people, adopted):
    plan = _draft(people, adopted)
    url = f"/api/v1/action-plans/{plan.pk}/"
    tjk = as_user("delegate-tjk")
    data = _ok(tjk.patch(url, {"text": "Revised.", "planned": BODY["planned"]}, format="json"))
    assert data["text"] == "Revised."
    assert data["planned_activities"][0]["target_year"] == 2028
    _refused(tjk.patch(url, {"ends_in": 2027}), 400, "outside")
    _refused(as_user("delegate-chn").patch(url, {"text": "x"}), 404, "No action plan")
    _refused(as_user("chair").patch(url, {"text": "x"}), 403, "Not allowed")
    data = _ok(tjk.post(f"{url}submit/"))
    assert data["status"] == "swg_review"
    _refused(tjk.patch(url, {"text": "Late."}), 409, "not possible now")
    _refused(tjk.post(f"{url}submit/"), 409, "not possible now")
    # Under review, member states read it (and may not submit it).
    _refused(as_user("delegate-chn").post(f"{url}submit/"), 403, "Not allowed")


def test_decisions_through_the_api(as_user, people, adopted, meetings):
    plan = plan_submit(actor=people["delegate-tjk"], plan=_draft(people, adopted))
    url = f"/api/v1/action-plans/{plan.pk}/decisions/"
    swg = {"body": "swg", "meeting": meetings["swg"].pk, "outcome": "approved"}
    _refused(as_user("delegate-tjk").post(url, swg), 403, "only the secretariat")
    _refused(as_user("secretariat").post(url, {**swg, "body": "soc"}), 409, "not possible now")
    _refused(as_user("secretariat").post(url, {**swg, "body": "ga"}), 400, "body")
    _refused(as_user("secretariat").post(url, {**swg, "objecting": ["XXX"]}), 400, "objecting")
    _refused(as_user("secretariat").post(url, {**swg, "objecting": ["chn"]}), 400, "No consensus")
    data = _ok(as_user("secretariat").post(url, swg))
    assert data["status"] == "soc_review"
    assert [(d["body"], d["outcome"]) for d in data["decisions"]] == [("swg", "approved")]
    assert data["decisions"][0]["symbol"].startswith("CICA/SWG/DEC/")
    soc = {"body": "soc", "meeting": meetings["soc"].pk, "outcome": "approved"}
    data = _ok(as_user("secretariat").post(url, soc))
    assert data["status"] == "approved"
    assert data["approved_at"]
    # In force: public, and on the measure.
    public = _ok(as_user("").get(f"/api/v1/action-plans/{plan.pk}/"))
    assert public["events"][0]["actor"] is None
    measure = _ok(as_user("").get("/api/v1/measures/ECO-4/"))
    assert measure["action_plan"]["symbol"] == "CICA/AP/ECO-4/1"
    assert measure["action_plan"]["starts_in"] == 2027
    listed = _ok(as_user("").get("/api/v1/measures/?area=ECO"))["results"]
    eco4 = next(m for m in listed if m["code"] == "ECO-4")
    assert eco4["action_plan"] == measure["action_plan"]
    assert all(m["action_plan"] is None for m in listed if m["code"] != "ECO-4")
    # Amend: a new draft, 201; the plan in force stays in force.
    data = _ok(as_user("delegate-tjk").post(f"/api/v1/action-plans/{plan.pk}/amend/"), 201)
    assert (data["symbol"], data["amends"], data["status"]) == (
        "CICA/AP/ECO-4/2",
        "CICA/AP/ECO-4/1",
        "draft",
    )
    _refused(
        as_user("delegate-tjk").post(f"/api/v1/action-plans/{plan.pk}/amend/"),
        409,
        "one plan at a time",
    )


def test_no_consensus_through_the_api_goes_back_to_draft(as_user, people, adopted, meetings):
    plan = plan_submit(actor=people["delegate-tjk"], plan=_draft(people, adopted))
    data = _ok(
        as_user("secretariat").post(
            f"/api/v1/action-plans/{plan.pk}/decisions/",
            {
                "body": "swg",
                "meeting": meetings["swg"].pk,
                "outcome": "no_consensus",
                "objecting": ["CHN"],
            },
        )
    )
    assert data["status"] == "draft"


def test_list_filters_and_visibility(as_user, people, adopted, meetings):
    approved = _approved(people, adopted, meetings)
    amend = as_user("delegate-tjk").post(f"/api/v1/action-plans/{approved.pk}/amend/")
    amendment_id = _ok(amend, 201)["id"]

    def ids(who, query=""):
        return [p["id"] for p in _ok(as_user(who).get(f"/api/v1/action-plans/{query}"))["results"]]

    assert ids("") == [approved.pk]
    assert ids("delegate-chn") == [approved.pk]
    assert ids("delegate-tjk") == [approved.pk, amendment_id]
    assert ids("chair") == [approved.pk, amendment_id]
    assert ids("secretariat", "?status=draft") == [amendment_id]
    assert ids("secretariat", "?measure=eco-4") == [approved.pk, amendment_id]
    assert ids("secretariat", "?measure=ECO-5") == []
    assert ids("secretariat", f"?initiative={adopted.pk}") == [approved.pk, amendment_id]
    _refused(as_user("").get("/api/v1/action-plans/?measure=XXX-1"), 400, "Unknown code")
    _refused(as_user("").get(f"/api/v1/action-plans/{amendment_id}/"), 404, "No action plan")
    _refused(as_user("").get("/api/v1/action-plans/abc/"), 404, "No action plan")


def test_the_measure_page_and_the_plan_page(client, people, adopted, meetings):
    assert b"measure-plan" not in client.get("/catalogue/ECO-4/").content
    plan = _approved(people, adopted, meetings)
    page = client.get("/catalogue/ECO-4/").content.decode()
    assert f'href="/action-plans/{plan.pk}/"' in page
    assert "CICA/AP/ECO-4/1" in page
    public = client.get(f"/action-plans/{plan.pk}/")
    assert public.status_code == 200
    assert b"plan-amend" not in public.content
    client.force_login(people["delegate-tjk"])
    mine = client.get(f"/action-plans/{plan.pk}/").content.decode()
    assert 'id="plan-amend"' in mine
    assert "plan-submit" not in mine
    # The button's POST asks to confirm; the confirmation calls the service.
    url = f"/action-plans/{plan.pk}/do/amend/"
    confirm = client.post(url)
    assert confirm.status_code == 200
    assert b'name="confirm"' in confirm.content
    assert ActionPlan.objects.count() == 1
    done = client.post(url, {"confirm": "1"})
    amendment = ActionPlan.objects.get(number=2)
    assert done.status_code == 302
    assert done["Location"] == f"/action-plans/{amendment.pk}/"
    submit = client.post(f"/action-plans/{amendment.pk}/do/submit/", {"confirm": "1"})
    assert submit.status_code == 302
    amendment.refresh_from_db()
    assert amendment.status == "swg_review"
    # Refused at once, with the reason, for who may not.
    client.force_login(people["delegate-chn"])
    refused = client.post(f"/action-plans/{amendment.pk}/do/submit/", {"confirm": "1"})
    assert refused.status_code == 403
