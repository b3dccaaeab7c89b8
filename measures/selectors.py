"""Reads of the Catalogue, shaped for the API and the admin."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

import rules
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language
from modeltranslation.fields import NONE
from modeltranslation.utils import build_localized_fieldname, fallbacks_enabled, resolution_order

from cica.json_rows import (
    JSONColumn,
    JSONRows,
    as_bool,
    as_date,
    as_datetime,
    json_rows,
)
from cica.lookups import AnyOf
from cica.sqljson import isoformat, record, records, table
from members.models import Participant
from members.rules import AnyUser, acting_for, delegate_status, is_chair_office, is_secretariat

from .models import (
    CoordinatorDesignation,
    CoordinatorOffer,
    Expert,
    Initiative,
    InitiativeEvent,
    InterestDeclaration,
    Measure,
    OfferScope,
    Paper,
    PriorityArea,
)
from .progress import progress_prefetches
from .workflow import PROGRESS, Outcome

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def _reverse_model(model: type[Model], name: str) -> type[Model]:
    """The model behind a reverse relation that an app above measures declares
    on ours: secretariat's Decision and Circulation point at initiatives and
    papers (``Initiative.decisions``, ``Paper.circulations``...). Measures reads
    them through the ORM's relations and never imports secretariat, so the apps'
    order holds (cica <- members <- measures <- secretariat); the queries are
    the same as with the model imported. Read it through ``_default_manager``
    (its ``objects``): the stubs know the manager of a model they can name only."""
    related = model._meta.get_field(name).related_model
    if related is None or isinstance(related, str):
        raise LookupError(f"{model.__name__}.{name} is not a resolved relation")
    return related


class PaperFlags(TypedDict):
    """What :func:`paper_annotated` adds to each paper."""

    was_circulated: bool
    circulated_to_observers: bool
    was_adopted: bool


if TYPE_CHECKING:
    AnnotatedPaper: TypeAlias = WithAnnotations[Paper, PaperFlags]
# A measure or initiative row from ``.values()``, keyed by field name.
Row = dict[str, Any]


def _offers() -> QuerySet[CoordinatorOffer]:
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


def _open_designations() -> QuerySet[CoordinatorDesignation]:
    return CoordinatorDesignation.objects.filter(ended_on__isnull=True).select_related(
        "participant"
    )


def _rank() -> Case:
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
    Decision = _reverse_model(Initiative, "decisions")

    adoptions = Decision._default_manager.filter(
        body="soc", outcome=Outcome.APPROVED
    ).select_related("paper")
    adopted = Initiative.objects.filter(
        pk__in=Decision._default_manager.filter(body="soc", outcome=Outcome.APPROVED).values(
            "initiative_id"
        )
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
    Decision = _reverse_model(Initiative, "decisions")
    Circulation = _reverse_model(Initiative, "circulations")

    return initiative_list().prefetch_related(
        Prefetch(
            "designations",
            queryset=CoordinatorDesignation.objects.select_related("participant"),
            to_attr="all_designations",
        ),
        Prefetch("papers", queryset=paper_annotated(Paper.objects.select_related("submitted_for"))),
        Prefetch(
            "decisions",
            queryset=Decision._default_manager.select_related(
                "meeting", "silence_circulation"
            ).prefetch_related("objecting"),
        ),
        Prefetch("circulations", queryset=Circulation._default_manager.select_related("paper")),
        Prefetch(
            "responsible_experts",
            queryset=Expert.objects.select_related("participant"),
        ),
        Prefetch(
            "events",
            queryset=InitiativeEvent.objects.select_related("actor", "acting_for"),
        ),
    )


def initiative_detail_row(pk: int) -> Row | None:
    """One initiative with all that its detail shows, in one statement
    (:func:`initiative_detail` prefetches the same in ten): its columns, and
    each relation as a list of rows (dicts) in the order of the prefetches:
    ``designations`` (all, open ones with ``ended_on`` None), ``declarations``,
    ``experts`` (responsible), ``papers`` (with :class:`PaperFlags`),
    ``decisions`` (each with its ``objecting`` codes), ``circulations`` and
    ``events``. Ties in an ordering go by id. None if there is no such
    initiative. The API shapes it (``measures.api_initiatives``)."""
    Decision = _reverse_model(Initiative, "decisions")
    Circulation = _reverse_model(Initiative, "circulations")
    username = f"actor__{get_user_model().USERNAME_FIELD}"
    its = OuterRef("pk")

    found = (
        Initiative.objects.filter(pk=pk)
        .values(
            "pk",
            "measure__code",
            "measure__area__code",
            "modality",
            "sequence",
            "status",
            "created_at",
            "updated_at",
            designations_rows=JSONRows(
                CoordinatorDesignation.objects.filter(initiative=its),
                order_by=["role", "participant__code", "pk"],
                participant_id="participant_id",
                participant="participant__code",
                role="role",
                started_on="started_on",
                ended_on="ended_on",
            ),
            declarations_rows=JSONRows(
                InterestDeclaration.objects.filter(initiative=its),
                order_by=["declared_on", "participant__code", "pk"],
                participant="participant__code",
                declared_on="declared_on",
                volunteers_as_coordinator="volunteers_as_coordinator",
                statement="statement",
            ),
            experts_rows=JSONRows(
                Expert.objects.filter(working_papers=its),
                # Expert's ordering, its measure's own ordering spelled out.
                order_by=["measure__sort_key", "measure_id", "participant__code", "name", "pk"],
                id="pk",
                name="name",
                participant_id="participant_id",
                participant="participant__code",
            ),
            papers_rows=JSONRows(
                paper_annotated(Paper.objects.filter(initiative=its)),
                order_by=["kind", "version", "pk"],
                id="pk",
                symbol="symbol",
                kind="kind",
                version="version",
                language="language",
                original_name="original_name",
                content_type="content_type",
                size="size",
                sha256="sha256",
                submitted_for="submitted_for__code",
                submitted_at="submitted_at",
                was_circulated="was_circulated",
                circulated_to_observers="circulated_to_observers",
                was_adopted="was_adopted",
            ),
            decisions_rows=JSONRows(
                Decision._default_manager.filter(initiative=its),
                order_by=["-recorded_at", "-pk"],
                id="pk",
                symbol="symbol",
                body="body",
                procedure="procedure",
                meeting="meeting_id",
                meeting_date="meeting__date",
                silence_circulation="silence_circulation__id",
                silence_reference="silence_circulation__reference",
                outcome="outcome",
                text="text",
                recorded_at="recorded_at",
                objecting=JSONRows(
                    Participant.objects.filter(objections=OuterRef("pk")),
                    order_by=["code", "pk"],
                    nested=True,
                    code="code",
                ),
            ),
            circulations_rows=JSONRows(
                Circulation._default_manager.filter(initiative=its),
                order_by=["-circulated_at", "-pk"],
                id="pk",
                reference="reference",
                kind="kind",
                paper="paper__symbol",
                audience="audience",
                deadline="deadline",
                circulated_at="circulated_at",
                silence_status="silence_status",
            ),
            events_rows=JSONRows(
                InitiativeEvent.objects.filter(initiative=its),
                order_by=["created_at", "pk"],
                id="pk",
                action="action",
                from_status="from_status",
                to_status="to_status",
                actor=username,
                acting_for="acting_for__code",
                reason="reason",
                details=JSONColumn("details"),
                created_at="created_at",
            ),
        )
        .first()
    )
    if found is None:
        return None
    row: Row = dict(found)
    row["designations"] = json_rows(
        row.pop("designations_rows"), {"started_on": as_date, "ended_on": as_date}
    )
    row["declarations"] = json_rows(
        row.pop("declarations_rows"), {"declared_on": as_date, "volunteers_as_coordinator": as_bool}
    )
    row["experts"] = json_rows(row.pop("experts_rows"))
    row["papers"] = json_rows(
        row.pop("papers_rows"),
        {
            "submitted_at": as_datetime,
            "was_circulated": as_bool,
            "circulated_to_observers": as_bool,
            "was_adopted": as_bool,
        },
    )
    row["decisions"] = json_rows(
        row.pop("decisions_rows"),
        {"meeting_date": as_date, "recorded_at": as_datetime, "objecting": _codes},
    )
    row["circulations"] = json_rows(
        row.pop("circulations_rows"), {"deadline": as_date, "circulated_at": as_datetime}
    )
    row["events"] = json_rows(row.pop("events_rows"), {"created_at": as_datetime})
    return row


def _codes(rows: list[Row]) -> list[str]:
    return [row["code"] for row in json_rows(rows)]


def initiative_of_row(row: Row) -> Initiative:
    """The initiative of an :func:`initiative_detail_row`, enough for the
    rules to answer on it without a query: ``measures.rules.user_roles``
    reads who coordinates it from ``coordinating_ids`` (the same rule as its
    own query: an open designation; modality (b), a responsible expert)."""
    initiative = Initiative(pk=row["pk"], modality=row["modality"], status=row["status"])
    if row["modality"] == "b":
        coordinating = {e["participant_id"] for e in row["experts"]}
    else:
        coordinating = {d["participant_id"] for d in row["designations"] if d["ended_on"] is None}
    initiative.coordinating_ids = frozenset(coordinating)  # type: ignore[attr-defined]
    return initiative


def papers_visible(
    user: AnyUser, initiative: Initiative, papers: Iterable[AnnotatedPaper] | None = None
) -> list[AnnotatedPaper]:
    """Papers this user may see (the rule: :func:`paper_visibility`)."""
    papers = list(papers if papers is not None else paper_annotated(initiative.papers.all()))
    visible = paper_visibility(user, initiative)
    return [
        paper
        for paper in papers
        if visible(paper.was_adopted, paper.was_circulated, paper.circulated_to_observers)
    ]


def paper_visibility(user: AnyUser, initiative: Initiative) -> Callable[[bool, bool, bool], bool]:
    """Whether this user sees a paper of this initiative, from the paper's
    flags (adopted, circulated, circulated to observers).

    Staff and the coordinator states see every version; member states see what
    was circulated to them; observers what was circulated to observers; and
    everyone the paper the SOC adopted. Never a draft before circulation.
    """
    if user.has_perm("measures.view_drafts", initiative):
        return lambda adopted, circulated, to_observers: True
    status = delegate_status(user)

    def visible(adopted: bool, circulated: bool, to_observers: bool) -> bool:
        return (
            adopted
            or (status == "member" and circulated)
            or (status == "observer" and to_observers)
        )

    return visible


def paper_annotated(queryset: QuerySet[Paper]) -> QuerySet[AnnotatedPaper]:
    Decision = _reverse_model(Paper, "decisions")
    Circulation = _reverse_model(Paper, "circulations")

    return queryset.annotate(
        was_circulated=Exists(Circulation._default_manager.filter(paper=OuterRef("pk"))),
        circulated_to_observers=Exists(
            Circulation._default_manager.filter(
                paper=OuterRef("pk"), audience="members_and_observers"
            )
        ),
        was_adopted=Exists(
            Decision._default_manager.filter(
                paper=OuterRef("pk"), body="soc", outcome=Outcome.APPROVED
            )
        ),
    )


def paper_visible_to(user: AnyUser, paper: Paper) -> bool:
    annotated = paper_annotated(Paper.objects.filter(pk=paper.pk)).get()
    return bool(papers_visible(user, paper.initiative, [annotated]))


def can_see_internals(user: AnyUser) -> bool:
    """Who acted and why: staff and member states' delegates, not the public."""
    # The rule itself, not user.has_perm: no stored permission grants it, and
    # Django's own backend would read the user's permissions (two queries) to
    # find that out for every observer (issue 18).
    return bool(
        is_secretariat(user)
        or is_chair_office(user)
        or rules.has_perm("measures.view_positions", user)
    )


