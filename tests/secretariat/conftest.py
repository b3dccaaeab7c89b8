import datetime

import pytest
from django.utils import timezone

from measures.models import CoordinatorDesignation, Initiative, Measure
from measures.services import initiative_submit_paper
from members.models import Participant
from tests.files import pdf


@pytest.fixture
def drafting(people):
    """HUM-5 at drafting, Mongolia coordinating, with a paper submitted."""
    initiative = Initiative.objects.create(
        measure=Measure.objects.get(code="HUM-5"), status="drafting"
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
    return initiative


@pytest.fixture
def deadline():
    return timezone.localdate() + datetime.timedelta(days=10)
