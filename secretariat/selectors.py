"""Reads of the secretariat's records, as the caller may see them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from measures import selectors as measure_selectors
from measures.models import CoordinatorDesignation, Initiative, InterestDeclaration, PriorityArea
from measures.selectors import initiatives_on_desk
from measures.workflow import Outcome, Status
from members.models import Participant, ParticipationStatus
from members.rules import AnyUser, acting_for, is_chair_office, is_secretariat

from .models import (
    Circulation,
    CoSubmitter,
    Decision,
    InformationStatus,
    InformationSubmission,
    Meeting,
    Notification,
    Receipt,
    Visibility,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from members.models import Participant

    from .models import Meeting


def circulations_visible(user: AnyUser) -> QuerySet[Circulation]:
    """Staff see every circulation; a delegate those addressed to their state;
    anyone else none."""
    qs = Circulation.objects.select_related("paper", "initiative__measure", "silence_broken_by")
    if is_secretariat(user) or is_chair_office(user):
        return qs
    participant = acting_for(user)
    if participant is None:
        return qs.none()
    return qs.filter(receipts__participant=participant)


def receipts_visible(user: AnyUser) -> QuerySet[Receipt]:
    """Receipts as the caller may see them (SECURITY.md): staff and member
    states' delegates every state's receipt; an observer's delegate its own
    state's only (issue 13 item 8); anyone else none."""
    qs = Receipt.objects.select_related(
        "participant", "first_read_by", "acknowledged_by", "position_by"
    )
    if is_secretariat(user) or is_chair_office(user):
        return qs
    participant = acting_for(user)
    if participant is None:
        return qs.none()
    if participant.status_on() == ParticipationStatus.MEMBER:
        return qs
    return qs.filter(participant=participant)


def receipt_names_visible_to(user: AnyUser) -> int | None:
    """Whose user names (who acknowledged, who read) the caller may see on
    receipts: ``None`` for every state's (staff), else the caller's own
    state's id only — never the names of another state's delegates."""
    if is_secretariat(user) or is_chair_office(user):
        return None
    participant = acting_for(user)
    return participant.pk if participant else 0


def circulation_detail(user: AnyUser) -> QuerySet[Circulation]:
    return circulations_visible(user).prefetch_related(
        Prefetch("receipts", queryset=receipts_visible(user))
    )


def can_see_positions(user: AnyUser) -> bool:
    """Positions: the secretariat, the Chair's office and member states'
    delegates. Never the public; observers see acknowledgements only."""
    if is_secretariat(user) or is_chair_office(user):
        return True
    participant = acting_for(user)
    return bool(participant and participant.status_on() == ParticipationStatus.MEMBER)


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


# --- the information exchange ---------------------------------------------------------


def information_visible(user: AnyUser) -> QuerySet[InformationSubmission]:
    """Staff see every submission; a state's delegates see their own state's
    (as lead or named co-submitter) and what was disseminated to them; the
    public sees what was disseminated publicly."""
    qs = InformationSubmission.objects.select_related("submitted_for").prefetch_related(
        "measures",
        Prefetch("co_submitters", queryset=CoSubmitter.objects.select_related("participant")),
        "attachments",
    )
    if is_secretariat(user) or is_chair_office(user):
        return qs
    disseminated = Q(status=InformationStatus.DISSEMINATED)
    open_to = Q(visibility=Visibility.PUBLIC)
    participant = acting_for(user)
    if participant is None:
        return qs.filter(disseminated & open_to)
    status = participant.status_on()
    if status == ParticipationStatus.MEMBER:
        open_to |= Q(visibility__in=[Visibility.MEMBERS, Visibility.MEMBERS_AND_OBSERVERS])
    elif status == ParticipationStatus.OBSERVER:
        open_to |= Q(visibility=Visibility.MEMBERS_AND_OBSERVERS)
    own = Q(submitted_for=participant) | Q(co_submitters__participant=participant)
    return qs.filter((disseminated & open_to) | own).distinct()