def initiatives_of_participant(
    queryset: QuerySet[Initiative], participant: Participant
) -> QuerySet[Initiative]:
    # One IN over the UNION of two indexed lookups: PostgreSQL probes the
    # initiatives by id. An OR of two IN subqueries made it scan all 100,000
    # initiatives for the page's COUNT(*) (make bench: 55 ms of 60).
    declared = (
        InterestDeclaration.objects.filter(participant=participant)
        .order_by()
        .values("initiative_id")
    )
    designated = (
        CoordinatorDesignation.objects.filter(participant=participant)
        .order_by()
        .values("initiative_id")
    )
    return queryset.filter(pk__in=declared.union(designated))


# --- lean list pages ----------------------------------------------------------------
#
# The list endpoints page plain rows (``.values()``) and read the related rows
# of the page by key, instead of building model instances and walking them
# with ModelSerializers: make bench measured the serializers at 0.2-0.4 of the
# framework's floor (issue 8). The API shapes these rows into exactly what its
# serializers document.

MEASURE_ROW_FIELDS = (
    "pk",
    "code",
    "number",
    "area_id",
    "area__code",
    "lead_initiative_id",
    "lead_initiative__status",
    *(f"{name}_{lang}" for name in ("title", "text") for lang in ("en", "fr", "ru")),
)


