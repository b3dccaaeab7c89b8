"""What a notification says, in its reader's language, and where it leads.

A notice is stored as its kind and its parameters (references, codes, ISO
dates); its subject and text are written from them in the language of the
person who reads it, on the page and in the e-mail, with dates in that
language's words ("30 декабря 2026 г.", "30 décembre 2026"). A row written
before parameters were kept (or of a kind written once in its reader's
language, see ``_in_their_language``) shows its stored subject and text.
Every notice links to the page of what it is about (issue 16 item 3).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeAlias

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from measures.models import DesignationRole
from measures.workflow import Outcome

from ..models import Body, Decision, Notification, NotificationKind

Params: TypeAlias = "dict[str, Any]"


def _date(value: str) -> str:
    """An ISO date in the active language's words."""
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return formats.date_format(day, "DATE_FORMAT")


def _circulation(p: Params) -> tuple[str, str]:
    what = p.get("what") or _("a draft decision")
    values = {
        "what": what,
        "ref": p["ref"],
        "measure": p["measure"],
        "deadline": _date(p["deadline"]),
    }
    subject = _("Circulated for comments: %(what)s (%(ref)s), deadline %(deadline)s")
    body = _(
        "The secretariat has circulated %(what)s on %(measure)s. Your state's answer is "
        "awaited by %(deadline)s."
    )
    return subject % values, body % values


def _reminder(p: Params) -> tuple[str, str]:
    values = {"ref": p["ref"], "measure": p["measure"], "deadline": _date(p["deadline"])}
    subject = _("Reminder: your position on %(ref)s is due by %(deadline)s")
    if p.get("by_secretariat"):
        body = _("The secretariat reminds your state that %(ref)s awaits its answer.")
    else:
        body = _("Your state has not yet answered %(ref)s on %(measure)s.")
    return subject % values, body % values


def _designation(p: Params) -> tuple[str, str]:
    values = {"role": DesignationRole(p["role"]).label, "ref": p["ref"]}
    subject = _("Designated %(role)s of %(ref)s") % values
    body = (
        _(
            "Your state is designated %(role)s of %(ref)s; the Chair asks the "
            "coordinators to draft a concept paper."
        )
        % values
    )
    return subject, body


def _paper_submitted(p: Params) -> tuple[str, str]:
    subject = _("Paper submitted: %(symbol)s") % {"symbol": p["symbol"]}
    body = _("%(state)s submitted %(symbol)s (version %(version)s) on %(measure)s.") % {
        "state": p["state"],
        "symbol": p["symbol"],
        "version": p["version"],
        "measure": p["measure"],
    }
    return subject, body


def _information(p: Params) -> tuple[str, str]:
    subject = _("Information from %(who)s: %(title)s") % {"who": p["who"], "title": p["title"]}
    return subject, p["text"]


def _decision(p: Params) -> tuple[str, str]:
    subject = _("%(body)s decision on %(ref)s: %(outcome)s") % {
        "body": Body(p["body"]).label,
        "ref": p["ref"],
        "outcome": Outcome(p["outcome"]).label,
    }
    body = f"{p['symbol']}\n\n{p['text']}".strip()
    if p.get("plan") and p["outcome"] in (Outcome.RETURNED, Outcome.NO_CONSENSUS):
        body += "\n\n" + _(
            "The action plan goes back to its coordinators as a draft, to be submitted again."
        )
    elif p["outcome"] in (Outcome.RETURNED, Outcome.NO_CONSENSUS):
        body += "\n\n" + _(
            "The paper goes back to its coordinators for a revised version, which will be "
            "circulated again."
        )
    if p["objecting"]:
        body += "\n" + _("Objected: %(codes)s.") % {"codes": ", ".join(p["objecting"])}
    if p["silence_ref"]:
        body += "\n" + _("Adopted by silence procedure (%(ref)s): no member state objected.") % {
            "ref": p["silence_ref"]
        }
    return subject, body


def _silence_broken(p: Params) -> tuple[str, str]:
    subject = _("Silence broken by %(code)s: %(ref)s") % {"code": p["code"], "ref": p["ref"]}
    return subject, p["text"]


def _information_submitted(p: Params) -> tuple[str, str]:
    subject = _("Information submitted: %(ref)s %(title)s") % {
        "ref": p["ref"],
        "title": p["title"],
    }
    return subject, p["text"]


def _information_returned(p: Params) -> tuple[str, str]:
    return _("Returned: %(ref)s") % {"ref": p["ref"]}, p["reason"]


