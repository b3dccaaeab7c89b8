"""The reporting services' rules (issue 17 item 3): cycles, who files what,
drafts, submission, nil returns, corrections, lateness, visibility."""

import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from cica.errors import Conflict, DomainError, Forbidden
from implementation.models import Return, ReturnKind, ReturnStatus, ReturnVersion, Visibility
from implementation.selectors import returns_visible
from implementation.services.reporting import (
    cycle_close,
    cycle_open,
    progress_owed,
    return_correct,
    return_is_late,
    return_nil,
    return_save,
    return_submit,
    states_owing,
)
from measures.models import Measure
from tests.implementation.v3_helpers import DUE, area, cycle_2027, eco4_adopted_with_plan, state

pytestmark = pytest.mark.django_db


def _report(people, cycle, code="KAZ", text="We hosted a seminar.", **kwargs):
    return return_save(
        actor=people[f"delegate-{code.lower()}"],
        cycle=cycle,
        participant=state(code),
        kind=ReturnKind.NATIONAL_REPORT,
        area=area("ECO"),
        text=text,
        **kwargs,
    )


def test_one_cycle_per_year(people):
    cycle_2027(people)
    with pytest.raises(Conflict):
        cycle_2027(people)


def test_only_the_secretariat_opens_and_closes(people):
    with pytest.raises(Forbidden):
        cycle_open(actor=people.chair, year=2027, due_on=DUE, areas=[area("ECO")])
    cycle = cycle_2027(people)
    with pytest.raises(Forbidden):
        cycle_close(actor=people["delegate-kaz"], cycle=cycle)
    cycle_close(actor=people.secretariat, cycle=cycle)
    with pytest.raises(Conflict):
        cycle_close(actor=people.secretariat, cycle=cycle)


def test_a_cycle_covers_something_and_is_due_in_its_year(people):
    with pytest.raises(DomainError):
        cycle_open(actor=people.secretariat, year=2027, due_on=DUE)
    with pytest.raises(DomainError):
        cycle_open(
            actor=people.secretariat,
            year=2027,
            due_on=datetime.date(2026, 12, 1),
            areas=[area("ECO")],
        )


def test_every_member_state_owes(people):
    cycle = cycle_2027(people)
    assert len(states_owing(cycle)) == 18
    assert "USA" not in {p.code for p in states_owing(cycle)}


@pytest.mark.parametrize("who", ["delegate-aze", "delegate-usa", "chair", ""])
def test_only_the_states_own_delegates_file(people, who):
    cycle = cycle_2027(people)
    actor: Any = people[who] if who else AnonymousUser()
    with pytest.raises(Forbidden):
        return_save(
            actor=actor,
            cycle=cycle,
            participant=state("KAZ"),
            kind=ReturnKind.NATIONAL_REPORT,
            area=area("ECO"),
            text="x",
        )
    with pytest.raises(Forbidden):
        return_nil(actor=actor, cycle=cycle, participant=state("KAZ"), area=area("ECO"))
    assert not Return.objects.exists()


def test_an_observer_owes_no_return(people):
    cycle = cycle_2027(people)
    with pytest.raises(Forbidden):
        return_nil(
            actor=people["delegate-usa"], cycle=cycle, participant=state("USA"), area=area("ECO")
        )


def test_the_secretariat_files_on_a_states_behalf(people):
    cycle = cycle_2027(people)
    ret = return_nil(
        actor=people.secretariat, cycle=cycle, participant=state("KAZ"), area=area("ECO")
    )
    assert ret.status == ReturnStatus.SUBMITTED


def test_a_closed_cycle_takes_nothing(people):
    cycle = cycle_2027(people)
    draft = _report(people, cycle)
    cycle_close(actor=people.secretariat, cycle=cycle)
    cycle.refresh_from_db()
    with pytest.raises(Conflict):
        _report(people, cycle, code="AZE")
    with pytest.raises(Conflict):
        return_submit(actor=people["delegate-kaz"], ret=draft)


def test_an_area_not_covered_is_refused(people):
    cycle = cycle_2027(people)
    with pytest.raises(DomainError) as refused:
        return_nil(
            actor=people["delegate-kaz"], cycle=cycle, participant=state("KAZ"), area=area("HUM")
        )
    assert not isinstance(refused.value, (Forbidden, Conflict))


def _progress(people, cycle, code="TJK", text="Two seminars held."):
    return return_save(
        actor=people[f"delegate-{code.lower()}"],
        cycle=cycle,
        participant=state(code),
        kind=ReturnKind.PROGRESS_REPORT,
        measure=Measure.objects.get(code="ECO-4"),
        text=text,
    )


def test_the_coordinator_files_a_progress_report(people):
    eco4_adopted_with_plan()
    cycle = cycle_2027(people)
    assert [(p.code, m.code) for p, m in progress_owed(cycle)] == [("TJK", "ECO-4")]
    ret = return_submit(actor=people["delegate-tjk"], ret=_progress(people, cycle))
    assert ret.kind == ReturnKind.PROGRESS_REPORT
    assert ret.version == 1


def test_only_a_coordinator_files_a_progress_report(people):
    eco4_adopted_with_plan()
    cycle = cycle_2027(people)
    with pytest.raises(Forbidden):
        _progress(people, cycle, code="KAZ")


def test_no_progress_report_without_an_approved_plan(people):
    eco4_adopted_with_plan(approved=False)
    cycle = cycle_2027(people)
    assert progress_owed(cycle) == []
    with pytest.raises(DomainError):
        _progress(people, cycle)
    assert not Return.objects.exists()