def information_search(
    queryset: QuerySet[InformationSubmission], text: str
) -> QuerySet[InformationSubmission]:
    """Full text in English, French and Russian: on PostgreSQL the GIN-indexed
    vector (every word as written, plus stems in the submission's language),
    ranked; on SQLite a plain LIKE on title and text."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config="simple", search_type="websearch")
        for config in ("english", "french", "russian"):
            query |= SearchQuery(text, config=config, search_type="websearch")
        return (
            queryset.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-submitted_at")
        )
    return queryset.filter(Q(title__icontains=text) | Q(text__icontains=text))


def meetings_for_calendar(*, participant: Participant | None = None) -> QuerySet[Meeting]:
    meetings = Meeting.objects.select_related("host", "measure").prefetch_related("present")
    if participant is not None:
        meetings = meetings.filter(Q(host=participant) | Q(present=participant)).distinct()
    return meetings.order_by("date", "pk")


# --- the secretariat's dashboard ---------------------------------------------------------


def dashboard_figures(*, today: datetime.date | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, each figure from one aggregate query."""
    today = today or timezone.localdate()
    by_area_status: dict[str, dict[str, int]] = {}
    rows = Initiative.objects.values("measure__area__code", "status").annotate(n=Count("pk"))
    for row in rows:
        by_area_status.setdefault(row["measure__area__code"], {})[row["status"]] = row["n"]
    members = Participant.objects.with_status_in(ParticipationStatus.MEMBER, today)
    answered = Q(receipts__position__gt="", receipts__participant__in=members)
    circulations = (
        Circulation.objects.exclude(kind="information")
        .select_related("initiative__measure", "paper")
        .annotate(
            addressed=Count("receipts", filter=Q(receipts__participant__in=members), distinct=True),
            answered=Count("receipts", filter=answered, distinct=True),
        )
    )
    open_circulations = list(circulations.filter(deadline__gte=today).order_by("deadline"))
    overdue = list(
        circulations.filter(deadline__lt=today, initiative__status="circulated").order_by(
            "deadline"
        )
    )
    for c in open_circulations + overdue:
        # Figures for the template, kept on the rows it walks.
        vars(c).update(
            rate=round(100 * c.answered / c.addressed) if c.addressed else 0,
            missing=c.addressed - c.answered,
        )

    # One GROUP BY per figure: joining declarations, designations and receipts
    # in one query multiplies the rows (found by make bench).
    def per_state(queryset: QuerySet[Any]) -> dict[int, int]:
        return dict(queryset.values_list("participant_id").annotate(n=Count("pk")))

    declarations = per_state(InterestDeclaration.objects.all())
    coordinations = per_state(CoordinatorDesignation.objects.filter(ended_on__isnull=True))
    addressed = per_state(Receipt.objects.exclude(circulation__kind="information"))
    answered_by = per_state(Receipt.objects.exclude(position=""))
    participation = list(members.order_by("code"))
    for p in participation:
        p.n_declarations = declarations.get(p.pk, 0)
        p.n_coordinations = coordinations.get(p.pk, 0)
        p.n_addressed = addressed.get(p.pk, 0)
        p.n_answered = answered_by.get(p.pk, 0)
    on_time_counts = per_state(
        Receipt.objects.filter(position_at__isnull=False, circulation__deadline__isnull=False)
        .exclude(circulation__kind="information")
        .filter(position_at__date__lte=F("circulation__deadline"))
    )
    for p in participation:
        p.on_time = on_time_counts.get(p.pk, 0)
    return {
        "today": today,
        "by_area_status": by_area_status,
        "statuses": list(Status),
        "open_circulations": open_circulations,
        "overdue": overdue,
        "decisions": list(
            Decision.objects.select_related("initiative__measure").order_by("-recorded_at")[:10]
        ),
        "participation": participation,
        "totals": {
            "initiatives": Initiative.objects.count(),
            "declarations": InterestDeclaration.objects.count(),
            "designations": CoordinatorDesignation.objects.filter(ended_on__isnull=True).count(),
        },
    }


STATUS_COLOURS = {
    "interest_declared": "#9ecae1",
    "consultation": "#6baed6",
    "drafting": "#4292c6",
    "circulated": "#2171b5",
    "swg_review": "#fdae6b",
    "soc_review": "#f16913",
    "adopted": "#238b45",
    "rejected": "#a50f15",
    "withdrawn": "#969696",
}


