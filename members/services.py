"""Writes on the participant registers. Every change goes through here, so the
admin, the API and the loaders apply the same rules."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError, Forbidden
from cica.tabular import expected_date, parse_date
from cica.upsert import upsert

from .models import (
    ApiToken,
    Chairmanship,
    Delegate,
    DelegateRole,
    EmailFrequency,
    Participant,
    ParticipantAlias,
    ParticipantKind,
    Participation,
    ParticipationStatus,
    UserPreference,
)
from .rules import CHAIR_GROUP, SECRETARIAT_GROUP, AnyUser, is_secretariat

if TYPE_CHECKING:
    from django.contrib.auth.models import User


LANGS = ("en", "fr", "ru")


def _periods_overlap(
    a_start: datetime.date | None,
    a_end: datetime.date | None,
    b_start: datetime.date | None,
    b_end: datetime.date | None,
) -> bool:
    # Half-open periods [start, end); an unknown start reaches back indefinitely.
    lo = datetime.date.min
    hi = datetime.date.max
    return (a_start or lo) < (b_end or hi) and (b_start or lo) < (a_end or hi)


@transaction.atomic
def participation_record(
    *,
    participant: Participant,
    status: str,
    started_on: datetime.date | None,
    ended_on: datetime.date | None = None,
    source: str = "",
) -> tuple[Participation, str]:
    """Add one period to a participant's history, or confirm it is there.

    Rule: status changes over time and its history is kept; periods
    of one participant never overlap, so the status on any date is one value.
    """
    if status not in ParticipationStatus.values:
        raise DomainError(_("Unknown status %(status)r.") % {"status": status})
    if started_on and ended_on and ended_on <= started_on:
        raise DomainError(_("A period must end after it starts."))
    Participant.objects.select_for_update().get(pk=participant.pk)
    rows = list(participant.participations.all())
    for row in rows:
        if (row.status, row.started_on, row.ended_on) == (status, started_on, ended_on):
            if row.source != source and source:
                row.source = source
                row.save(update_fields=["source"])
                return row, "updated"
            return row, "unchanged"
    for row in rows:
        if _periods_overlap(started_on, ended_on, row.started_on, row.ended_on):
            raise Conflict(
                _("%(code)s: this period overlaps the recorded period %(row)s.")
                % {"code": participant.code, "row": row}
            )
    row = Participation.objects.create(
        participant=participant,
        status=status,
        started_on=started_on,
        ended_on=ended_on,
        source=source,
    )
    return row, "created"


@transaction.atomic
def participation_change(
    *, participant: Participant, status: str, on: datetime.date, source: str = ""
) -> Participation:
    """Change a participant's status from a date (an observer becomes a member).

    The open period is closed on that date and a new one opened; the past is
    kept, never overwritten.
    """
    if status not in ParticipationStatus.values:
        raise DomainError(_("Unknown status %(status)r.") % {"status": status})
    Participant.objects.select_for_update().get(pk=participant.pk)
    current = participant.participations.filter(ended_on__isnull=True).first()
    if current is not None:
        if current.status == status:
            raise Conflict(
                _("%(code)s is already %(status)s.")
                % {"code": participant.code, "status": current.get_status_display()}
            )
        if current.started_on and on <= current.started_on:
            raise Conflict(
                _("The change must come after the current period began (%(date)s).")
                % {"date": current.started_on}
            )
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    later = participant.participations.filter(Q(started_on__gt=on) | Q(ended_on__gt=on))
    if current is not None:
        later = later.exclude(pk=current.pk)
    if later.exists():
        raise Conflict(_("The history already has a period after %(date)s.") % {"date": on})
    return Participation.objects.create(
        participant=participant, status=status, started_on=on, source=source
    )


@transaction.atomic
def participant_upsert(
    *, code: str, kind: str, names: dict[str, str], aliases: Sequence[dict[str, str]] = ()
) -> tuple[Participant, Counter[str]]:
    """Create or update a participant by its stable code, with its names in the
    three languages and its known aliases (kept, never removed by a reload)."""
    if kind not in ParticipantKind.values:
        raise DomainError(_("Unknown kind %(kind)r.") % {"kind": kind})
    missing = [lang for lang in LANGS if not names.get(lang)]
    if missing:
        raise DomainError(
            _("%(code)s: missing name in %(langs)s.") % {"code": code, "langs": ", ".join(missing)}
        )
    counts: Counter[str] = Counter()
    values: dict[str, Any] = {"kind": kind, "name": names["en"]}
    values.update({f"name_{lang}": names[lang] for lang in LANGS})
    participant, outcome = upsert(Participant, lookup={"code": code.upper()}, values=values)
    counts[f"participant_{outcome}"] += 1
    for alias in aliases:
        _alias, outcome = upsert(
            ParticipantAlias,
            lookup={
                "participant": participant,
                "name": alias["name"],
                "language": alias.get("language", ""),
            },
            values={},
        )
        counts[f"alias_{outcome}"] += 1
    return participant, counts


@transaction.atomic
def chairmanship_record(
    *,
    participant: Participant,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    source: str = "",
) -> tuple[Chairmanship, str]:
    """Record a chairmanship. Chairs rotate: periods never overlap."""
    if ended_on and ended_on <= started_on:
        raise DomainError(_("A chairmanship must end after it starts."))
    existing = Chairmanship.objects.select_for_update().filter(started_on=started_on).first()
    if existing is None:
        for other in Chairmanship.objects.select_for_update():
            if _periods_overlap(started_on, ended_on, other.started_on, other.ended_on):
                raise Conflict(_("This chairmanship overlaps %(other)s.") % {"other": other})
    return upsert(
        Chairmanship,
        lookup={"started_on": started_on},
        values={"participant": participant, "ended_on": ended_on, "source": source},
    )


@transaction.atomic
def registers_load(data: dict[str, Any]) -> Counter[str]:
    """Load participants, their history and the chairmanship from the seed's
    data file. Idempotent: a second run creates and changes nothing."""
    counts: Counter[str] = Counter()
    for item in data["participants"]:
        participant, c = participant_upsert(
            code=item["code"],
            kind=item["kind"],
            names=item["name"],
            aliases=item.get("aliases", []),
        )
        counts.update(c)
        for period in item.get("participation", []):
            _row, outcome = participation_record(
                participant=participant,
                status=period["status"],
                started_on=_date(period.get("started_on")),
                ended_on=_date(period.get("ended_on")),
                source=period.get("source", ""),
            )
            counts[f"participation_{outcome}"] += 1
    for item in data.get("chairmanships", []):
        participant = Participant.objects.get(code=item["participant"])
        _chair, outcome = chairmanship_record(
            participant=participant,
            started_on=datetime.date.fromisoformat(item["started_on"]),
            ended_on=_date(item.get("ended_on")),
            source=item.get("source", ""),
        )
        counts[f"chairmanship_{outcome}"] += 1
    return counts


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# --- users --------------------------------------------------------------------

_STAFF_APPS = ("members", "measures", "secretariat", "implementation", "django_celery_beat")


@transaction.atomic
def staff_groups_ensure() -> tuple[Group, Group]:
    """The secretariat may change every register; the Chair's office reads them."""
    secretariat, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    chair, _created = Group.objects.get_or_create(name=CHAIR_GROUP)
    app_perms = Permission.objects.filter(content_type__app_label__in=_STAFF_APPS)
    user_perms = Permission.objects.filter(
        content_type__app_label="auth", content_type__model="user"
    )
    # Sign-in lock-outs (django-axes): the secretariat can see and lift them.
    lockout_perms = Permission.objects.filter(
        content_type__app_label="axes", content_type__model="accessattempt"
    )
    secretariat.permissions.set(list(app_perms) + list(user_perms) + list(lockout_perms))
    # Who holds which API token is for the secretariat only.
    chair.permissions.set(
        app_perms.filter(codename__startswith="view_").exclude(codename="view_apitoken")
    )
    return secretariat, chair


