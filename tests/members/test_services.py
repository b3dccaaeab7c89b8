"""Rules of the participant registers, as the services enforce them."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from cica.errors import Conflict, DomainError
from measures.models import Expert, Measure
from members.models import Delegate, Participant, Participation
from members.rules import can_see_expert_contact
from members.services import (
    chairmanship_record,
    delegate_assign,
    participant_upsert,
    participation_change,
    participation_record,
)
from members.text import normalize_name
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_observer_that_becomes_member_keeps_its_past():
    state = ParticipantFactory.create()
    participation_record(participant=state, status="observer", started_on=D(2008, 1, 1))
    participation_change(participant=state, status="member", on=D(2010, 6, 8))

    rows = list(
        state.participations.order_by("started_on").values_list("status", "started_on", "ended_on")
    )
    assert rows == [("observer", D(2008, 1, 1), D(2010, 6, 8)), ("member", D(2010, 6, 8), None)]
    assert state.status_on(D(2009, 1, 1)) == "observer"
    assert state.status_on(D(2010, 6, 7)) == "observer"
    assert state.status_on(D(2010, 6, 8)) == "member"
    assert state.status_on(D(2007, 1, 1)) is None
    assert state.status_on() == "member"
    assert Participant.objects.with_status_in("member").filter(pk=state.pk).exists()
    annotated = Participant.objects.with_status(D(2009, 1, 1)).get(pk=state.pk)
    assert annotated.status == "observer"


def test_change_to_the_same_status_is_refused_and_changes_nothing():
    state = ParticipantFactory.create()
    participation_record(participant=state, status="member", started_on=D(2008, 1, 1))
    with pytest.raises(Conflict, match="already"):
        participation_change(participant=state, status="member", on=D(2012, 1, 1))
    assert state.participations.get().ended_on is None


def test_change_before_the_current_period_is_refused():
    state = ParticipantFactory.create()
    participation_record(participant=state, status="observer", started_on=D(2008, 1, 1))
    with pytest.raises(Conflict):
        participation_change(participant=state, status="member", on=D(2007, 1, 1))
    assert state.participations.get().ended_on is None


def test_overlapping_periods_are_refused():
    state = ParticipantFactory.create()
    participation_record(
        participant=state, status="observer", started_on=D(2008, 1, 1), ended_on=D(2010, 1, 1)
    )
    with pytest.raises(Conflict, match="overlaps"):
        participation_record(participant=state, status="member", started_on=D(2009, 1, 1))
    participation_record(participant=state, status="member", started_on=D(2010, 1, 1))
    assert state.participations.count() == 2


def test_period_must_end_after_start():
    state = ParticipantFactory.create()
    with pytest.raises(DomainError):
        participation_record(
            participant=state, status="member", started_on=D(2010, 1, 1), ended_on=D(2009, 1, 1)
        )
    with pytest.raises(DomainError):
        participation_record(participant=state, status="founder", started_on=None)


def test_database_refuses_two_open_periods():
    state = ParticipantFactory.create()
    Participation.objects.create(participant=state, status="observer", started_on=D(2001, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(participant=state, status="member", started_on=D(2005, 1, 1))


def test_database_refuses_a_period_ending_before_it_starts():
    state = ParticipantFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(
            participant=state, status="member", started_on=D(2005, 1, 1), ended_on=D(2004, 1, 1)
        )


def test_participant_needs_names_in_three_languages():
    with pytest.raises(DomainError, match="ru"):
        participant_upsert(code="ATL", kind="state", names={"en": "Atlantis", "fr": "Atlantide"})
    with pytest.raises(DomainError):
        participant_upsert(code="ATL", kind="island", names={"en": "a", "fr": "b", "ru": "c"})
    assert not Participant.objects.filter(code="ATL").exists()


def test_participant_upsert_is_idempotent_and_audited():
    names = {"en": "Atlantis", "fr": "Atlantide", "ru": "Атлантида"}
    aliases = [{"name": "Atlantica", "language": "en"}]
    p, counts = participant_upsert(code="atl", kind="state", names=names, aliases=aliases)
    assert p.code == "ATL"
    assert counts["participant_created"] == 1
    _p, counts = participant_upsert(code="ATL", kind="state", names=names, aliases=aliases)
    assert counts["participant_unchanged"] == 1
    assert counts["alias_unchanged"] == 1
    assert p.history.count() == 1  # type: ignore[attr-defined]  # TEMPORARY (issue 14)
    assert list(Participant.objects.search("atlantica")) == [p]


def test_chairmanships_do_not_overlap():
    kaz = Participant.objects.get(code="KAZ")
    tur = Participant.objects.get(code="TUR")
    with pytest.raises(Conflict):
        chairmanship_record(participant=tur, started_on=D(2006, 1, 1))
    # The seed's chair is open-ended; close it, then a successor may follow.
    chairmanship_record(participant=kaz, started_on=D(1999, 9, 14), ended_on=D(2010, 6, 8))
    row, outcome = chairmanship_record(participant=tur, started_on=D(2010, 6, 8))
    assert outcome == "created"
    assert row.participant == tur


def test_a_user_acts_for_one_participant_only():
    user = UserFactory.create()
    kaz = Participant.objects.get(code="KAZ")
    delegate_assign(user=user, participant=kaz)
    delegate_assign(user=user, participant=kaz, role="head")
    with pytest.raises(Conflict, match="already acts for KAZ"):
        delegate_assign(user=user, participant=Participant.objects.get(code="CHN"))
    delegate = Delegate.objects.get(user=user)
    assert delegate.participant == kaz
    assert delegate.role == "head"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Fédération de Russie", "federation de russie"),
        ("Iran (République islamique d’)", "iran (republique islamique d')"),
        ("  RUSSIE ", "russie"),
        ("Россия", "россия"),
    ],
)
def test_normalize_name(raw, key):
    assert normalize_name(raw) == key


def test_expert_contact_rule():
    expert = Expert.objects.create(
        participant=Participant.objects.get(code="KOR"),
        measure=Measure.objects.get(code="ECO-9"),
        name="Dr Kim",
        contact="kim@example.org",
        started_on=D(2026, 1, 1),
    )
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["secretariat", "chair", "delegate-kor", "delegate-chn"]
        )
    }
    assert can_see_expert_contact(users["secretariat"], expert)
    assert can_see_expert_contact(users["delegate-kor"], expert)
    assert not can_see_expert_contact(users["chair"], expert)
    assert not can_see_expert_contact(users["delegate-chn"], expert)
    assert not can_see_expert_contact(AnonymousUser(), expert)