# --- issue 17 v3: annual reporting ----------------------------------------------------


def _cycle_opened(p: Params) -> tuple[str, str]:
    values = {
        "year": p["year"],
        "symbol": p["symbol"],
        "areas": p["areas"],
        "due": _date(p["due"]),
    }
    subject = _("Implementation reporting %(year)s opened: returns due by %(due)s") % values
    body = (
        _(
            "The secretariat has opened the %(year)s implementation reporting cycle "
            "(%(symbol)s) for the priority areas %(areas)s. Your state owes, for each of "
            "these areas, a national implementation report or a nil return (nothing to "
            "report for this period), by %(due)s. Coordinators of a measure under an "
            "approved action plan also owe a progress report on it by then."
        )
        % values
    )
    return subject, body


def _return_reminder(p: Params) -> tuple[str, str]:
    values = {"year": p["year"], "symbol": p["symbol"], "owed": p["owed"], "due": _date(p["due"])}
    subject = _("Reminder: your %(year)s implementation returns are due by %(due)s") % values
    body = (
        _(
            "Your state has not yet submitted its %(year)s returns (%(symbol)s) for: "
            "%(owed)s. Please submit a national implementation report, or a nil return if "
            "there is nothing to report, for each, by %(due)s."
        )
        % values
    )
    return subject, body


def _return_summary(p: Params) -> tuple[str, str]:
    values = {
        "year": p["year"],
        "symbol": p["symbol"],
        "due": _date(p["due"]),
        "filed": p["filed"],
        "owed": p["owed"],
    }
    subject = (
        _("Implementation reporting %(year)s, due date passed: %(filed)s of %(owed)s returns filed")
        % values
    )
    none = _("none")
    lines = [
        _("The due date of %(symbol)s, %(due)s, has passed.") % values,
        _("National reports: %(list)s") % {"list": p["reports"] or none},
        _("Nil returns: %(list)s") % {"list": p["nil"] or none},
        _("Progress reports: %(list)s") % {"list": p["progress"] or none},
        _("Missing: %(list)s") % {"list": p["missing"] or none},
        _("Late: %(list)s") % {"list": p["late"] or none},
    ]
    return subject, "\n".join(str(line) for line in lines)


def _return_submitted(p: Params) -> tuple[str, str]:
    from implementation.models import ReturnKind  # noqa: PLC0415

    values = {
        "state": p["state"],
        "kind": ReturnKind(p["kind"]).label,
        "subject": p["subject"],
        "year": p["year"],
        "symbol": p["symbol"],
    }
    subject = _("%(state)s submitted its %(year)s return on %(subject)s: %(kind)s") % values
    body = _("%(state)s submitted a %(kind)s on %(subject)s for %(symbol)s.") % values
    if p.get("late"):
        body += " " + _("It was submitted after the due date.")
    return subject, body


def _action_plan(p: Params) -> tuple[str, str]:
    """Issue 17: a decision on a plan, told to its coordinators."""
    from implementation.models import PlanStatus  # noqa: PLC0415 (implementation imports us)

    values = {
        "symbol": p["symbol"],
        "measure": p["measure"],
        "body": Body(p["body"]).label,
        "outcome": Outcome(p["outcome"]).label,
        "status": PlanStatus(p["status"]).label,
        "decision": p["decision"],
    }
    subject = _("%(body)s decision on your action plan %(symbol)s: %(outcome)s") % values
    body = (
        _(
            "%(decision)s: the %(body)s decided on the action plan %(symbol)s for "
            "%(measure)s (%(outcome)s). The plan is now at “%(status)s”."
        )
        % values
    )
    if p["status"] == PlanStatus.DRAFT:
        body += "\n\n" + _("Revise the draft and submit it again.")
    return subject, body


def _activity(p: Params) -> tuple[str, str]:
    """An activity confirmed, cancelled or postponed (issue 17, v2): its title
    in the reader's language if it was given in it."""
    from implementation.models import ActivityStatus  # noqa: PLC0415 (cycle)

    language = (translation.get_language() or "en")[:2]
    title = p.get(f"title_{language}") or p.get("title_en") or p.get("title_fr") or p["title_ru"]
    values = {
        "title": title,
        "measure": p["measure"],
        "status": ActivityStatus(p["status"]).label.lower(),
        "starts": _date(p["starts_on"]),
        "ends": _date(p["ends_on"]),
        "venue": p.get("venue") or "—",
    }
    subject = _("Activity %(status)s: %(title)s (%(measure)s)") % values
    body = _("%(title)s (%(measure)s), %(starts)s – %(ends)s, %(venue)s: %(status)s.") % values
    if p.get("reason"):
        body += "\n" + _("Reason: %(reason)s") % {"reason": p["reason"]}
    return subject, body


