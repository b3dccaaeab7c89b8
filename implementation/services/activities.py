"""The activities register (issue 17 item 2): seminars, workshops, exercises...
held under an adopted measure.

Who: the measure's coordinators (and co-coordinators) and the host state's
delegates enter and update an activity; the secretariat can do everything;
anyone else is refused (403). An activity belongs to a measure with an
adopted initiative; under an approved action plan it is linked to the plan in
force. Its status moves only through :func:`activity_set_status` (the table
:data:`TRANSITIONS`), which locks the row, writes an ``ActivityEvent`` and
tells the participating states' delegates and the webhook subscribers after
commit. Every change bumps ``sequence``, the calendar's revision (RFC 5545).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError, Forbidden
from cica.uploads import document_check, removed_on_failure
from measures.models import Initiative, Measure
from measures.workflow import Status
from members.models import Participant, ParticipationStatus
from members.rules import AnyUser, acting_for, is_secretariat

from ..models import (
    ActionPlan,
    Activity,
    ActivityDocument,
    ActivityEvent,
    ActivityKind,
    ActivityStatus,
    DocumentKind,
    PlannedActivity,
    PlanStatus,
    Visibility,
)
from ..selectors import coordinator_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = ActivityStatus

# from -> the statuses it may go to. Cancelled and report filed are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.CONFIRMED, S.CANCELLED, S.POSTPONED}),
    S.CONFIRMED: frozenset({S.HELD, S.CANCELLED, S.POSTPONED}),
    S.HELD: frozenset({S.REPORT_FILED}),
    S.POSTPONED: frozenset({S.PLANNED, S.CONFIRMED}),
    S.REPORT_FILED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Entering these needs a reason, kept on the activity and in its history.
NEEDS_REASON = frozenset({S.CANCELLED, S.POSTPONED})
# The participating states' delegates are told of these.
NOTIFIED = frozenset({S.CONFIRMED, S.CANCELLED, S.POSTPONED})

TITLE_MAX = 300
VENUE_MAX = 200
REASON_MAX = 5000
ORGANISATIONS_MAX = 50
ORGANISATION_MAX = 200


# --- who may -----------------------------------------------------------------------


def adopted_initiative(measure: Measure) -> Initiative | None:
    return Initiative.objects.filter(measure=measure, status=Status.ADOPTED).order_by("-pk").first()


def plan_in_force(measure: Measure) -> ActionPlan | None:
    """The approved action plan of the measure (the latest, if amended)."""
    return (
        ActionPlan.objects.filter(measure=measure, status=PlanStatus.APPROVED)
        .order_by("-number")
        .first()
    )


def activity_refusal(
    *,
    actor: AnyUser,
    activity: Activity | None = None,
    measure: Measure | None = None,
    host: Participant | None = None,
) -> DomainError | None:
    """Why ``actor`` may not enter (``measure``, ``host``) or change
    (``activity``) an activity: only the secretariat, the delegates of a
    state coordinating the measure, and the host state's delegates. None
    when they may. The pages hide their forms from whoever is refused."""
    if is_secretariat(actor):
        return None
    if activity is not None:
        measure, host = activity.measure, activity.host
    participant = acting_for(actor)
    if participant is None:
        return Forbidden(
            _(
                "Only the secretariat, the delegates of the measure's coordinators and "
                "those of the host state enter and update activities."
            )
        )
    if host is not None and participant.pk == host.pk:
        return None
    if measure is None and host is None:
        # Entering an activity, nothing chosen yet (the page's form): a
        # coordinator may, and a member or observer state may host one.
        if participant.status_on() in (ParticipationStatus.MEMBER, ParticipationStatus.OBSERVER):
            return None
    elif measure is not None and participant.pk in coordinator_ids(measure):
        return None
    return Forbidden(
        _(
            "Only the secretariat, the delegates of the measure's coordinators and "
            "those of the host state enter and update activities."
        )
    )


def _check(actor: AnyUser, **kwargs: Any) -> None:
    refusal = activity_refusal(actor=actor, **kwargs)
    if refusal is not None:
        raise refusal


def activity_available_statuses(*, actor: AnyUser, activity: Activity) -> list[str]:
    """The statuses ``actor`` may move the activity to now (for the pages and
    the admin); the reason and the date checks come when they do."""
    if activity_refusal(actor=actor, activity=activity) is not None:
        return []
    return [s for s in S.values if s in TRANSITIONS[activity.status]]


# --- clean input -------------------------------------------------------------------


def _text(value: str | None, *, label: str, limit: int, multiline: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise DomainError(_("%(field)s: contains a NUL character.") % {"field": label})
    if not multiline and any(c in value for c in "\r\n"):
        raise DomainError(_("%(field)s: must be on one line.") % {"field": label})
    if any(ord(c) < 32 and c not in "\r\n\t" for c in value):
        raise DomainError(_("%(field)s: contains a control character.") % {"field": label})
    if len(value) > limit:
        raise DomainError(
            _("%(field)s: at most %(limit)s characters (it has %(n)s).")
            % {"field": label, "limit": limit, "n": len(value)}
        )
    return value


def _time_zone(value: str) -> str:
    from secretariat.models import validate_time_zone  # noqa: PLC0415

    value = (value or "").strip()
    try:
        validate_time_zone(value)
        zoneinfo.ZoneInfo(value)
    except (ValidationError, ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
        raise DomainError(
            _("%(value)s is not a time zone: give an IANA name such as Asia/Almaty.")
            % {"value": value[:64]},
            code="time_zone",
        ) from exc
    return value


def _organisations(value: str | Iterable[str] | None) -> str:
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    cleaned = [
        _text(line, label=_("Participating organisations"), limit=ORGANISATION_MAX)
        for line in lines
    ]
    cleaned = [line for line in cleaned if line]
    if len(cleaned) > ORGANISATIONS_MAX:
        raise DomainError(
            _("At most %(n)s participating organisations.") % {"n": ORGANISATIONS_MAX}
        )
    return "\n".join(cleaned)


def _host(host: Participant) -> Participant:
    if host.status_on() not in (ParticipationStatus.MEMBER, ParticipationStatus.OBSERVER):
        raise DomainError(
            _("%(code)s is not a member state or an observer: it cannot host an activity.")
            % {"code": host.code}
        )
    return host


def _dates(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise DomainError(_("The activity cannot end before it starts."), code="dates")


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """The activity's own fields, checked (titles, venue, zone, host, kind...)."""
    cleaned: dict[str, Any] = {}
    labels = {
        "title_en": _("Title (English)"),
        "title_fr": _("Title (French)"),
        "title_ru": _("Title (Russian)"),
    }
    for key, label in labels.items():
        if key in values:
            cleaned[key] = _text(values[key], label=str(label), limit=TITLE_MAX)
    if "venue" in values:
        cleaned["venue"] = _text(values["venue"], label=_("Venue"), limit=VENUE_MAX)
    if "time_zone" in values:
        cleaned["time_zone"] = _time_zone(values["time_zone"])
    if "organisations" in values:
        cleaned["organisations"] = _organisations(values["organisations"])
    if "kind" in values:
        if values["kind"] not in ActivityKind.values:
            raise DomainError(_("Unknown kind of activity: %(kind)s.") % {"kind": values["kind"]})
        cleaned["kind"] = values["kind"]
    if "visibility" in values:
        if values["visibility"] not in Visibility.values:
            raise DomainError(_("Unknown visibility."))
        cleaned["visibility"] = values["visibility"]
    if "host" in values:
        cleaned["host"] = _host(values["host"])
    for key in ("starts_on", "ends_on"):
        if key in values:
            cleaned[key] = values[key]
    return cleaned


