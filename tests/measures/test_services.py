"""Rules of the Catalogue, as the services and the database enforce them."""

import pytest
from django.db import IntegrityError, transaction

from cica.errors import DomainError
from measures.models import CoordinatorOffer, Measure, OfferScope, PriorityArea
from measures.services import area_upsert, measure_upsert, offer_upsert
from members.models import Participant

pytestmark = pytest.mark.django_db
TEXT = {"en": "x", "fr": "x", "ru": "x"}


def test_areas_are_data_and_measure_codes_follow():
    area, _counts = area_upsert(
        code="mil", order=5, names={"en": "Military", "fr": "Militaire", "ru": "Военное"}
    )
    measure, outcome = measure_upsert(area=area, number=3, titles=TEXT, texts=TEXT)
    assert outcome == "created"
    assert measure.code == "MIL-3"
    assert Measure.objects.filter(area__code="MIL").count() == 1
    with pytest.raises(DomainError):
        measure_upsert(area=area, number=0, titles=TEXT, texts=TEXT)
    with pytest.raises(DomainError, match="ru"):
        measure_upsert(area=area, number=4, titles={"en": "a", "fr": "b"}, texts=TEXT)


def test_measure_number_unique_in_area():
    eco = PriorityArea.objects.get(code="ECO")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(area=eco, number=2, title="dup", text="dup")


@pytest.mark.parametrize(
    ("scope", "with_measure", "with_area"),
    [
        (OfferScope.MEASURE, False, False),
        (OfferScope.MEASURE, True, True),
        (OfferScope.AREA, True, False),
        (OfferScope.MEASURE_IN_AREA, False, False),
        (OfferScope.TBD, True, False),
        (OfferScope.TBD, False, True),
    ],
)
def test_offer_shape_must_match_its_scope(scope, with_measure, with_area):
    chn = Participant.objects.get(code="CHN")
    measure = Measure.objects.get(code="ECO-1") if with_measure else None
    area = PriorityArea.objects.get(code="ECO") if with_area else None
    with pytest.raises(DomainError):
        offer_upsert(
            participant=chn, scope=scope, measure=measure, area=area, descriptions={"en": "offer"}
        )
    # The database holds the same rule for writes that bypass the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        CoordinatorOffer.objects.create(
            participant=chn, scope=scope, measure=measure, area=area, description="offer"
        )
    assert not CoordinatorOffer.objects.filter(participant=chn).exists()


def test_offer_upsert_accepts_each_honest_shape():
    chn = Participant.objects.get(code="CHN")
    eco = PriorityArea.objects.get(code="ECO")
    offer_upsert(participant=chn, scope=OfferScope.TBD, descriptions={"en": "later"})
    offer_upsert(
        participant=chn,
        scope=OfferScope.MEASURE_IN_AREA,
        area=eco,
        descriptions={"en": "one of ECO"},
        role="co_coordinator",
    )
    offer_upsert(
        participant=chn,
        scope=OfferScope.MEASURE,
        measure=Measure.objects.get(code="ECO-5"),
        descriptions={"en": "visas"},
    )
    assert CoordinatorOffer.objects.filter(participant=chn).count() == 3
    assert list(Measure.objects.coordinated_by(chn).values_list("code", flat=True)) == ["ECO-5"]
    with pytest.raises(DomainError):
        offer_upsert(participant=chn, scope=OfferScope.TBD, role="boss", descriptions={"en": "x"})