# kind -> ``render(params) -> (subject, text)`` in the active language.
RENDERERS: dict[str, Callable[[Params], tuple[str, str]]] = {
    NotificationKind.CIRCULATION: _circulation,
    NotificationKind.REMINDER: _reminder,
    NotificationKind.DESIGNATION: _designation,
    NotificationKind.PAPER_SUBMITTED: _paper_submitted,
    NotificationKind.INFORMATION: _information,
    NotificationKind.DECISION: _decision,
    NotificationKind.SILENCE_BROKEN: _silence_broken,
    NotificationKind.INFORMATION_SUBMITTED: _information_submitted,
    NotificationKind.INFORMATION_RETURNED: _information_returned,
    NotificationKind.CYCLE_OPENED: _cycle_opened,
    NotificationKind.RETURN_REMINDER: _return_reminder,
    NotificationKind.RETURN_SUMMARY: _return_summary,
    NotificationKind.RETURN_SUBMITTED: _return_submitted,
    NotificationKind.ACTION_PLAN: _action_plan,
    NotificationKind.ACTIVITY: _activity,
}


def notice_render(*, kind: str, params: Params, language: str | None = None) -> tuple[str, str]:
    """``(subject, text)`` of a notice of ``kind``, in ``language`` (the active
    one when ``None``)."""
    with translation.override(language or translation.get_language()):
        subject, body = RENDERERS[kind](params)
    # A sentence that ends on a Russian date ("… 2026 г.") ends once.
    return str(subject), re.sub(r"\.\.$", ".", str(body))


def notification_text(notification: Notification, *, language: str) -> tuple[str, str]:
    """What the notification says, in ``language`` when it can be written
    again; otherwise as it was stored (already in its reader's language)."""
    if notification.params and notification.kind in RENDERERS:
        try:
            return notice_render(
                kind=notification.kind, params=notification.params, language=language
            )
        except (KeyError, ValueError, TypeError):  # parameters of an older shape
            pass
    return notification.subject, notification.body


_API_PAGES = {
    "circulations": "circulation",
    "initiatives": "initiative",
    "information": "information",
    "activities": "activity",
}
_API_PATH = re.compile(r"^/api/v1/(?P<kind>[a-z]+)/(?P<pk>\d+)/$")


def notification_links(notifications: Iterable[Notification]) -> dict[int, str]:
    """The page each notification is about (a path, ``""`` when none): the
    circulation (to answer it), the initiative, the information, or for a
    decision its initiative. At most one query, whatever the number."""
    notifications = list(notifications)
    decision_ids = {
        n.target_id for n in notifications if n.target_type == "decision" and n.target_id
    }
    initiatives = (
        dict(Decision.objects.filter(pk__in=decision_ids).values_list("pk", "initiative_id"))
        if decision_ids
        else {}
    )
    links: dict[int, str] = {}
    for n in notifications:
        link = ""
        match = _API_PATH.match(n.url or "")
        if match and match["kind"] in _API_PAGES:
            link = reverse(_API_PAGES[match["kind"]], args=[int(match["pk"])])
        elif n.target_type == "decision" and initiatives.get(n.target_id or 0):
            link = reverse("initiative", args=[initiatives[n.target_id or 0]])
        elif n.target_type == "information" and n.target_id:
            link = reverse("information", args=[n.target_id])
        elif n.target_type == "action_plan" and n.target_id:
            link = reverse("action-plan", args=[n.target_id])
        links[n.pk] = link
    return links


def absolute(path: str) -> str:
    """A site path as an address for an e-mail."""
    return f"{settings.CICA_SITE_URL.rstrip('/')}{path}" if path else ""


def notifications_shown(
    notifications: Iterable[Notification], *, language: str
) -> list[Notification]:
    """The notifications as a page shows them: each with ``shown_subject``,
    ``shown_body`` (in ``language``) and ``link`` (its page's path)."""
    notifications = list(notifications)
    links = notification_links(notifications)
    for n in notifications:
        n.shown_subject, n.shown_body = notification_text(n, language=language)  # type: ignore[attr-defined]
        n.link = links[n.pk]  # type: ignore[attr-defined]
    return notifications