def _planned(plan: ActionPlan | None, planned: PlannedActivity | None) -> None:
    if planned is not None and (plan is None or planned.plan_id != plan.pk):
        raise DomainError(
            _("The planned activity is not one of the action plan in force for this measure.")
        )


def _title_given(activity: Activity) -> None:
    if not (activity.title_en or activity.title_fr or activity.title_ru):
        raise DomainError(_("Give the title in at least one language."), code="title")


# --- writes --------------------------------------------------------------------------


def activity_create(
    *,
    actor: User,
    measure: Measure,
    kind: str,
    host: Participant,
    starts_on: datetime.date,
    ends_on: datetime.date,
    title_en: str = "",
    title_fr: str = "",
    title_ru: str = "",
    venue: str = "",
    time_zone: str | None = None,
    co_organisers: Iterable[Participant] = (),
    participants: Iterable[Participant] = (),
    organisations: str | Iterable[str] = "",
    visibility: str = Visibility.PUBLIC,
    planned: PlannedActivity | None = None,
) -> Activity:
    """Enter an activity under a measure. The measure must have an adopted
    initiative (409); under an approved action plan the activity is linked
    to the plan in force (and, optionally, to one of its planned
    activities). It starts planned."""
    _check(actor, measure=measure, host=host)
    if adopted_initiative(measure) is None:
        raise Conflict(
            _("%(code)s has no adopted initiative: activities come after adoption.")
            % {"code": measure.code}
        )
    values = _fields(
        {
            "kind": kind,
            "host": host,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "title_en": title_en,
            "title_fr": title_fr,
            "title_ru": title_ru,
            "venue": venue,
            "time_zone": time_zone if time_zone is not None else _default_zone(),
            "organisations": organisations,
            "visibility": visibility,
        }
    )
    _dates(values["starts_on"], values["ends_on"])
    plan = plan_in_force(measure)
    _planned(plan, planned)
    with transaction.atomic():
        activity = Activity(measure=measure, plan=plan, planned=planned, created_by=actor, **values)
        _title_given(activity)
        activity.save()
        activity.co_organisers.set(list(co_organisers))
        activity.participants.set(list(participants))
        event = ActivityEvent.objects.create(
            activity=activity,
            action="create",
            from_status="",
            to_status=activity.status,
            actor=actor,
        )
        _webhook(activity, event, name="activity.created")
    return activity


