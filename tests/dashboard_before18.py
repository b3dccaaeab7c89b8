"""The secretariat's dashboard as it was read before issue 18 (a frozen copy
of secretariat.selectors.dashboard_figures and dashboard_chart and of
implementation.participation.participation_across_years at bde51a3), so that
tests/test_issue18_dashboard_queries.py pins the new reads against the old
ones. One change: the circulations are ordered by deadline *then pk* — the
old order among equal deadlines was whatever the database returned, and a
comparison needs one."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from implementation.models import ReportingCycle, Return, ReturnKind, ReturnStatus
from implementation.participation import YearPoint
from measures.models import CoordinatorDesignation, Initiative, InterestDeclaration, PriorityArea
from measures.workflow import Status
from members.models import Participant, Participation, ParticipationStatus
from secretariat.models import Circulation, Decision, Receipt
from secretariat.selectors import CHART_BACKGROUND, CHART_INK, STATUS_COLOURS, _ink_on


@dataclass
class _Filed:
    kind: str
    late: bool
    submitted_on: datetime.date | None
    pk: int


def _rate(responded: int, owing: int) -> int:
    return round(100 * responded / owing) if owing else 0


def _late(first_submitted_at: datetime.datetime | None, due_on: datetime.date) -> bool:
    # As services.reporting.return_is_late, on a row read as values.
    return first_submitted_at is not None and timezone.localdate(first_submitted_at) > due_on


def _submitted(row: dict[str, Any], due_on: datetime.date) -> _Filed:
    at = row["first_submitted_at"]
    return _Filed(
        kind=row["kind"],
        late=_late(at, due_on),
        submitted_on=timezone.localdate(at) if at else None,
        pk=row["pk"],
    )


def _members_on(periods: Iterable[dict[str, Any]], on: datetime.date) -> set[int]:
    """The participants a member on ``on`` (as ParticipationQuerySet.in_force)."""
    return {
        p["participant_id"]
        for p in periods
        if (p["started_on"] is None or p["started_on"] <= on)
        and (p["ended_on"] is None or p["ended_on"] > on)
    }


def _member_periods() -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in Participation.objects.filter(status=ParticipationStatus.MEMBER).values(
            "participant_id", "started_on", "ended_on"
        )
    ]


_RETURN_FIELDS = ("pk", "cycle_id", "participant_id", "area_id", "measure_id", "kind")


def _submitted_returns(cycles: Q) -> list[dict[str, Any]]:
    return list(
        Return.objects.filter(cycles, status=ReturnStatus.SUBMITTED)
        .order_by()
        .values(*_RETURN_FIELDS, "first_submitted_at")
    )


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
    open_circulations = list(circulations.filter(deadline__gte=today).order_by("deadline", "pk"))
    overdue = list(
        circulations.filter(deadline__lt=today, initiative__status="circulated").order_by(
            "deadline", "pk"
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


def dashboard_chart(figures: dict[str, Any]) -> dict[str, Any]:
    """A horizontal stacked bar per priority area (initiatives by status), laid
    out here so the template only draws rectangles: an SVG readable in print.

    Drawn at its own size (one viewBox unit is one CSS pixel), so its 13 px
    labels stay 13 px; each segment is wide enough for its count, segments are
    separated by a 2 px gap of background, and the legend and the table list
    only the statuses present."""
    areas = list(PriorityArea.objects.order_by("order"))
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


def participation_across_years() -> list[YearPoint]:
    """The totals of every cycle, oldest first, in five queries whatever the
    number of cycles, states, areas and returns."""
    cycles = list(ReportingCycle.objects.order_by("year"))
    if not cycles:
        return []
    owed: dict[int, set[int]] = defaultdict(set)
    for c, a in ReportingCycle.objects.filter(areas__isnull=False).values_list("pk", "areas"):
        owed[c].add(a)
    for c, a in ReportingCycle.objects.filter(measures__isnull=False).values_list(
        "pk", "measures__area"
    ):
        owed[c].add(a)
    periods = _member_periods()
    by_cycle: dict[int, dict[tuple[int, int], _Filed]] = defaultdict(dict)
    due = {c.pk: c.due_on for c in cycles}
    for row in _submitted_returns(Q(area__isnull=False)):
        by_cycle[row["cycle_id"]][(row["participant_id"], row["area_id"])] = _submitted(
            row, due[row["cycle_id"]]
        )
    points = []
    for cycle in cycles:
        members = _members_on(periods, cycle.due_on)
        areas = owed[cycle.pk]
        filed = by_cycle[cycle.pk]
        responded = reports = nils = late = 0
        for state in members:
            got = [filed.get((state, area)) for area in areas]
            if areas and all(got):
                responded += 1
            for g in got:
                if g is None:
                    continue
                nils += g.kind == ReturnKind.NIL_RETURN
                reports += g.kind != ReturnKind.NIL_RETURN
                late += g.late
        points.append(
            YearPoint(
                year=cycle.year,
                owing=len(members),
                responded=responded,
                reports=reports,
                nils=nils,
                late=late,
                rate=_rate(responded, len(members)),
            )
        )
    return points
