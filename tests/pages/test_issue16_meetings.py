"""Meetings for delegates (issue 16 item 10): a list of upcoming and past
meetings and a page per meeting (body, date and place, the initiatives
before it, the papers the reader may see, its decisions, the .ics feeds).
Public, as the meetings API's reads; constant queries."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from measures import selectors as measure_selectors
from measures.models import CoordinatorDesignation, Initiative, Measure, Paper
from measures.services import initiative_submit_paper
from members.models import Participant
from secretariat import services as secretariat_services
from secretariat.models import Circulation
from secretariat.services import initiative_actions
from tests.conftest import DEMO_PASSWORD
from tests.files import pdf

pytestmark = pytest.mark.django_db

ROLES = {
    "anon": None,
    "observer": "delegate-usa",
    "member": "delegate-chn",
    "coordinator": "delegate-mng",
    "chair": "chair",
    "secretariat": "secretariat",
}


def _states(*codes):
    return [Participant.objects.get(code=code) for code in codes]


@pytest.fixture
def meetings(people, drafting, deadline):
    """HUM-5 (Mongolia coordinating): its paper circulated to members, the SWG
    approved it yesterday at a meeting in Almaty; the SOC meets next week.
    ECO-4 at drafting with Tajikistan's uncirculated draft, before a
    specialised meeting on ECO-4 in two weeks."""
    sec = people.secretariat
    today = timezone.localdate()
    present = _states("KAZ", "MNG", "CHN", "IRN")
    swg = secretariat_services.meeting_create(
        actor=sec,
        body="swg",
        date=today - datetime.timedelta(days=1),
        place="Almaty",
        title="Twelfth session",
        present=present,
    )
    soc = secretariat_services.meeting_create(
        actor=sec,
        body="soc",
        date=today + datetime.timedelta(days=7),
        place="Astana",
        start_time=datetime.time(10, 0),
        end_time=datetime.time(13, 0),
        time_zone="Asia/Almaty",
        host=Participant.objects.get(code="KAZ"),
    )
    initiative_actions.initiative_circulate(actor=sec, initiative=drafting, deadline=deadline)
    Circulation.objects.filter(initiative=drafting).update(
        deadline=today - datetime.timedelta(days=2)
    )
    initiative_actions.initiative_refer_to_swg(actor=sec, initiative=drafting)
    initiative_actions.initiative_record_decision(
        actor=sec, initiative=drafting, body="swg", meeting=swg, outcome="approved"
    )
    eco4 = Initiative.objects.get(measure__code="ECO-4")  # the seed's declared interest
    Initiative.objects.filter(pk=eco4.pk).update(status="drafting")
    CoordinatorDesignation.objects.create(
        initiative=eco4,
        participant=Participant.objects.get(code="TJK"),
        role="coordinator",
        started_on=today,
    )
    initiative_submit_paper(
        actor=people["delegate-tjk"], initiative=eco4, file=pdf("draft.pdf"), language="en"
    )
    specialised = secretariat_services.meeting_create(
        actor=sec,
        body="specialised",
        date=today + datetime.timedelta(days=14),
        measure=Measure.objects.get(code="ECO-4"),
        host=Participant.objects.get(code="THA"),
    )

    return SimpleNamespace(
        swg=swg,
        soc=soc,
        specialised=specialised,
        hum5=drafting,
        eco4=eco4,
        hum5_paper=drafting.papers.get(),
        eco4_paper=eco4.papers.get(),
    )


def _get(client, username, url):
    client.logout()
    if username:
        assert client.login(username=username, password=DEMO_PASSWORD)
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def test_the_list_separates_upcoming_and_past(client, meetings):
    html = _get(client, None, "/meetings/")
    upcoming, past = html.split('id="past-heading"')
    assert f"/meetings/{meetings.soc.pk}/" in upcoming
    assert f"/meetings/{meetings.specialised.pk}/" in upcoming
    # Soonest first.
    assert upcoming.index(f"/meetings/{meetings.soc.pk}/") < upcoming.index(
        f"/meetings/{meetings.specialised.pk}/"
    )
    assert f"/meetings/{meetings.swg.pk}/" in past
    assert "Twelfth session" in past
    assert 'href="/meetings.ics"' in html


def test_the_header_links_to_the_meetings(client, people):
    assert 'href="/meetings/"' in _get(client, "delegate-kaz", "/catalogue/")


def test_a_past_meeting_shows_its_decisions_and_initiatives(client, meetings):
    html = _get(client, "delegate-chn", f"/meetings/{meetings.swg.pk}/")
    assert "Special Working Group: Twelfth session" in html
    assert "Almaty" in html
    assert "HUM-5" in html
    assert "Decided at this meeting" in html
    assert "CICA/SWG/DEC/" in html
    assert f"/papers/{meetings.hum5_paper.pk}/" in html
    assert 'href="/meetings.ics"' in html
    assert 'href="/meetings/CHN.ics"' in html


def test_the_next_soc_meeting_lists_what_waits_for_the_soc(client, meetings):
    html = _get(client, None, f"/meetings/{meetings.soc.pk}/")
    assert "Senior Officials Committee" in html
    assert "10:00–13:00" in html
    assert "Asia/Almaty" in html
    assert "Kazakhstan" in html  # the host
    assert f"/initiatives/{meetings.hum5.pk}/" in html
    assert "Waiting for this body" in html
    assert "Decisions are recorded here after the meeting." in html


def test_a_specialised_meeting_lists_the_open_initiatives_on_its_measure(client, meetings):
    html = _get(client, None, f"/meetings/{meetings.specialised.pk}/")
    assert f"/initiatives/{meetings.eco4.pk}/" in html
    assert "On the measure this meeting examines" in html


@pytest.mark.parametrize(
    ("role", "sees_draft", "sees_circulated"),
    [
        ("anon", False, False),
        ("observer", False, False),
        ("member", False, True),
        ("coordinator", False, True),  # Mongolia coordinates HUM-5, not ECO-4
        ("chair", True, True),
        ("secretariat", True, True),
    ],
)
def test_papers_per_role(client, meetings, role, sees_draft, sees_circulated):
    draft = f"/papers/{meetings.eco4_paper.pk}/"
    circulated = f"/papers/{meetings.hum5_paper.pk}/"
    on_specialised = _get(client, ROLES[role], f"/meetings/{meetings.specialised.pk}/")
    assert (draft in on_specialised) is sees_draft
    on_swg = _get(client, ROLES[role], f"/meetings/{meetings.swg.pk}/")
    assert (circulated in on_swg) is sees_circulated


def test_the_coordinator_sees_its_own_draft(client, meetings):
    html = _get(client, "delegate-tjk", f"/meetings/{meetings.specialised.pk}/")
    assert f"/papers/{meetings.eco4_paper.pk}/" in html


def test_who_objected_shows_to_member_states_not_the_public(client, meetings, people):
    sec = people.secretariat
    today = timezone.localdate()
    swg2 = secretariat_services.meeting_create(
        actor=sec, body="swg", date=today, present=_states("KAZ", "CHN", "IRN", "TJK")
    )
    initiative_submit_paper(
        actor=people["delegate-tjk"], initiative=meetings.eco4, file=pdf(), language="en"
    )
    initiative_actions.initiative_circulate(
        actor=sec, initiative=meetings.eco4, deadline=today + datetime.timedelta(days=3)
    )
    Circulation.objects.filter(initiative=meetings.eco4).update(
        deadline=today - datetime.timedelta(days=1)
    )
    initiative_actions.initiative_refer_to_swg(actor=sec, initiative=meetings.eco4)
    initiative_actions.initiative_record_decision(
        actor=sec,
        initiative=meetings.eco4,
        body="swg",
        meeting=swg2,
        outcome="no_consensus",
        objecting=_states("CHN"),
    )
    assert 'class="objecting">CHN' in _get(client, "delegate-kaz", f"/meetings/{swg2.pk}/")
    assert 'class="objecting"' not in _get(client, None, f"/meetings/{swg2.pk}/")
    assert 'class="objecting"' not in _get(client, "delegate-usa", f"/meetings/{swg2.pk}/")


def test_an_unknown_meeting_is_a_404_page(client, people):
    response = client.get("/meetings/999999/")
    assert response.status_code == 404
    assert b"No meeting with id 999999." in response.content


def test_the_ics_feeds_still_answer(client, meetings):
    assert client.get("/meetings.ics").status_code == 200
    answer = client.get("/meetings/KAZ.ics")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")


def test_a_cancelled_meeting_says_so(client, meetings):
    type(meetings.soc).objects.filter(pk=meetings.soc.pk).update(cancelled=True)
    assert "This meeting is cancelled." in _get(client, None, f"/meetings/{meetings.soc.pk}/")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("username", ["delegate-chn", "delegate-mng", "secretariat", None])
def test_queries_do_not_grow(client, meetings, people, username):
    if username:
        assert client.login(username=username, password=DEMO_PASSWORD)
    page, listing = f"/meetings/{meetings.swg.pk}/", "/meetings/"
    before = _count(client, page), _count(client, listing)
    sec, today = people.secretariat, timezone.localdate()
    for n in range(4):
        secretariat_services.meeting_create(
            actor=sec, body="swg", date=today - datetime.timedelta(days=10 + n)
        )
        secretariat_services.meeting_create(
            actor=sec,
            body="specialised",
            date=today + datetime.timedelta(days=20 + n),
            measure=Measure.objects.get(code="ECO-4"),
        )
    # More initiatives and papers before the SWG meeting: charged there.
    for code in ("ENV-1", "ENV-2", "ENV-4"):
        other = Initiative.objects.create(
            measure=Measure.objects.get(code=code), status="drafting", charged_at=meetings.swg
        )
        CoordinatorDesignation.objects.create(
            initiative=other,
            participant=Participant.objects.get(code="MNG"),
            role="coordinator",
            started_on=today,
        )
        initiative_submit_paper(
            actor=people["delegate-mng"], initiative=other, file=pdf(), language="en"
        )
    assert (_count(client, page), _count(client, listing)) == before
    assert before[0] <= 20


@pytest.mark.parametrize("username", [None, *ROLES.values(), "delegate-tjk"])
def test_papers_visible_many_keeps_papers_visibles_rule(meetings, people, username):
    user = people[username] if username else AnonymousUser()
    papers = list(measure_selectors.paper_annotated(Paper.objects.all()))
    one_by_one = [
        paper.pk
        for initiative in Initiative.objects.filter(papers__isnull=False).distinct()
        for paper in measure_selectors.papers_visible(
            user, initiative, [p for p in papers if p.initiative_id == initiative.pk]
        )
    ]
    user = people[username] if username else AnonymousUser()  # fresh memo
    assert sorted(p.pk for p in measure_selectors.papers_visible_many(user, papers)) == sorted(
        one_by_one
    )
