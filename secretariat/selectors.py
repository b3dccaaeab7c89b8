"""Reads of the secretariat's records, as the caller may see them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext

from measures import selectors as measure_selectors
from measures.models import (
    CoordinatorDesignation,
    Initiative,
    InterestDeclaration,
    Paper,
    PriorityArea,
)
from measures.progress import progress_of
from measures.selectors import initiatives_on_desk
from measures.workflow import OPEN_STATUSES, Outcome, Status
from members.models import Participant, Participation, ParticipationStatus
from members.rules import AnyUser, acting_for, is_chair_office, is_secretariat

from .models import (
    Circulation,
    CoSubmitter,
    Decision,
    InformationStatus,
    InformationSubmission,
    Meeting,
    Notification,
    Position,
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


def _count(queryset: QuerySet[Any]) -> Subquery:
    """The number of rows of ``queryset`` (filtered on an ``OuterRef``), as a
    scalar subquery of the outer row: ``SELECT COUNT(*)`` without GROUP BY,
    so 0 when there is none."""
    return Subquery(
        queryset.order_by()
        .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
        .values("n")
    )


def dashboard_figures(*, today: datetime.date | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, in five queries whatever the number of
    initiatives, circulations, receipts and decisions (issue 18): the areas
    with their initiatives counted per status; the open and overdue
    circulations with their answers counted; every state with its figures
    counted (the totals are their sums), and their receipts' figures; the
    last ten decisions. Each count is
    a conditional aggregate or a subquery of its own row — joining
    declarations, designations and receipts in one GROUP BY multiplies the
    rows (found by make bench)."""
    today = today or timezone.localdate()
    initiatives = "measures__initiatives"
    areas = list(
        PriorityArea.objects.order_by("order").annotate(
            n_initiatives=Count(initiatives),
            **{
                f"n_{s.value}": Count(initiatives, filter=Q(measures__initiatives__status=s.value))
                for s in Status
            },
        )
    )
    by_area_status: dict[str, dict[str, int]] = {}
    for area in areas:
        for s in Status:
            if n := getattr(area, f"n_{s.value}"):
                by_area_status.setdefault(area.code, {})[s.value] = n

    members = Participant.objects.with_status_in(ParticipationStatus.MEMBER, today)
    addressed = Receipt.objects.filter(circulation=OuterRef("pk"), participant__in=members)
    # Open (the deadline not passed) and overdue (passed, the initiative still
    # circulated) in one read, told apart here.
    circulations = list(
        Circulation.objects.exclude(kind="information")
        .filter(Q(deadline__gte=today) | Q(deadline__lt=today, initiative__status="circulated"))
        .select_related("initiative__measure", "paper")
        .annotate(addressed=_count(addressed), answered=_count(addressed.filter(position__gt="")))
        .order_by("deadline", "pk")
    )
    open_circulations: list[Circulation] = []
    overdue: list[Circulation] = []
    for c in circulations:
        # Figures for the template, kept on the rows it walks.
        vars(c).update(
            rate=round(100 * c.answered / c.addressed) if c.addressed else 0,
            missing=c.addressed - c.answered,
        )
        # Every row has a deadline (the filter above).
        (overdue if c.deadline and c.deadline < today else open_circulations).append(c)

    # Every state, members and not, so that the totals are the sums; its
    # receipts counted in one GROUP BY (one pass over the receipts, where a
    # subquery per state and figure reads them three times: make bench).
    of_state = {"participant": OuterRef("pk")}
    states = list(
        Participant.objects.order_by("code").annotate(
            is_member=Exists(
                Participation.objects.in_force(today).filter(
                    status=ParticipationStatus.MEMBER, **of_state
                )
            ),
            n_declarations=_count(InterestDeclaration.objects.filter(**of_state)),
            n_coordinations=_count(
                CoordinatorDesignation.objects.filter(ended_on__isnull=True, **of_state)
            ),
        )
    )
    addressed_to = ~Q(circulation__kind="information")
    answers = {
        row[0]: row[1:]
        for row in Receipt.objects.order_by()
        .values_list("participant_id")
        .annotate(
            n_addressed=Count("pk", filter=addressed_to),
            n_answered=Count("pk", filter=~Q(position="")),
            on_time=Count(
                "pk",
                filter=addressed_to
                & Q(
                    position_at__isnull=False,
                    circulation__deadline__isnull=False,
                    position_at__date__lte=F("circulation__deadline"),
                ),
            ),
        )
    }
    for p in states:
        n_addressed, n_answered, on_time = answers.get(p.pk, (0, 0, 0))
        vars(p).update(n_addressed=n_addressed, n_answered=n_answered, on_time=on_time)
    return {
        "today": today,
        "areas": areas,
        "by_area_status": by_area_status,
        "statuses": list(Status),
        "open_circulations": open_circulations,
        "overdue": overdue,
        "decisions": list(
            Decision.objects.select_related("initiative__measure").order_by("-recorded_at")[:10]
        ),
        "participation": [p for p in states if p.is_member],
        "totals": {
            # Every initiative has a measure, every measure an area; every
            # declaration and designation a state.
            "initiatives": sum(a.n_initiatives for a in areas),
            "declarations": sum(p.n_declarations for p in states),
            "designations": sum(p.n_coordinations for p in states),
        },
    }