def _user_ensure(
    username: str, password: str, *, is_staff: bool, email: str, reset: bool
) -> tuple[Any, bool]:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": is_staff, "email": email}
    )
    if created or reset:
        user.set_password(password)
        user.is_staff = is_staff
        user.save()
    return user, created


@transaction.atomic
def delegate_assign(
    *, user: User, participant: Participant, role: str = DelegateRole.DELEGATE
) -> Delegate:
    """Make a user act for one participant. A user acts for one participant only."""
    if role not in DelegateRole.values:
        raise DomainError(_("Unknown delegate role %(role)r.") % {"role": role})
    existing = Delegate.objects.select_for_update().filter(user=user).first()
    if existing and existing.participant_id != participant.pk:
        raise Conflict(
            _("%(user)s already acts for %(code)s.")
            % {"user": user.get_username(), "code": existing.participant.code}
        )
    delegate, _outcome = upsert(
        Delegate, lookup={"user": user}, values={"participant": participant, "role": role}
    )
    return delegate


def demo_password() -> str:
    """The demo password: ``CICA_DEMO_PASSWORD``, else one generated once and
    kept in a git-ignored file so every ``make run`` prints the same logins."""
    if settings.CICA_DEMO_PASSWORD:
        return str(settings.CICA_DEMO_PASSWORD)
    path = settings.CICA_DEMO_PASSWORD_FILE
    if path.exists():
        stored = path.read_text().strip()
        if stored:
            return stored
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