def initiatives_on_desk(participant: Participant) -> QuerySet[Initiative]:
    """The initiatives a state's desk lists: those it declared interest in or
    coordinates now, each with its open designations (``open_designations``)."""
    return (
        Initiative.objects.filter(
            Q(declarations__participant=participant)
            | Q(designations__participant=participant, designations__ended_on__isnull=True)
        )
        .distinct()
        .select_related("measure")
        .prefetch_related(
            Prefetch(
                "designations",
                queryset=CoordinatorDesignation.objects.filter(ended_on__isnull=True),
                to_attr="open_designations",
            ),
            # Where each stands (issue 16 item 2): what progress_of reads.
            *progress_prefetches(),
        )
        .order_by("measure__area__order", "measure__number")
    )


def measure_list_base() -> QuerySet[Measure]:
    """The measures a list filters, then pages as :data:`MEASURE_ROW_FIELDS`
    rows. Columns are named per language (no modeltranslation rewriting);
    :func:`measure_rows_translate` adds ``title`` and ``text``."""
    measures: QuerySet[Measure] = Measure.objects.rewrite(False).order_by("sort_key", "pk")
    return measures


def measure_rows_translate(rows: list[Row]) -> list[Row]:
    """Add ``title`` and ``text`` in the active language to measure rows."""
    title, text = _translated_reader(Measure, "title"), _translated_reader(Measure, "text")
    for row in rows:
        row["title"] = title(row)
        row["text"] = text(row)
    return rows


