"""Reads of the Catalogue, shaped for the API and the admin."""

from django.db.models import Count, Prefetch, QuerySet

from .models import CoordinatorOffer, Measure, PriorityArea


def _offers():
    return CoordinatorOffer.objects.select_related("participant", "measure", "area")


def area_list() -> QuerySet[PriorityArea]:
    return PriorityArea.objects.annotate(measure_count=Count("measures")).prefetch_related(
        "aliases"
    )


def measure_list() -> QuerySet[Measure]:
    """Measures with area and the offers that name them or their whole area,
    in a constant number of queries."""
    return Measure.objects.select_related("area").prefetch_related(
        Prefetch("coordinator_offers", queryset=_offers()),
        Prefetch("area__coordinator_offers", queryset=_offers()),
    )


def measure_offers(measure: Measure) -> list[CoordinatorOffer]:
    """Offers on this measure by name, and offers of its whole area.

    Uses the prefetched rows from :func:`measure_list` when present.
    """
    named = list(measure.coordinator_offers.all())
    whole_area = [o for o in measure.area.coordinator_offers.all() if o.scope == "area"]
    return sorted(named + whole_area, key=lambda o: (o.order, o.participant.code))


def offer_list() -> QuerySet[CoordinatorOffer]:
    return _offers().order_by("order", "participant__code")