@transaction.atomic
def demo_users_create(*, password: str) -> list[tuple[str, str, bool]]:
    """Create (or bring back to the demo password) the secretariat user, the
    Chair's-office user and one head of delegation per participant.

    Returns ``(username, acts for, created)`` rows. Idempotent.
    """
    secretariat_group, chair_group = staff_groups_ensure()
    # One hash to learn whether the demo password changed since the last run,
    # rather than one per user (29 PBKDF2 rounds make `make run` slow).
    existing = get_user_model().objects.filter(username="secretariat").first()
    reset = existing is None or not existing.check_password(password)
    rows = []
    user, created = _user_ensure(
        "secretariat", password, is_staff=True, email="secretariat@cica.example", reset=reset
    )
    user.groups.add(secretariat_group)
    rows.append(("secretariat", _("secretariat (admin)"), created))
    user, created = _user_ensure(
        "chair", password, is_staff=True, email="chair@cica.example", reset=reset
    )
    user.groups.add(chair_group)
    rows.append(("chair", _("Chair's office"), created))
    for participant in Participant.objects.order_by("code"):
        username = f"delegate-{participant.code.lower()}"
        user, created = _user_ensure(
            username, password, is_staff=False, email=f"{username}@cica.example", reset=reset
        )
        delegate_assign(user=user, participant=participant, role=DelegateRole.HEAD)
        # The English name: a field modeltranslation adds, unseen by the stubs.
        rows.append((username, participant.name_en, created))  # type: ignore[attr-defined]
    return rows


# --- imports (CSV / XLSX) ---------------------------------------------------------


@dataclass
class ImportRow:
    """One row of a file as the preview shows it: what each cell was read as,
    and what the import does with the row ("new", "unchanged" or "refused")."""

    number: int
    shown: dict[str, str] = field(default_factory=dict)
    outcome: str = "new"
    message: str = ""


@dataclass
class ImportReport:
    """What an import did or would do: rows accepted, rows refused with reasons."""

    total: int = 0
    accepted: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    applied: bool = False
    unchanged: list[int] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def tally(self) -> None:
        """Sort the rows, by their outcome, into refused, unchanged and accepted."""
        for line in self.rows:
            if line.outcome == "refused":
                self.errors.append((line.number, line.message))
            elif line.outcome == "unchanged":
                self.unchanged.append(line.number)
            else:
                self.accepted.append(line.number)


PARTICIPANT_COLUMNS = ("code", "kind", "name_en", "name_fr", "name_ru", "status", "from")