def _translation_rule(
    model: type[Model], name: str, language: str | None = None
) -> tuple[list[str], Any, Any]:
    """How a translated field reads in ``language`` (the active one by
    default), with the fallbacks of the model's attribute (modeltranslation's
    descriptor logic): the columns to try in order, the value that counts as
    missing besides NULL, and the value when every column is missing."""
    descriptor = getattr(model, name)
    default = descriptor.field.get_default()
    undefined = default if descriptor.fallback_undefined is NONE else descriptor.fallback_undefined
    keys = [
        build_localized_fieldname(name, lang)
        for lang in resolution_order(language or get_language(), descriptor.fallback_languages)
    ]
    otherwise = (
        descriptor.fallback_value
        if fallbacks_enabled() and descriptor.fallback_value is not NONE
        else default
    )
    return keys, undefined, otherwise


def _translated_sql(model: type[Model], name: str, language: str) -> tuple[str, list[Any]]:
    """:func:`_translated_reader`'s rule in ``language`` as an SQL expression
    over the model's table (a list page written by PostgreSQL, issue 18)."""
    keys, undefined, otherwise = _translation_rule(model, name, language)
    base, params = table(model), []
    tried = []
    for key in keys:
        column = f"{base}.{connection.ops.quote_name(key)}"
        if undefined is None:
            tried.append(column)
        else:
            tried.append(f"NULLIF({column}, %s)")
            params.append(undefined)
    params.append(otherwise)
    return f"COALESCE({', '.join(tried)}, %s)", params


