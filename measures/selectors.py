"""Reads of the Catalogue, shaped for the API and the admin."""

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from members.models import Expert
from members.rules import acting_for, is_chair_office, is_secretariat

from .models import (
    CoordinatorDesignation,
    CoordinatorOffer,
    Initiative,
    InitiativeEvent,
    InterestDeclaration,
    Measure,
    Paper,
    PriorityArea,
)
from .workflow import PROGRESS, Outcome


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


# --- initiatives ------------------------------------------------------------------


def _open_designations():
    return CoordinatorDesignation.objects.filter(ended_on__isnull=True).select_related(
        "participant"
    )


def _rank():
    return Case(
        *[When(status=status, then=Value(progress)) for status, progress in PROGRESS.items()],
        output_field=IntegerField(),
    )


def lead_initiative_pk_for(measure_id: int) -> int | None:
    """A measure's most advanced initiative (then the latest)."""
    return (
        Initiative.objects.filter(measure_id=measure_id)
        .annotate(rank=_rank())
        .order_by("-rank", "-sequence", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


def measure_list_with_status() -> QuerySet[Measure]:
    """Measures with offers, their lead initiative (kept on the measure by the
    services) with its current coordinators, and the initiatives whose paper
    the SOC adopted: a constant number of queries that never load a
    measure's whole history (make bench: loading every initiative cost 30x)."""
    from secretariat.models import Decision

    adoptions = Decision.objects.filter(body="soc", outcome=Outcome.APPROVED).select_related(
        "paper"
    )
    adopted = Initiative.objects.filter(
        pk__in=Decision.objects.filter(body="soc", outcome=Outcome.APPROVED).values("initiative_id")
    )
    return (
        measure_list()
        .select_related("lead_initiative")
        .prefetch_related(
            Prefetch("lead_initiative__designations", queryset=_open_designations()),
            Prefetch(
                "initiatives",
                queryset=adopted.prefetch_related(
                    Prefetch("decisions", queryset=adoptions, to_attr="adoptions")
                ),
                to_attr="adopted_initiatives",
            ),
        )
    )


def measure_lead_initiative(measure: Measure) -> Initiative | None:
    return measure.lead_initiative


def measure_adopted_papers(measure: Measure) -> list[Paper]:
    """Papers the SOC adopted on this measure, from :func:`measure_list_with_status`."""
    initiatives = getattr(measure, "adopted_initiatives", None)
    if initiatives is None:
        initiatives = measure.initiatives.all()
    return [
        d.paper
        for initiative in initiatives
        for d in getattr(initiative, "adoptions", [])
        if d.paper is not None
    ]


def initiative_list() -> QuerySet[Initiative]:
    # Ordered by id: indexed and stable while pollers page (sorting 100,000
    # rows across the measure and area joins cost more than the page itself).
    return (
        Initiative.objects.order_by("pk")
        .select_related("measure__area")
        .prefetch_related(
            Prefetch("designations", queryset=_open_designations()),
            Prefetch(
                "declarations", queryset=InterestDeclaration.objects.select_related("participant")
            ),
        )
    )


def initiative_detail() -> QuerySet[Initiative]:
    from secretariat.models import Circulation, Decision

    return initiative_list().prefetch_related(
        Prefetch(
            "designations",
            queryset=CoordinatorDesignation.objects.select_related("participant"),
            to_attr="all_designations",
        ),
        Prefetch("papers", queryset=paper_annotated(Paper.objects.select_related("submitted_for"))),
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("meeting").prefetch_related("objecting"),
        ),
        Prefetch("circulations", queryset=Circulation.objects.select_related("paper")),
        Prefetch(
            "responsible_experts",
            queryset=Expert.objects.select_related("participant"),
        ),
        Prefetch(
            "events",
            queryset=InitiativeEvent.objects.select_related("actor", "acting_for"),
        ),
    )


def papers_visible(user, initiative: Initiative, papers=None) -> list[Paper]:
    """Papers this user may see.

    Staff and the coordinator states see every version; member states see what
    was circulated to them; observers what was circulated to observers; and
    everyone the paper the SOC adopted. Never a draft before circulation.
    """
    papers = list(papers if papers is not None else paper_annotated(initiative.papers.all()))
    if user.has_perm("measures.view_drafts", initiative):
        return papers
    participant = acting_for(user)
    status = participant.status_on() if participant else None
    visible = []
    for paper in papers:
        if paper.was_adopted:
            visible.append(paper)
        elif status == "member" and paper.was_circulated:
            visible.append(paper)
        elif status == "observer" and paper.circulated_to_observers:
            visible.append(paper)
    return visible


def paper_annotated(queryset):
    from secretariat.models import Circulation, Decision

    return queryset.annotate(
        was_circulated=Exists(Circulation.objects.filter(paper=OuterRef("pk"))),
        circulated_to_observers=Exists(
            Circulation.objects.filter(paper=OuterRef("pk"), audience="members_and_observers")
        ),
        was_adopted=Exists(
            Decision.objects.filter(paper=OuterRef("pk"), body="soc", outcome=Outcome.APPROVED)
        ),
    )


def paper_visible_to(user, paper: Paper) -> bool:
    annotated = paper_annotated(Paper.objects.filter(pk=paper.pk)).get()
    return bool(papers_visible(user, paper.initiative, [annotated]))


def can_see_internals(user) -> bool:
    """Who acted and why: staff and member states' delegates, not the public."""
    return bool(
        is_secretariat(user) or is_chair_office(user) or user.has_perm("measures.view_positions")
    )


def initiatives_of_participant(queryset, participant) -> QuerySet[Initiative]:
    # Two indexed subqueries rather than an OR across two joins and DISTINCT.
    declared = InterestDeclaration.objects.filter(participant=participant).values("initiative_id")
    designated = CoordinatorDesignation.objects.filter(participant=participant).values(
        "initiative_id"
    )
    return queryset.filter(Q(pk__in=declared) | Q(pk__in=designated))


# --- lean list pages ----------------------------------------------------------------
#
# The list endpoints read plain rows (``.values()``) for the ids of one page
# and group the related rows by key, instead of building model instances and
# walking them with ModelSerializers: make bench measured the serializers at
# 0.2-0.4 of the framework's floor and plain rows at about 0.8 (issue 8). The
# API shapes these rows into exactly what its serializers document.


def measure_list_base() -> QuerySet[Measure]:
    """The measures a list filters and pages (ids only; rows come from
    :func:`measure_page_rows`)."""
    return Measure.objects.order_by("sort_key", "pk")


def _in_order(ids: list[int], rows) -> list[dict]:
    by_pk = {row["pk"]: row for row in rows}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def measure_page_rows(ids: list[int]) -> list[dict]:
    """One page of measures in the order of ``ids``: the measure's columns in
    every language, its area's code and its lead initiative's id and status."""
    # "title" and "text" through modeltranslation's values(): the request's
    # language with the same fallbacks as the model's attributes.
    fields = [f"{name}_{lang}" for name in ("title", "text") for lang in ("en", "fr", "ru")]
    rows = Measure.objects.filter(pk__in=ids).values(
        "pk",
        "code",
        "number",
        "area_id",
        "area__code",
        "lead_initiative_id",
        "lead_initiative__status",
        "title",
        "text",
        *fields,
    )
    return _in_order(ids, rows)


def open_designations_by_initiative(initiative_ids) -> dict[int, list[dict]]:
    """Current coordinators of these initiatives, in the designations' order."""
    grouped: dict[int, list[dict]] = {}
    rows = (
        CoordinatorDesignation.objects.filter(
            initiative_id__in=list(initiative_ids), ended_on__isnull=True
        )
        .order_by("role", "participant__code")
        .values_list("initiative_id", "participant__code", "role")
    )
    for initiative_id, code, role in rows:
        grouped.setdefault(initiative_id, []).append({"participant": code, "role": role})
    return grouped


def offers_by_measure(measures: list[dict]) -> dict[int, list[dict]]:
    """For each measure row, the offers naming it and the offers of its whole
    area, in one query (the rule of :func:`measure_offers`)."""
    ids = [m["pk"] for m in measures]
    area_of = {m["pk"]: m["area_id"] for m in measures}
    named: dict[int, list[tuple]] = {}
    whole_area: dict[int, list[tuple]] = {}
    rows = (
        CoordinatorOffer.objects.filter(
            Q(measure_id__in=ids) | Q(scope="area", area_id__in=set(area_of.values()))
        )
        .order_by("order", "participant__code")
        .values_list("measure_id", "area_id", "scope", "order", "participant__code", "role")
    )
    for measure_id, area_id, scope, order, code, role in rows:
        offer = (order, code, {"participant": code, "role": role, "scope": scope})
        if measure_id in area_of:
            named.setdefault(measure_id, []).append(offer)
        if scope == "area":
            whole_area.setdefault(area_id, []).append(offer)
    grouped = {}
    for pk, area_id in area_of.items():
        offers = named.get(pk, []) + whole_area.get(area_id, [])
        offers.sort(key=lambda o: (o[0], o[1]))
        grouped[pk] = [o[2] for o in offers]
    return grouped


def adopted_papers_by_measure(measure_ids) -> dict[int, list[dict]]:
    """Papers the SOC adopted on these measures (the rule of
    :func:`measure_adopted_papers`): by initiative, then latest decision first."""
    from secretariat.models import Decision

    grouped: dict[int, list[dict]] = {}
    rows = (
        Decision.objects.filter(
            body="soc",
            outcome=Outcome.APPROVED,
            initiative__measure_id__in=list(measure_ids),
            paper__isnull=False,
        )
        .order_by("initiative__sequence", "initiative_id", "-recorded_at", "-pk")
        .values_list("initiative__measure_id", "paper_id", "paper__symbol", "paper__kind")
    )
    for measure_id, paper_id, symbol, kind in rows:
        grouped.setdefault(measure_id, []).append(
            {"symbol": symbol, "kind": kind, "download": f"/api/v1/papers/{paper_id}/file/"}
        )
    return grouped


def initiative_list_base() -> QuerySet[Initiative]:
    """The initiatives a list filters and pages (ids only; rows come from
    :func:`initiative_page_rows`). Ordered by id, as :func:`initiative_list`."""
    return Initiative.objects.order_by("pk")


def initiative_page_rows(ids: list[int]) -> list[dict]:
    rows = Initiative.objects.filter(pk__in=ids).values(
        "pk",
        "measure__code",
        "measure__area__code",
        "modality",
        "sequence",
        "status",
        "created_at",
        "updated_at",
    )
    return _in_order(ids, rows)


def interested_by_initiative(initiative_ids) -> dict[int, list[str]]:
    """Codes of the states that declared interest, in the declarations' order."""
    grouped: dict[int, list[str]] = {}
    rows = (
        InterestDeclaration.objects.filter(initiative_id__in=list(initiative_ids))
        .order_by("declared_on", "participant__code")
        .values_list("initiative_id", "participant__code")
    )
    for initiative_id, code in rows:
        grouped.setdefault(initiative_id, []).append(code)
    return grouped