class ImportRollback(Exception):
    """Leaves an import's transaction without committing it (a dry run, or a
    refused row): the imports run the services, then keep nothing."""


def participants_import(
    *, actor: AnyUser, rows: list[dict[str, str]], dry_run: bool = True
) -> ImportReport:
    """Import participants (and their current status) from rows with the
    columns ``code, kind, name_en, name_fr, name_ru, status, from`` and an
    optional ``aliases`` (separated by ';').

    All or nothing: every row is checked first; if any is refused the
    report lists each refused row (counted from 2, the header being row 1)
    with its reason and nothing changes. Each row goes through the register's
    services (``participant_upsert``, ``participation_record`` /
    ``participation_change``); a row that leaves the register as it is is
    reported "unchanged". A dry run does the same, then rolls it back.
    """
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat imports registers."))
    report = ImportReport(total=len(rows))
    seen: dict[str, int] = {}
    parsed = []
    statuses = dict(Participant.objects.with_status().values_list("code", "status"))
    for number, row in enumerate(rows, start=2):
        line = ImportRow(number=number, shown={c: row.get(c, "") for c in PARTICIPANT_COLUMNS})
        report.rows.append(line)
        problems = []
        missing = [c for c in PARTICIPANT_COLUMNS if c != "from" and not row.get(c, "").strip()]
        if missing:
            problems.append(_("missing %(columns)s") % {"columns": ", ".join(missing)})
        code = row.get("code", "").strip().upper()
        if code and not (2 <= len(code) <= 8 and code.isalpha() and code.isascii()):
            problems.append(_("code %(code)r is not 2 to 8 letters") % {"code": code})
        if code in seen:
            problems.append(
                _("code %(code)s repeats row %(row)s") % {"code": code, "row": seen[code]}
            )
        kind = row.get("kind", "").strip().lower()
        if kind and kind not in ParticipantKind.values:
            problems.append(_("kind %(kind)r is not state or organization") % {"kind": kind})
        status = row.get("status", "").strip().lower()
        if status and status not in ParticipationStatus.values:
            problems.append(_("status %(status)r is not member or observer") % {"status": status})
        started = None
        if row.get("from", "").strip():
            try:
                started = parse_date(row["from"])
            except ValueError:
                problems.append(
                    _("date %(date)r is not a date: expected %(expected)s")
                    % {"date": row["from"].strip(), "expected": expected_date()}
                )
            else:
                line.shown["from"] = started.isoformat()
        if code and not problems:
            current = statuses.get(code)
            if current is not None and current != status and started is None:
                problems.append(
                    _("%(code)s is %(current)s: a change of status needs its date")
                    % {"code": code, "current": current}
                )
        if problems:
            line.outcome, line.message = "refused", "; ".join(problems)
        else:
            seen[code] = number
            parsed.append((line, code, kind, row, status, started))
    if not any(line.outcome == "refused" for line in report.rows):
        try:
            with transaction.atomic():
                # No savepoint per row: a refused row rolls the whole file back.
                for line, code, kind, row, status, started in parsed:
                    try:
                        line.outcome = _participant_import_row(
                            code=code, kind=kind, row=row, status=status, started=started
                        )
                    except DomainError as refused:
                        line.outcome, line.message = "refused", str(refused.message)
                if dry_run or any(line.outcome == "refused" for line in report.rows):
                    raise ImportRollback
        except ImportRollback:
            pass
        else:
            report.applied = True
    report.tally()
    return report