def dashboard_chart(figures: dict[str, Any]) -> dict[str, Any]:
    """A horizontal stacked bar per priority area (initiatives by status), laid
    out here so the template only draws rectangles: an SVG readable in print."""
    areas = list(PriorityArea.objects.order_by("order"))
    counts = figures["by_area_status"]
    largest = max([sum(counts.get(a.code, {}).values()) for a in areas] + [1])
    width, left, bar, gap = 560, 70, 26, 12
    bars = []
    for index, area in enumerate(areas):
        x = left
        y = 10 + index * (bar + gap)
        segments = []
        for status in figures["statuses"]:
            n = counts.get(area.code, {}).get(status.value, 0)
            if not n:
                continue
            w = round(n / largest * width, 1)
            segments.append(
                {
                    "x": x,
                    "w": w,
                    "n": n,
                    "status": status.label,
                    "colour": STATUS_COLOURS[status.value],
                }
            )
            x += w
        bars.append(
            {
                "area": area,
                "y": y,
                "segments": segments,
                "total": sum(counts.get(area.code, {}).values()),
                "end": x,
            }
        )
    legend = [{"label": s.label, "colour": STATUS_COLOURS[s.value]} for s in figures["statuses"]]
    height = 20 + len(areas) * (bar + gap)
    return {
        "bars": bars,
        "legend": legend,
        "height": height,
        "width": left + width + 60,
        "bar": bar,
    }


def status_report_rows() -> list[dict[str, Any]]:
    """Per area, each measure with its lead initiative's status, coordinators
    and last decision (the printable report)."""
    measures = list(
        measure_selectors.measure_list_with_status().prefetch_related("initiatives__decisions")
    )
    areas = []
    for area in PriorityArea.objects.order_by("order"):
        rows = []
        for measure in (m for m in measures if m.area_id == area.pk):
            lead = measure_selectors.measure_lead_initiative(measure)
            decisions = [d for i in measure.initiatives.all() for d in i.decisions.all()]
            last = max(decisions, key=lambda d: d.recorded_at) if decisions else None
            rows.append(
                {
                    "measure": measure,
                    "lead": lead,
                    "last_decision": last,
                    "coordinators": list(lead.designations.all()) if lead else [],
                }
            )
        areas.append({"area": area, "rows": rows})
    return areas


def desk_for(user: User) -> dict[str, object]:
    """What a delegate's landing page shows, in a fixed number of queries
    whatever the number of circulations, initiatives or notifications: the
    papers waiting for the state's answer, its initiatives (read by measures),
    recent decisions and unread notifications."""
    participant = acting_for(user)
    today = timezone.localdate()
    context: dict[str, object] = {"participant": participant, "today": today}
    notifications = Notification.objects.filter(recipient=user, read_at__isnull=True)
    context["notifications"] = list(notifications.order_by("-created_at")[:10])
    if participant is None:
        context.update(waiting=[], initiatives=[], decisions=[], observer=False)
        return context
    # An observer reads what is circulated to observers and acknowledges it;
    # it takes no position, declares no interest and coordinates nothing
    # (DESIGN §5; measures.rules): its desk offers what it may do (issue 16
    # item 5).
    observer = participant.status_on() == ParticipationStatus.OBSERVER
    context["observer"] = observer
    waiting = (
        Receipt.objects.filter(participant=participant, acknowledged_at__isnull=True)
        if observer
        else Receipt.objects.filter(participant=participant, position="")
    )
    waiting = (
        waiting.exclude(circulation__kind="information")
        .select_related("circulation__initiative__measure", "circulation__paper")
        .order_by("circulation__deadline")
    )
    context["waiting"] = [
        {"receipt": r, "overdue": bool(r.circulation.deadline and r.circulation.deadline < today)}
        for r in waiting[:50]
    ]
    ours = initiatives_on_desk(participant)
    context["initiatives"] = [
        {
            "initiative": i,
            "coordinating": any(
                # open_designations: the Prefetch to_attr of initiatives_on_desk,
                # which the stubs cannot see on the model.
                d.participant_id == participant.pk
                for d in i.open_designations  # type: ignore[attr-defined]
            ),
        }
        for i in ours[:100]
    ]
    decisions = (
        Decision.objects.filter(Q(initiative__in=ours.values("pk")) | Q(body="soc"))
        .select_related("initiative__measure")
        .order_by("-recorded_at")[:10]
    )
    context["decisions"] = list(decisions)
    return context


def adopted_decisions(limit: int = 20) -> QuerySet[Decision]:
    """The SWG's and the SOC's approvals of a paper, latest first: what the
    public landing page lists (issue 16 item 5). Public facts only — body,
    symbol, date, measure, the paper's symbol; a decision's objections are
    never read here (consensus decisions have none)."""
    return (
        Decision.objects.filter(outcome=Outcome.APPROVED, paper__isnull=False)
        .select_related("meeting", "initiative__measure", "paper")
        .order_by("-recorded_at", "-pk")[:limit]
    )