def _translated_reader(model: type[Model], name: str) -> Callable[[Row], Any]:
    """``row -> value`` of a translated field in the active language, with the
    fallbacks of the model's attribute: modeltranslation's descriptor logic,
    resolved once per page instead of once per row (its values() asks the
    active language again for every row and field)."""
    keys, undefined, otherwise = _translation_rule(model, name)

    def read(row: Row) -> Any:
        for key in keys:
            value = row.get(key)
            if value is not None and value != undefined:
                return value
        return otherwise

    return read


def lists_nest_json() -> bool:
    """Whether a list page reads its related rows in its own query, as JSON
    built by the database (PostgreSQL: issue 18, one query per page), or
    reads them by key afterwards (SQLite: the several-query path)."""
    return connection.vendor == "postgresql"


def _open_coordinators(initiative: str) -> str:
    # The rule and order of open_designations_by_initiative as a JSON array;
    # ``initiative``: the outer row's initiative id column. The state's code
    # is read by key, not joined: a join hashed the 136 states for every row.
    return records(
        f"{table(CoordinatorDesignation)} d",
        f"d.initiative_id = {initiative} AND d.ended_on IS NULL",
        [
            (
                "participant",
                f"(SELECT p.code FROM {table(Participant)} p WHERE p.id = d.participant_id)",
            ),
            ("role", "d.role"),
        ],
        "d.role, o.participant",
    )


def measure_page_row(action_plan: str, action_plan_params: Sequence[Any]) -> RawSQL:
    """A measure list row as :func:`measure_list_data
    <measures.api.measure_list_data>` writes it (the keys, their order, the
    language's title and text, the rules and orders of
    :func:`open_designations_by_initiative`, :func:`adopted_papers_by_measure`
    and :func:`offers_by_measure`), as JSON text written by PostgreSQL
    (issue 18; :func:`lists_nest_json`). ``action_plan``: SQL of the plan in
    force as a JSON object (implementation's, which measures does not import)."""
    sql, params = _measure_page_row_sql(get_language(), action_plan, tuple(action_plan_params))
    return RawSQL(sql, params, output_field=TextField())


@lru_cache(maxsize=16)
def _measure_page_row_sql(
    language: str, action_plan: str, action_plan_params: tuple[Any, ...]
) -> tuple[str, tuple[Any, ...]]:
    # Built once per language (writing it took ~0.16 ms a request).
    Decision = _reverse_model(Initiative, "decisions")
    m = table(Measure)
    title, title_params = _translated_sql(Measure, "title", language)
    text, text_params = _translated_sql(Measure, "text", language)
    papers = records(
        f"""{table(Decision)} de
        JOIN {table(Initiative)} i ON i.id = de.initiative_id
        JOIN {table(Paper)} pa ON pa.id = de.paper_id""",
        f"i.measure_id = {m}.id AND de.body = %s AND de.outcome = %s",
        [
            ("symbol", "pa.symbol"),
            ("kind", "pa.kind"),
            ("download", "'/api/v1/papers/' || pa.id || '/file/'"),
        ],
        "i.sequence, de.initiative_id, de.recorded_at DESC, de.id DESC",
    )
    # Named offers before whole-area ones of the same order and state, as
    # the stable sort of offers_by_measure put them (a named offer has a
    # measure, an area-wide one none: the offers' constraint).
    offers = records(
        f"{table(CoordinatorOffer)} co JOIN {table(Participant)} p ON p.id = co.participant_id",
        f"co.measure_id = {m}.id OR (co.area_id = {m}.area_id AND co.scope = %s)",
        [("participant", "p.code"), ("role", "co.role"), ("scope", "co.scope")],
        'co."order", p.code, co.measure_id NULLS LAST, co.id',
    )
    languages = ("en", "fr", "ru")
    row = record(
        [
            ("code", f"{m}.code"),
            ("area", f"(SELECT a.code FROM {table(PriorityArea)} a WHERE a.id = {m}.area_id)"),
            ("number", f"{m}.number"),
            ("title", title),
            ("text", text),
            ("titles", record([(lang, f"{m}.title_{lang}") for lang in languages])),
            ("texts", record([(lang, f"{m}.text_{lang}") for lang in languages])),
            (
                "status",
                f"(SELECT li.status FROM {table(Initiative)} li "
                f"WHERE li.id = {m}.lead_initiative_id)",
            ),
            ("initiative", f"{m}.lead_initiative_id"),
            ("coordinators", _open_coordinators(f"{m}.lead_initiative_id")),
            ("adopted_papers", papers),
            ("coordinator_offers", offers),
            ("action_plan", action_plan),
        ]
    )
    params = (
        *title_params,
        *text_params,
        "soc",
        Outcome.APPROVED.value,
        OfferScope.AREA.value,
        *action_plan_params,
    )
    return f"{row}::text", params