def _participant_import_row(
    *, code: str, kind: str, row: dict[str, str], status: str, started: datetime.date | None
) -> str:
    """One row of the participants import, through the register's services:
    "new", "updated" or "unchanged"."""
    participant, counts = participant_upsert(
        code=code,
        kind=kind,
        names={lang: row[f"name_{lang}"].strip() for lang in LANGS},
        aliases=[
            {"name": a.strip(), "language": ""}
            for a in row.get("aliases", "").split(";")
            if a.strip()
        ],
    )
    changed = any(n for key, n in counts.items() if not key.endswith("_unchanged"))
    current = participant.status_on()
    if current is None:
        participation_record(
            participant=participant, status=status, started_on=started, source=_("imported")
        )
        changed = True
    elif current != status:
        assert started is not None, "a change of status without a date is refused when read"
        participation_change(
            participant=participant, status=status, on=started, source=_("imported")
        )
        changed = True
    if counts["participant_created"]:
        return "new"
    return "updated" if changed else "unchanged"


# --- API tokens ---------------------------------------------------------------------

TOKEN_PREFIX = "cica_"


def api_token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_issue(
    *, user: User, name: str = "", ttl_days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a new token for ``user``; returns the row and the secret, which is
    never stored (only its digest) and cannot be shown again. Tokens expire
    after ``CICA_TOKEN_TTL_DAYS`` so a leaked token does not last for ever."""
    if not user.is_active:
        raise Forbidden(_("This account is disabled."))
    ttl = settings.CICA_TOKEN_TTL_DAYS if ttl_days is None else ttl_days
    if not 1 <= ttl <= settings.CICA_TOKEN_TTL_DAYS:
        raise DomainError(
            _("A token lasts from 1 to %(max)s days.") % {"max": settings.CICA_TOKEN_TTL_DAYS}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=api_token_digest(secret),
        expires_at=timezone.now() + datetime.timedelta(days=ttl),
    )
    return token, secret


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token at once. Its owner may revoke it, and so may the
    secretariat (a lost laptop, a delegate who left). Revoking twice is a
    no-op, so a retried request does not fail."""
    if token.user_id != actor.pk and not is_secretariat(actor):
        raise Forbidden(_("You may revoke only your own tokens."))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_by = actor
            token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def api_tokens_revoke_all(*, actor: User, user: User) -> int:
    """Revoke every usable token of ``user`` (the account was compromised or
    the delegate left). Returns how many were revoked."""
    if user.pk != actor.pk and not is_secretariat(actor):
        raise Forbidden(_("You may revoke only your own tokens."))
    # TEMPORARY (issue 14 merge): members.models is being rewritten; once
    # ApiTokenQuerySet.usable() is typed, mypy reports this ignore as unused.
    usable = ApiToken.objects.filter(user=user).usable()  # type: ignore[no-untyped-call]
    revoked: int = usable.update(revoked_at=timezone.now(), revoked_by=actor)
    return revoked


def user_lockouts_lift(*, actor: User, user: User) -> int:
    """Lift ``user``'s sign-in lock-outs (django-axes' failed attempts for the
    username, from every address): the secretariat does it for a delegate who
    called, from the users' list, since the lock-out register itself is for
    superusers (issue 16 item 13). Returns how many attempt records went."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat may lift a sign-in lock-out."))
    lifted: int = axes_reset(username=user.get_username())
    return lifted


def preference_set(
    *, user: User, language: str | None = None, email_frequency: str | None = None
) -> UserPreference:
    """Record what a signed-in user prefers: the language of their pages and
    notices (from the switcher or the preferences page) and how often they
    are e-mailed. ``None`` leaves a setting as it is. An unknown value is a
    400, never a stored preference."""
    if language is not None and language not in {code for code, _name in settings.LANGUAGES}:
        raise DomainError(_("Unknown language %(value)r.") % {"value": language})
    if email_frequency is not None and email_frequency not in EmailFrequency.values:
        raise DomainError(_("Unknown e-mail frequency %(value)r.") % {"value": email_frequency})
    with transaction.atomic():
        preference, _created = UserPreference.objects.select_for_update().get_or_create(user=user)
        changed = []
        if language is not None and preference.language != language:
            preference.language = language
            changed.append("language")
        if email_frequency is not None and preference.email_frequency != email_frequency:
            preference.email_frequency = email_frequency
            changed.append("email_frequency")
        if changed:
            preference.save(update_fields=[*changed, "updated_at"])
    return preference
