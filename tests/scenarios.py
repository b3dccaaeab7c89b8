"""Shared starting points of the issue 16 tests: ECO-4 at drafting with
Tajikistan coordinating, and its concept paper circulated to the member
states, written through the services as a real year of work writes them."""

import datetime

from django.utils import timezone

from measures.models import CoordinatorDesignation, Initiative
from measures.services import initiative_submit_paper
from members.models import Participant
from secretariat.models import Circulation
from secretariat.services import initiative_circulate
from tests.files import pdf


def eco4_at_drafting() -> Initiative:
    """ECO-4's initiative at drafting, Tajikistan its coordinator."""
    initiative = Initiative.objects.get(measure__code="ECO-4")
    Initiative.objects.filter(pk=initiative.pk).update(status="drafting")
    CoordinatorDesignation.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="TJK"),
        role="coordinator",
        started_on=timezone.localdate(),
    )
    initiative.refresh_from_db()
    return initiative


def eco4_circulated(people, *, days: int = 5) -> Circulation:
    """Tajikistan's concept paper on ECO-4 submitted and circulated to the
    member states by the secretariat, with a deadline ``days`` from today."""
    initiative = eco4_at_drafting()
    initiative_submit_paper(
        actor=people["delegate-tjk"], initiative=initiative, file=pdf(), language="en"
    )
    initiative_circulate(
        actor=people.secretariat,
        initiative=initiative,
        deadline=timezone.localdate() + datetime.timedelta(days=days),
    )
    return Circulation.objects.select_related("paper").get(initiative=initiative)


def eco4_adopted(people) -> Initiative:
    """Issue 17 (v1): ECO-4 adopted through the services — Tajikistan's paper
    circulated, its deadline passed, referred to the SWG, approved by the SWG
    and then by the SOC at meetings held yesterday (Tajikistan, Kazakhstan,
    India, China present). Tajikistan coordinates it."""
    from secretariat.services import (  # noqa: PLC0415
        initiative_record_decision,
        initiative_refer_to_swg,
        meeting_create,
    )

    circulation = eco4_circulated(people)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Circulation.objects.filter(pk=circulation.pk).update(deadline=yesterday)
    initiative = Initiative.objects.get(measure__code="ECO-4")
    initiative_refer_to_swg(actor=people.secretariat, initiative=initiative)
    present = list(Participant.objects.filter(code__in=["TJK", "KAZ", "IND", "CHN"]))
    for body in ("swg", "soc"):
        meeting = meeting_create(
            actor=people.secretariat, body=body, date=yesterday, present=present
        )
        initiative_record_decision(
            actor=people.secretariat,
            initiative=initiative,
            body=body,
            meeting=meeting,
            outcome="approved",
        )
    initiative.refresh_from_db()
    assert initiative.status == "adopted", initiative.status
    return initiative