def initiative_page_row() -> RawSQL:
    """An initiative list row as :func:`initiative_list_data
    <measures.api_initiatives.initiative_list_data>` writes it (the rules and
    orders of :func:`open_designations_by_initiative` and
    :func:`interested_by_initiative`, the dates in the current time zone as
    DRF writes them), as JSON text written by PostgreSQL (issue 18)."""
    sql = _initiative_page_row_sql(timezone.get_current_timezone_name())
    return RawSQL(sql, (), output_field=TextField())


@lru_cache(maxsize=16)
def _initiative_page_row_sql(zone: str) -> str:
    # Built once per time zone.
    i = table(Initiative)
    # The measure read once for the row; its area by key (a join hashed the
    # areas for every row).
    measure = f"FROM {table(Measure)} mm WHERE mm.id = {i}.measure_id"
    area_code = f"(SELECT a.code FROM {table(PriorityArea)} a WHERE a.id = mm.area_id)"
    interested = f"""ARRAY_TO_JSON(ARRAY(SELECT p.code
        FROM {table(InterestDeclaration)} x JOIN {table(Participant)} p ON p.id = x.participant_id
        WHERE x.initiative_id = {i}.id
        ORDER BY x.declared_on, p.code))"""
    row = record(
        [
            ("id", f"{i}.id"),
            # Initiative.reference_for
            (
                "reference",
                f"CASE WHEN {i}.sequence = 1 THEN mm.code ELSE mm.code || '-' || {i}.sequence END",
            ),
            ("measure", "mm.code"),
            ("area", area_code),
            ("modality", f"{i}.modality"),
            ("sequence", f"{i}.sequence"),
            ("status", f"{i}.status"),
            ("coordinators", _open_coordinators(f"{i}.id")),
            ("interested", interested),
            ("created_at", isoformat(f"{i}.created_at", zone)),
            ("updated_at", isoformat(f"{i}.updated_at", zone)),
        ],
        measure,
    )
    return f"{row}::text"


def open_designations_by_initiative(initiative_ids: list[int]) -> dict[int, list[Row]]:
    """Current coordinators of these initiatives, in the designations' order."""
    grouped: dict[int, list[Row]] = {}
    rows = (
        CoordinatorDesignation.objects.filter(
            AnyOf(F("initiative_id"), initiative_ids), ended_on__isnull=True
        )
        .order_by("role", "participant__code")
        .values_list("initiative_id", "participant__code", "role")
    )
    for initiative_id, code, role in rows:
        grouped.setdefault(initiative_id, []).append({"participant": code, "role": role})
    return grouped