# The chart's palette (issue 16 item 8): every colour at least 3:1 against the
# chart's white background, and the series alternate between a middle and a
# dark tone so that neighbours in this order are at least 3:1 apart (WCAG 2
# relative luminance; tests/secretariat/test_issue16_dashboard_chart.py).
# Hues differ within a tone too, and each segment carries its count.
CHART_BACKGROUND = "#ffffff"
CHART_INK = "#1b1b1b"
STATUS_COLOURS = {
    "interest_declared": "#2b8cbe",
    "consultation": "#08306b",
    "drafting": "#a37fcc",
    "circulated": "#3f007d",
    "swg_review": "#e6550d",
    "soc_review": "#4a1500",
    "adopted": "#31a354",
    "rejected": "#67000d",
    "withdrawn": "#8c8c8c",
}


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def _ink_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``."""
    on_white = 1.05 / (_luminance(colour) + 0.05)
    on_black = (_luminance(colour) + 0.05) / 0.05
    return "#ffffff" if on_white >= on_black else "#000000"


def dashboard_chart(figures: dict[str, Any]) -> dict[str, Any]:
    """A horizontal stacked bar per priority area (initiatives by status), laid
    out here so the template only draws rectangles: an SVG readable in print.

    Drawn at its own size (one viewBox unit is one CSS pixel), so its 13 px
    labels stay 13 px; each segment is wide enough for its count, segments are
    separated by a 2 px gap of background, and the legend and the table list
    only the statuses present. The areas are the figures' (in their order)."""
    areas = figures["areas"]
    counts = figures["by_area_status"]
    present = [
        s for s in figures["statuses"] if any(counts.get(a.code, {}).get(s.value) for a in areas)
    ]
    largest = max([sum(counts.get(a.code, {}).values()) for a in areas] + [1])
    width, left, bar, gap, spacing, least = 440, 56, 28, 2, 14, 26
    font = 13
    bars = []
    right = left
    for index, area in enumerate(areas):
        x = left
        y = 10 + index * (bar + spacing)
        segments = []
        for status in present:
            n = counts.get(area.code, {}).get(status.value, 0)
            if not n:
                continue
            # Whole pixels: a float would be written "12,5" in Russian.
            w = max(round(n / largest * width), least)
            colour = STATUS_COLOURS[status.value]
            segments.append(
                {
                    "x": x,
                    "w": w,
                    "mid": x + w // 2,
                    "n": n,
                    "code": status.value,
                    "status": status.label,
                    "colour": colour,
                    "ink": _ink_on(colour),
                }
            )
            x = x + w + gap
        end = x - gap if segments else x
        right = max(right, end)
        bars.append(
            {
                "area": area,
                "y": y,
                "text_y": y + bar // 2 + 5,
                "segments": segments,
                "cells": [counts.get(area.code, {}).get(s.value, 0) for s in present],
                "total": sum(counts.get(area.code, {}).values()),
                "end": end,
            }
        )
    legend = [
        {"label": s.label, "code": s.value, "colour": STATUS_COLOURS[s.value]} for s in present
    ]
    height = 10 + len(areas) * (bar + spacing)
    return {
        "bars": bars,
        "legend": legend,
        "series": present,
        "height": height,
        "width": right + 50,
        "bar": bar,
        "font": font,
        "background": CHART_BACKGROUND,
        "ink": CHART_INK,
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
            # Where it stands (issue 16 item 2), from what the selector prefetched.
            "progress": progress_of(i, today),
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


# --- a circulation's ledger (issue 16 item 9) ------------------------------------------


@dataclass
class CirculationLedger:
    """A circulation's receipts split into members and observers (each by
    name in the reader's language), and the summary the admin and the
    delegates' page put on top: "answered 11/18, 2 objections". Answers are
    counted among the member states, who alone give positions."""

    members: list[Receipt]
    observers: list[Receipt]
    addressed: int
    answered: int
    acknowledged: int
    read: int
    objections: int
    reservations: int

    @property
    def groups(self) -> list[tuple[str, list[Receipt]]]:
        """Members, then observers, each with its heading."""
        return [(gettext("Member states"), self.members), (gettext("Observers"), self.observers)]


def circulation_ledger(
    circulation: Circulation, receipts: Iterable[Receipt] | None = None
) -> CirculationLedger:
    """One place for a circulation's ledger. ``receipts`` are those the reader
    may see (the page passes its prefetched ones); by default every receipt.
    A state's status is taken on the day of circulation: a member then
    answers as one even if its status has changed since."""
    if receipts is None:
        receipts = circulation.receipts.select_related("participant")
    rows = list(receipts)
    on = timezone.localtime(circulation.circulated_at).date() if circulation.circulated_at else None
    member_ids = set(
        Participant.objects.with_status_in(ParticipationStatus.MEMBER, on)
        .filter(pk__in=[r.participant_id for r in rows])
        .values_list("pk", flat=True)
    )

    def by_name(receipt: Receipt) -> str:
        return str(receipt.participant.name).casefold()

    members = sorted((r for r in rows if r.participant_id in member_ids), key=by_name)
    observers = sorted((r for r in rows if r.participant_id not in member_ids), key=by_name)
    return CirculationLedger(
        members=members,
        observers=observers,
        addressed=len(members),
        answered=sum(1 for r in members if r.position),
        acknowledged=sum(1 for r in rows if r.acknowledged_at),
        read=sum(1 for r in rows if r.first_read_at),
        objections=sum(1 for r in members if r.position == Position.OBJECTION),
        reservations=sum(1 for r in members if r.position == Position.RESERVATION),
    )


# --- meetings for delegates (issue 16 item 10) -------------------------------------------
#
# Who sees meetings: as the meetings API (secretariat/api.py, read for anyone,
# IsAuthenticatedOrReadOnly), the pages are public; what varies with the
# reader is which papers show (measures.selectors.papers_visible's rule) and
# who objected to a decision (staff and member states, as the decisions API).

MEETING_LIST_LIMIT = 100


def meetings_upcoming_and_past(*, today: datetime.date | None = None) -> dict[str, Any]:
    """Upcoming meetings (from today, soonest first) and past ones (latest
    first), each list capped, in two queries whatever their number."""
    today = today or timezone.localdate()
    meetings = Meeting.objects.select_related("host", "measure").annotate(
        decision_count=Count("decisions")
    )
    return {
        "today": today,
        "upcoming": list(
            meetings.filter(date__gte=today).order_by("date", "start_time", "pk")[
                :MEETING_LIST_LIMIT
            ]
        ),
        "past": list(meetings.filter(date__lt=today).order_by("-date", "-pk")[:MEETING_LIST_LIMIT]),
    }


# The status at which an initiative waits for a body's next meeting.
_AWAITING = {"swg": Status.SWG_REVIEW, "soc": Status.SOC_REVIEW}


def meeting_detail(
    user: AnyUser, *, pk: int, today: datetime.date | None = None
) -> dict[str, Any] | None:
    """A meeting's page: the meeting, its decisions, the initiatives before
    it and, for each, the papers this user may read; ``None`` if there is no
    such meeting. A constant number of queries.

    The initiatives before a meeting: those it took a decision on; those
    whose experts it charged (modality (b)); for a specialised meeting, the
    open initiatives on the measure it examines; and for the next SWG or SOC
    meeting still to come, every initiative waiting for that body (``why``:
    decided, charged, measure or awaiting)."""
    today = today or timezone.localdate()
    meeting = (
        Meeting.objects.select_related("host", "measure")
        .prefetch_related(Prefetch("present", queryset=Participant.objects.order_by("code")))
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        return None
    decisions = list(
        Decision.objects.filter(meeting=meeting)
        .select_related("initiative__measure", "paper")
        .prefetch_related(Prefetch("objecting", queryset=Participant.objects.order_by("code")))
        .order_by("recorded_at", "pk")
    )
    decided = {d.initiative_id for d in decisions}
    before = Q(pk__in=decided) | Q(charged_at=meeting)
    if meeting.measure_id is not None:
        before |= Q(measure_id=meeting.measure_id, status__in=sorted(OPEN_STATUSES))
    awaiting = _AWAITING.get(meeting.body)
    is_next = False
    if awaiting is not None and not meeting.cancelled and meeting.date >= today:
        earlier = Q(date__lt=meeting.date) | Q(date=meeting.date, pk__lt=meeting.pk)
        is_next = not (
            Meeting.objects.filter(body=meeting.body, cancelled=False, date__gte=today)
            .filter(earlier)
            .exists()
        )
        if is_next:
            before |= Q(status=awaiting)
    initiatives = list(
        Initiative.objects.filter(before)
        .select_related("measure")
        .order_by("measure__sort_key", "sequence", "pk")
    )
    papers = measure_selectors.papers_visible_many(
        user,
        measure_selectors.paper_annotated(
            Paper.objects.filter(initiative__in=[i.pk for i in initiatives])
        ).order_by("initiative_id", "kind", "-version"),
    )
    rows = []
    for initiative in initiatives:
        if initiative.pk in decided:
            why = "decided"
        elif initiative.charged_at_id == meeting.pk:
            why = "charged"
        elif meeting.measure_id == initiative.measure_id and initiative.status in OPEN_STATUSES:
            why = "measure"
        else:
            why = "awaiting"
        rows.append(
            {
                "initiative": initiative,
                "why": why,
                "papers": [p for p in papers if p.initiative_id == initiative.pk],
            }
        )
    return {
        "meeting": meeting,
        "upcoming": meeting.date >= today,
        "decisions": decisions,
        "initiatives": rows,
        "papers": papers,
        "present": list(meeting.present.all()),
        "internals": measure_selectors.can_see_internals(user),
    }


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