def _default_zone() -> str:
    from django.conf import settings  # noqa: PLC0415

    return settings.TIME_ZONE


def activity_update(
    *,
    actor: User,
    activity: Activity,
    co_organisers: Iterable[Participant] | None = None,
    participants: Iterable[Participant] | None = None,
    planned: PlannedActivity | None | object = ...,
    **changes: Any,
) -> Activity:
    """Change an activity's details (never its status: see
    :func:`activity_set_status`). Who may: as for entering it. The calendar
    revision goes up by one."""
    allowed = {
        "kind",
        "host",
        "starts_on",
        "ends_on",
        "title_en",
        "title_fr",
        "title_ru",
        "venue",
        "time_zone",
        "organisations",
        "visibility",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(_("These cannot be changed here: %(f)s.") % {"f": ", ".join(unknown)})
    _check(actor, activity=activity)
    values = _fields(changes)
    if "host" in values and values["host"].pk != activity.host_id and not is_secretariat(actor):
        # A host's delegate may not hand the activity to another state and
        # lose it; a coordinator may move it.
        _check(actor, measure=activity.measure, host=None)
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        for key, value in values.items():
            setattr(locked, key, value)
        _dates(locked.starts_on, locked.ends_on)
        _title_given(locked)
        if planned is not ...:
            _planned(locked.plan, planned)  # type: ignore[arg-type]
            locked.planned = planned  # type: ignore[assignment]
        locked.sequence = F("sequence") + 1
        locked.save()
        if co_organisers is not None:
            locked.co_organisers.set(list(co_organisers))
        if participants is not None:
            locked.participants.set(list(participants))
        ActivityEvent.objects.create(
            activity=locked,
            action="update",
            from_status=locked.status,
            to_status=locked.status,
            actor=actor,
        )
    locked.refresh_from_db()
    return locked


def activity_reason_refusal(*, status: str, reason: str) -> DomainError | None:
    """Cancelled and postponed come with the reason why (the page asks it
    before its confirmation step, the status change again)."""
    if status in NEEDS_REASON and not reason.strip():
        return DomainError(
            _("Give the reason why the activity is %(to)s.") % {"to": S(status).label.lower()},
            code="reason",
        )
    return None


def activity_set_status(
    *,
    actor: User,
    activity: Activity,
    status: str,
    reason: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Activity:
    """The one path that writes an activity's status: planned → confirmed →
    held → report filed; planned or confirmed → cancelled or postponed,
    with a reason (400 without); postponed → planned or confirmed, with the
    new dates. Held only once it has started; report filed only with a
    document of kind report. Locks the row, checks :data:`TRANSITIONS`,
    writes the history row; after commit the participating states'
    delegates are told (confirmed, cancelled, postponed) and the webhook
    ``activity.status_changed`` goes out."""
    _check(actor, activity=activity)
    if status not in S.values:
        raise DomainError(_("Unknown status: %(s)s.") % {"s": str(status)[:32]})
    reason = _text(reason, label=_("Reason"), limit=REASON_MAX, multiline=True)
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        before = locked.status
        if status not in TRANSITIONS[before]:
            raise Conflict(
                _("An activity that is %(from)s cannot become %(to)s.")
                % {"from": S(before).label.lower(), "to": S(status).label.lower()}
            )
        refusal = activity_reason_refusal(status=status, reason=reason)
        if refusal is not None:
            raise refusal
        if before == S.POSTPONED and (starts_on or ends_on):
            locked.starts_on = starts_on or locked.starts_on
            locked.ends_on = ends_on or locked.ends_on
            _dates(locked.starts_on, locked.ends_on)
        if status == S.HELD and locked.starts_on > timezone.localdate():
            raise Conflict(
                _("The activity starts on %(date)s: it cannot be held before.")
                % {"date": locked.starts_on.isoformat()}
            )
        if (
            status == S.REPORT_FILED
            and not locked.documents.filter(kind=DocumentKind.REPORT).exists()
        ):
            raise Conflict(_("Upload the activity's report (a document of kind report) first."))
        locked.status = status
        locked.status_reason = reason if status in NEEDS_REASON else ""
        locked.sequence = F("sequence") + 1
        locked.save()
        locked.refresh_from_db()
        event = ActivityEvent.objects.create(
            activity=locked,
            action="status",
            from_status=before,
            to_status=status,
            actor=actor,
            reason=reason,
        )
        if status in NOTIFIED:
            _notify(locked, event)
        _webhook(locked, event, name="activity.status_changed")
    return locked


def activity_document_add(
    *, actor: User, activity: Activity, kind: str, file: Any
) -> ActivityDocument:
    """Attach a programme, report, list of participants or other document:
    a PDF, DOCX or ODT by its content, within the upload limit (the checks
    of papers and information attachments). Who may: as for updating."""
    _check(actor, activity=activity)
    if kind not in DocumentKind.values:
        raise DomainError(_("Unknown kind of document: %(kind)s.") % {"kind": str(kind)[:32]})
    extension, content_type = document_check(file)
    name = _text(
        getattr(file, "name", "") or f"document.{extension}", label=_("File name"), limit=255
    )
    with removed_on_failure() as stored, transaction.atomic():
        document = ActivityDocument(
            activity=activity,
            kind=kind,
            original_name=name or f"document.{extension}",
            content_type=content_type,
            size=file.size,
            uploaded_by=actor,
        )
        document.file.save(f"document.{extension}", file, save=False)
        stored.append(str(document.file.name))
        document.save()
        Activity.objects.filter(pk=activity.pk).update(sequence=F("sequence") + 1)
        ActivityEvent.objects.create(
            activity=activity,
            action="document",
            from_status=activity.status,
            to_status=activity.status,
            actor=actor,
            reason=name,
        )
    return document


# --- side effects ----------------------------------------------------------------------


def _notify(activity: Activity, event: ActivityEvent) -> None:
    """The participating states' delegates, in their language, after commit
    (the outbox)."""
    from secretariat.models import NotificationKind  # noqa: PLC0415
    from secretariat.services.outbox import (  # noqa: PLC0415
        _active_delegates,
        _rendered,
        notify,
    )

    states = set(activity.participants.values_list("pk", flat=True))
    recipients = [
        (user, "activity", activity.pk) for user, _pid in _active_delegates(participant_ids=states)
    ]
    params = {
        "pk": activity.pk,
        "title_en": activity.title_en,
        "title_fr": activity.title_fr,
        "title_ru": activity.title_ru,
        "measure": activity.measure.code,
        "status": activity.status,
        "reason": activity.status_reason,
        "starts_on": activity.starts_on.isoformat(),
        "ends_on": activity.ends_on.isoformat(),
        "venue": activity.venue,
    }
    notify(
        kind=NotificationKind.ACTIVITY,
        event_key=f"activity-event:{event.pk}",
        messages=_rendered(recipients, kind=NotificationKind.ACTIVITY, params=params),
        url=f"/api/v1/activities/{activity.pk}/",
        params=params,
    )


def _webhook(activity: Activity, event: ActivityEvent, *, name: str) -> None:
    """Tell the webhook subscribers (delivered after commit). The title only
    of a public activity."""
    from secretariat.services.webhooks import webhooks_emit  # noqa: PLC0415

    initiative = adopted_initiative(activity.measure)
    payload: dict[str, object] = {
        "activity": activity.pk,
        "initiative": initiative.pk if initiative else None,
        "measure": activity.measure.code,
        "kind": activity.kind,
        "host": activity.host.code,
        "visibility": activity.visibility,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "starts_on": activity.starts_on.isoformat(),
        "ends_on": activity.ends_on.isoformat(),
        "at": timezone.localtime(event.created_at).isoformat(),
    }
    if activity.visibility == Visibility.PUBLIC:
        payload["title"] = activity.title_en or activity.title_fr or activity.title_ru
    # Written in the activity's transaction (the outbox); sent after commit.
    webhooks_emit(event=name, event_key=f"activity-event:{event.pk}:{name}", payload=payload)