def test_no_progress_report_on_a_measure_not_covered(people):
    eco4_adopted_with_plan()
    cycle = cycle_2027(people, areas=("HUM",))
    with pytest.raises(DomainError):
        _progress(people, cycle)


def test_an_empty_report_is_not_submitted(people):
    cycle = cycle_2027(people)
    draft = _report(people, cycle, text="   ")
    with pytest.raises(DomainError):
        return_submit(actor=people["delegate-kaz"], ret=draft)
    draft.refresh_from_db()
    assert draft.status == ReturnStatus.DRAFT


def test_a_nil_return_is_one_click(people):
    cycle = cycle_2027(people)
    ret = return_nil(
        actor=people["delegate-kaz"], cycle=cycle, participant=state("KAZ"), area=area("ECO")
    )
    assert (ret.kind, ret.status, ret.version) == (ReturnKind.NIL_RETURN, ReturnStatus.SUBMITTED, 1)
    assert ret.versions.get().version == 1
    with pytest.raises(Conflict):
        return_nil(
            actor=people["delegate-kaz"], cycle=cycle, participant=state("KAZ"), area=area("ECO")
        )


def test_a_draft_report_becomes_the_nil_return(people):
    cycle = cycle_2027(people)
    draft = _report(people, cycle)
    ret = return_nil(
        actor=people["delegate-kaz"], cycle=cycle, participant=state("KAZ"), area=area("ECO")
    )
    assert ret.pk == draft.pk
    assert (ret.kind, ret.text, ret.status) == (ReturnKind.NIL_RETURN, "", ReturnStatus.SUBMITTED)
    assert Return.objects.count() == 1


def test_a_submitted_return_is_corrected_with_history(people):
    cycle = cycle_2027(people)
    ret = return_submit(actor=people["delegate-kaz"], ret=_report(people, cycle))
    with pytest.raises(Conflict):
        _report(people, cycle, text="changed in place")
    with pytest.raises(DomainError):
        return_correct(actor=people["delegate-kaz"], ret=ret, note=" ", text="New")
    with pytest.raises(Forbidden):
        return_correct(actor=people["delegate-aze"], ret=ret, note="n", text="New")
    ret = return_correct(
        actor=people["delegate-kaz"], ret=ret, note="The date was wrong.", text="Corrected text."
    )
    assert ret.version == 2
    assert ret.text == "Corrected text."
    versions = list(ReturnVersion.objects.filter(ret=ret).order_by("version"))
    assert [(v.version, v.text, v.note) for v in versions] == [
        (1, "We hosted a seminar.", ""),
        (2, "Corrected text.", "The date was wrong."),
    ]
    # A report may become a nil return by correction, and the text goes.
    ret = return_correct(
        actor=people["delegate-kaz"], ret=ret, note="Nothing after all.", kind=ReturnKind.NIL_RETURN
    )
    assert (ret.version, ret.kind, ret.text) == (3, ReturnKind.NIL_RETURN, "")


def test_a_draft_is_not_corrected(people):
    cycle = cycle_2027(people)
    with pytest.raises(Conflict):
        return_correct(actor=people["delegate-kaz"], ret=_report(people, cycle), note="n", text="t")


def test_late_when_first_submitted_after_the_due_date(people):
    cycle = cycle_2027(people, due=datetime.date(2027, 3, 31))
    with time_machine.travel(datetime.datetime(2027, 3, 31, 12, tzinfo=datetime.UTC)):
        on_time = return_nil(
            actor=people["delegate-kaz"], cycle=cycle, participant=state("KAZ"), area=area("ECO")
        )
    with time_machine.travel(datetime.datetime(2027, 4, 2, 12, tzinfo=datetime.UTC)):
        late = return_submit(actor=people["delegate-aze"], ret=_report(people, cycle, code="AZE"))
        # A correction after the due date does not make an on-time return late.
        on_time = return_correct(
            actor=people["delegate-kaz"],
            ret=on_time,
            note="We did host one.",
            kind=ReturnKind.NATIONAL_REPORT,
            text="A seminar in Almaty.",
        )
    assert not return_is_late(on_time)
    assert return_is_late(late)
    draft = _report(people, cycle, code="TJK")
    assert not return_is_late(draft)


def test_drafts_are_invisible_to_other_states(people):
    cycle = cycle_2027(people)
    draft = _report(people, cycle, visibility=Visibility.PUBLIC)
    assert draft in returns_visible(people["delegate-kaz"])
    assert draft in returns_visible(people.secretariat)
    for reader in (people["delegate-aze"], people.chair, people["delegate-usa"], AnonymousUser()):
        assert draft not in returns_visible(reader)
    return_submit(actor=people["delegate-kaz"], ret=draft)
    assert draft in returns_visible(AnonymousUser())


def test_a_secretariat_return_is_read_by_its_state_and_the_secretariat(people):
    cycle = cycle_2027(people)
    ret = return_submit(
        actor=people["delegate-kaz"],
        ret=_report(people, cycle, visibility=Visibility.SECRETARIAT),
    )
    assert ret in returns_visible(people["delegate-kaz"])
    assert ret not in returns_visible(people["delegate-aze"])
    assert ret not in returns_visible(people.chair)


def test_unknown_visibility_is_refused(people):
    cycle = cycle_2027(people)
    with pytest.raises(DomainError):
        _report(people, cycle, visibility="everyone")
    assert timezone.now()
