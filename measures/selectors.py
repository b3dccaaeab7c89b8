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
