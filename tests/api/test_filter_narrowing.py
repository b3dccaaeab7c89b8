"""Issue 18: the filter backend builds a FilterSet of the filters a request
names only (cica.filters._named_only): the answers, refusals included, are
those of the whole FilterSet."""

import pytest
from django.utils import timezone

from cica import filters

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/initiatives/?status=drafting",
    "/api/v1/initiatives/?status=drafting&participant=KAZ&page_size=3",
    "/api/v1/initiatives/?status=bogus",
    "/api/v1/initiatives/?participant=XXX&status=nope",
    "/api/v1/initiatives/?updated_since=yesterday",
    "/api/v1/initiatives/?updated_since=2000-01-01T00:00:00Z&area=ECO",
    "/api/v1/measures/?area=ECO&search=trade",
    "/api/v1/measures/?coordinator=KAZ&status=drafting",
    "/api/v1/measures/?area=ZZZ",
    "/api/v1/offers/?participant=KAZ&scope=area",
    "/api/v1/offers/?scope=everything",
]


@pytest.mark.parametrize("url", URLS)
def test_the_named_filters_answer_as_the_whole_filterset(api, history_kaz, monkeypatch, url):
    narrowed = api.get(url)
    with monkeypatch.context() as patch:
        patch.setattr(filters, "_named_only", lambda filterset_class, named: filterset_class)
        whole = api.get(url)
    assert narrowed.status_code == whole.status_code
    assert narrowed.content == whole.content


def test_a_narrowed_filterset_is_built_once_per_set_of_names(api):
    filters._named_only.cache_clear()
    for _ in range(3):
        assert api.get("/api/v1/initiatives/?status=drafting").status_code == 200
        assert api.get("/api/v1/initiatives/?status=adopted&area=ECO").status_code == 200
    assert filters._named_only.cache_info().currsize == 2


@pytest.fixture
def history_kaz(people):
    """An initiative with a declaration, so that the filters have rows to keep or drop."""
    from measures.models import Initiative, InterestDeclaration, Measure  # noqa: PLC0415
    from members.models import Participant  # noqa: PLC0415

    measure = Measure.objects.filter(initiatives__isnull=True).order_by("pk")[0]
    initiative = Initiative.objects.create(measure=measure, status="drafting", sequence=1)
    InterestDeclaration.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="KAZ"),
        declared_on=timezone.localdate(),
    )
