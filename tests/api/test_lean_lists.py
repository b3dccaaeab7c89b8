"""The list endpoints build their pages from plain rows (issue 8: throughput);
the serializers stay the documented shape (detail, OpenAPI). A page read the
lean way equals the same page through the serializers, item for item, in
every language, with every filter."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation
from rest_framework.request import Request

from measures import selectors
from measures.api import MeasureSerializer, measure_list_data
from measures.api_initiatives import InitiativeSerializer, initiative_list_data
from measures.models import (
    CoordinatorDesignation,
    CoordinatorOffer,
    Initiative,
    InterestDeclaration,
    Measure,
    Paper,
)
from members.models import Participant
from secretariat.models import Decision, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    """Leads with open and ended designations, declarations, area-wide and
    named offers, SOC adoptions with and without a paper, a missing French title."""
    today = timezone.localdate()
    kaz, mng, chn = (Participant.objects.get(code=c) for c in ("KAZ", "MNG", "CHN"))
    meeting = Meeting.objects.create(body="soc", date=today)
    for n, code in enumerate(("ECO-1", "ECO-2", "HUM-3", "NCT-1")):
        measure = Measure.objects.get(code=code)
        first = Initiative.objects.create(measure=measure, status="adopted", sequence=11)
        second = Initiative.objects.create(
            measure=measure, status="drafting", sequence=2 if n % 2 else 12, modality="b"
        )
        Measure.objects.filter(pk=measure.pk).update(lead_initiative=second)
        for initiative in (first, second):
            for k, state in enumerate((mng, kaz, chn)[: n + 1]):
                InterestDeclaration.objects.create(
                    initiative=initiative,
                    participant=state,
                    declared_on=today - datetime.timedelta(days=k % 2),
                )
            CoordinatorDesignation.objects.create(
                initiative=initiative, participant=chn, role="co_coordinator", started_on=today
            )
            CoordinatorDesignation.objects.create(
                initiative=initiative, participant=kaz, role="coordinator", started_on=today
            )
            CoordinatorDesignation.objects.create(
                initiative=initiative,
                participant=mng,
                role="coordinator",
                started_on=today,
                ended_on=today,
            )
        for version in (1, 2):
            paper = Paper.objects.create(
                initiative=first,
                kind="concept_paper",
                version=version,
                symbol=f"CICA/CP/{code}/{version}",
                file="papers/x.pdf",
                original_name="x.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0",
                language="en",
            )
            Decision.objects.create(
                body="soc",
                meeting=meeting,
                initiative=first,
                paper=paper,
                outcome="approved",
                symbol=f"CICA/SOC/DEC/{code}/{version}",
            )
        Decision.objects.create(
            body="soc",
            meeting=meeting,
            initiative=first,
            outcome="approved",
            symbol=f"CICA/SOC/DEC/{code}/none",
        )
    CoordinatorOffer.objects.create(
        participant=chn, scope="area", area=Measure.objects.get(code="ECO-1").area, order=0
    )
    CoordinatorOffer.objects.create(
        participant=kaz, scope="measure", measure=Measure.objects.get(code="ECO-2"), order=0
    )
    Measure.objects.filter(code="ECO-2").update(title_fr="", text_ru="")


def _request(url, language):
    request = Request(RequestFactory().get(url))
    request.LANGUAGE_CODE = language
    return request


@pytest.mark.parametrize("language", ["en", "fr", "ru"])
def test_the_measure_page_equals_the_serializer(history, language):
    rows = list(selectors.measure_list_base().values(*selectors.MEASURE_ROW_FIELDS))
    with translation.override(language):
        expected = MeasureSerializer(
            selectors.measure_list_with_status().order_by("sort_key", "pk"), many=True
        ).data
        lean = measure_list_data(rows)
    assert lean == [dict(item) for item in expected]
    eco2 = next(item for item in lean if item["code"] == "ECO-2")
    assert eco2["coordinator_offers"]
    assert eco2["adopted_papers"]
    assert eco2["coordinators"]


def test_the_initiative_page_equals_the_serializer(history):
    rows = list(selectors.initiative_list_base().values(*selectors.INITIATIVE_ROW_FIELDS))
    assert len(rows) >= 8
    expected = InitiativeSerializer(
        selectors.initiative_list(), many=True, context={"request": _request("/", "en")}
    ).data
    lean = initiative_list_data(rows)
    assert lean == [dict(item) for item in expected]
    assert any(item["interested"] and item["coordinators"] for item in lean)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page_size=3",
        "?page_size=3&page=2",
        "?area=ECO",
        "?status=drafting",
        "?coordinator=KAZ",
        "?coordinator=CHN",
        "?search=eco-2",
        "?updated_since=2000-01-01T00:00:00Z",
    ],
)
def test_the_measure_endpoint_pages_and_filters_as_before(api, history, query):
    body = api.get(f"/api/v1/measures/{query}", HTTP_ACCEPT_LANGUAGE="fr").json()
    codes = [item["code"] for item in body["results"]]
    with translation.override("fr"):
        for item in body["results"]:
            measure = selectors.measure_list_with_status().get(code=item["code"])
            assert item == dict(MeasureSerializer(measure).data)
    assert body["count"] >= len(codes) > 0


@pytest.mark.parametrize(
    "query",
    ["", "?page_size=3&page=2", "?status=drafting", "?participant=KAZ", "?area=HUM"],
)
def test_the_initiative_endpoint_pages_and_filters_as_before(api, history, query):
    body = api.get(f"/api/v1/initiatives/{query}").json()
    assert body["results"]
    for item in body["results"]:
        initiative = selectors.initiative_list().get(pk=item["id"])
        assert item == dict(InitiativeSerializer(initiative).data)