def offers_by_measure(measures: list[Row]) -> dict[int, list[Row]]:
    """For each measure row, the offers naming it and the offers of its whole
    area, in one query (the rule of :func:`measure_offers`)."""
    area_of = {m["pk"]: m["area_id"] for m in measures}
    named: dict[int, list[tuple[int, str, Row]]] = {}
    whole_area: dict[int, list[tuple[int, str, Row]]] = {}
    rows = (
        CoordinatorOffer.objects.rewrite(False)
        .filter(
            AnyOf(F("measure_id"), list(area_of))
            | Q(AnyOf(F("area_id"), list(set(area_of.values()))), scope="area")
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
    grouped: dict[int, list[Row]] = {}
    for pk, area_id in area_of.items():
        offers = named.get(pk, []) + whole_area.get(area_id, [])
        offers.sort(key=lambda o: (o[0], o[1]))
        grouped[pk] = [o[2] for o in offers]
    return grouped


def adopted_papers_by_measure(measure_ids: list[int]) -> dict[int, list[Row]]:
    """Papers the SOC adopted on these measures (the rule of
    :func:`measure_adopted_papers`): by initiative, then latest decision first."""
    Decision = _reverse_model(Initiative, "decisions")

    grouped: dict[int, list[Row]] = {}
    rows = (
        Decision._default_manager.filter(
            AnyOf(F("initiative__measure_id"), measure_ids),
            body="soc",
            outcome=Outcome.APPROVED,
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


INITIATIVE_ROW_FIELDS = (
    "pk",
    "measure__code",
    "measure__area__code",
    "modality",
    "sequence",
    "status",
    "created_at",
    "updated_at",
)


def initiative_list_base() -> QuerySet[Initiative]:
    """The initiatives a list filters, then pages as
    :data:`INITIATIVE_ROW_FIELDS` rows; ordered by id, as :func:`initiative_list`."""
    return Initiative.objects.order_by("pk")


def interested_by_initiative(initiative_ids: list[int]) -> dict[int, list[str]]:
    """Codes of the states that declared interest, in the declarations' order."""
    grouped: dict[int, list[str]] = {}
    rows = (
        InterestDeclaration.objects.filter(AnyOf(F("initiative_id"), initiative_ids))
        .order_by("declared_on", "participant__code")
        .values_list("initiative_id", "participant__code")
    )
    for initiative_id, code in rows:
        grouped.setdefault(initiative_id, []).append(code)
    return grouped


def papers_visible_many(user: AnyUser, papers: Iterable[AnnotatedPaper]) -> list[AnnotatedPaper]:
    """:func:`papers_visible`'s rule for papers of several initiatives (a
    meeting's page, the search), in one query whatever their number instead
    of two per initiative: staff see every paper; a coordinator state's
    delegate every version of the initiatives it coordinates (modality (a):
    an open designation; (b): its expert charged with the working paper, as
    ``measures.rules.user_roles``); member states what was circulated to
    them, observers what was circulated to observers, everyone what the SOC
    adopted. tests/pages/test_issue16_meetings.py holds it to papers_visible."""
    papers = list(papers)
    if not papers or is_secretariat(user) or is_chair_office(user):
        return papers
    participant = acting_for(user)
    status = delegate_status(user)
    coordinated: set[int] = set()
    if participant is not None and status == "member":
        ids = {paper.initiative_id for paper in papers}
        coordinated = set(
            Initiative.objects.filter(pk__in=ids)
            .filter(
                Q(modality="b", responsible_experts__participant=participant)
                | (
                    ~Q(modality="b")
                    & Q(designations__participant=participant, designations__ended_on__isnull=True)
                )
            )
            .values_list("pk", flat=True)
        )
    return [
        paper
        for paper in papers
        if paper.initiative_id in coordinated
        or paper.was_adopted
        or (status == "member" and paper.was_circulated)
        or (status == "observer" and paper.circulated_to_observers)
    ]


def public_catalogue() -> list[dict[str, Any]]:
    """The Catalogue as the public may read it (issue 16 item 5): each
    priority area with its measures and, for each, its lead initiative's
    status — what the anonymous API answers too — and nothing else of the
    initiative (no paper, no position, no reason). Two queries."""
    measures = list(
        Measure.objects.select_related("lead_initiative").order_by("area_id", "number", "pk")
    )
    areas = []
    for area in PriorityArea.objects.order_by("order", "pk"):
        areas.append({"area": area, "measures": [m for m in measures if m.area_id == area.pk]})
    return areas
