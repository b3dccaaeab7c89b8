"""Writes on the expert roster (modality (b)): a member state designates
specialists or experts for a measure, and ends their designation."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cica.errors import DomainError, Forbidden
from members.models import ParticipationStatus
from members.rules import acting_for, is_secretariat

from ..models import Expert, Measure


@transaction.atomic
def expert_designate(
    *,
    actor: User,
    measure: Measure,
    name: str,
    contact: str = "",
    expertise: str = "",
    languages: str = "",
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
) -> Expert:
    """A member state designates a specialist or expert for a measure
    (seed, modality (b): "Les États membres pourront désigner périodiquement
    des spécialistes ou experts"). A delegate designates for their own state."""
    participant = acting_for(actor)
    if participant is None or participant.status_on() != ParticipationStatus.MEMBER:
        raise Forbidden(_("Only a member state's delegate designates experts, for their state."))
    if not name.strip():
        raise DomainError(_("Give the expert's name."))
    started_on = started_on or timezone.localdate()
    if ended_on and ended_on < started_on:
        raise DomainError(_("A designation must end after it starts."))
    return Expert.objects.create(
        participant=participant,
        measure=measure,
        name=name.strip(),
        contact=contact,
        expertise=expertise,
        languages=languages,
        started_on=started_on,
        ended_on=ended_on,
        designated_by=actor,
    )


@transaction.atomic
def expert_end(*, actor: User, expert: Expert, ended_on: datetime.date | None = None) -> Expert:
    """End an expert's designation: the designating state or the secretariat."""
    if not (is_secretariat(actor) or acting_for(actor) == expert.participant):
        raise Forbidden(_("Only the designating state or the secretariat ends a designation."))
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    ended_on = ended_on or timezone.localdate()
    if ended_on < expert.started_on:
        raise DomainError(_("A designation must end after it starts."))
    expert.ended_on = ended_on
    expert.save(update_fields=["ended_on"])
    return expert
