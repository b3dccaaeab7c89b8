"""Writes on the Catalogue: priority areas, measures, coordinator offers, and
the loader of the seed's catalogue and annex."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cica.errors import DomainError
from cica.upsert import upsert
from members.models import Participant

from ..models import (
    AreaAlias,
    CoordinatorOffer,
    CoordinatorRole,
    InterestDeclaration,
    Measure,
    OfferScope,
    PriorityArea,
)
from .initiatives import initiative_declare_interest

LANGS = ("en", "fr", "ru")


def _translated(
    field: str, texts: dict[str, str], *, required: Iterable[str] = LANGS
) -> dict[str, str]:
    missing = [lang for lang in required if not texts.get(lang)]
    if missing:
        raise DomainError(
            _("Missing %(field)s in %(langs)s.") % {"field": field, "langs": ", ".join(missing)}
        )
    values = {f"{field}_{lang}": texts.get(lang, "") for lang in LANGS}
    values[field] = texts["en"]
    return values


@transaction.atomic
def area_upsert(
    *,
    code: str,
    order: int,
    names: dict[str, str],
    aliases: Iterable[Mapping[str, str]] = (),
) -> tuple[PriorityArea, Counter[str]]:
    counts: Counter[str] = Counter()
    area, outcome = upsert(
        PriorityArea,
        lookup={"code": code.upper()},
        values={"order": order, **_translated("name", names)},
    )
    counts[f"area_{outcome}"] += 1
    if outcome == "updated":  # the order may have moved: measures sort by it
        for measure in area.measures.all():
            Measure.objects.filter(pk=measure.pk).update(
                sort_key=area.order * 10_000 + measure.number
            )
    for alias in aliases:
        _row, outcome = upsert(
            AreaAlias,
            lookup={"area": area, "name": alias["name"], "language": alias.get("language", "")},
            values={},
        )
        counts[f"area_alias_{outcome}"] += 1
    return area, counts


@transaction.atomic
def measure_upsert(
    *, area: PriorityArea, number: int, titles: dict[str, str], texts: dict[str, str]
) -> tuple[Measure, str]:
    """A numbered measure of an area; its code (ECO-2) follows from both."""
    if number < 1:
        raise DomainError(_("A measure's number starts at 1."))
    return upsert(
        Measure,
        lookup={"area": area, "number": number},
        values={**_translated("title", titles), **_translated("text", texts)},
    )


@transaction.atomic
def offer_upsert(
    *,
    participant: Participant,
    scope: str,
    role: str = CoordinatorRole.UNSPECIFIED,
    measure: Measure | None = None,
    area: PriorityArea | None = None,
    descriptions: dict[str, str],
    annex_text: str = "",
    order: int = 0,
) -> tuple[CoordinatorOffer, str]:
    """A state's offer to coordinate (annex of the cooperative approach).

    The offer names exactly what the state offered — one measure, a whole
    area, one measure of an area not yet named, or nothing yet — and never
    more: a measure the annex does not name is not invented.
    """
    if scope not in OfferScope.values:
        raise DomainError(_("Unknown offer scope %(scope)r.") % {"scope": scope})
    if role not in CoordinatorRole.values:
        raise DomainError(_("Unknown coordinator role %(role)r.") % {"role": role})
    needs_by_scope: dict[str, tuple[bool, bool]] = {
        OfferScope.MEASURE: (True, False),
        OfferScope.AREA: (False, True),
        OfferScope.MEASURE_IN_AREA: (False, True),
        OfferScope.TBD: (False, False),
    }
    needs = needs_by_scope[scope]
    if (measure is not None, area is not None) != needs:
        raise DomainError(
            _("An offer of scope %(scope)s takes %(what)s.")
            % {
                "scope": scope,
                "what": {
                    (True, False): _("a measure and no area"),
                    (False, True): _("an area and no measure"),
                    (False, False): _("neither a measure nor an area"),
                }[needs],
            }
        )
    return upsert(
        CoordinatorOffer,
        lookup={"participant": participant, "scope": scope, "measure": measure, "area": area},
        values={
            "role": role,
            "annex_text": annex_text,
            "order": order,
            **_translated("description", descriptions, required=("en",)),
        },
    )


@transaction.atomic
def catalogue_load(data: Mapping[str, Any]) -> Counter[str]:
    """Load areas, measures and coordinator offers from the seed's data file.
    Idempotent: a second run creates and changes nothing."""
    counts: Counter[str] = Counter()
    areas: dict[str, PriorityArea] = {}
    for item in data["areas"]:
        area, c = area_upsert(
            code=item["code"],
            order=item["order"],
            names=item["name"],
            aliases=item.get("aliases", []),
        )
        areas[area.code] = area
        counts.update(c)
    for item in data["measures"]:
        area = areas.get(item["area"]) or PriorityArea.objects.get(code=item["area"])
        measure, outcome = measure_upsert(
            area=area, number=item["number"], titles=item["title"], texts=item["text"]
        )
        if item.get("code") and item["code"] != measure.code:
            raise DomainError(f"Measure code {item['code']} does not match {measure.code}.")
        counts[f"measure_{outcome}"] += 1
    for item in data.get("coordinator_offers", []):
        _offer, outcome = offer_upsert(
            participant=Participant.objects.get(code=item["participant"]),
            scope=item["scope"],
            role=item.get("role", CoordinatorRole.UNSPECIFIED),
            measure=Measure.objects.get(code=item["measure"]) if item.get("measure") else None,
            area=PriorityArea.objects.get(code=item["area"]) if item.get("area") else None,
            descriptions=item["description"],
            annex_text=item.get("annex_text", ""),
            order=item.get("order", 0),
        )
        counts[f"offer_{outcome}"] += 1
    return counts


@transaction.atomic
def initiatives_from_offers() -> Counter[str]:
    """Each coordinator offer of the annex that names a measure becomes a
    declaration of interest, with the state volunteering as coordinator.
    Idempotent: an offer already declared is left alone."""
    counts: Counter[str] = Counter()
    offers = CoordinatorOffer.objects.filter(scope=OfferScope.MEASURE).select_related(
        "participant", "measure"
    )
    for offer in offers:
        # An offer of scope "measure" names its measure (a check constraint
        # on CoordinatorOffer holds it).
        assert offer.measure is not None
        already = InterestDeclaration.objects.filter(
            participant=offer.participant, initiative__measure=offer.measure
        ).exists()
        if already:
            counts["declaration_unchanged"] += 1
            continue
        initiative_declare_interest(
            actor=None,
            participant=offer.participant,
            measure=offer.measure,
            statement=offer.annex_text,
            volunteers_as_coordinator=True,
            declared_on=ANNEX_DATE,
        )
        counts["declaration_created"] += 1
    return counts


# The annex lists offers made by the time the cooperative approach was
# approved in Bangkok, 14 March 2007.
ANNEX_DATE = datetime.date(2007, 3, 14)
