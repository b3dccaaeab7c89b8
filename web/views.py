"""The pages that read several apps: the delegate's desk and the search
across the Catalogue, the papers one may read and the information exchange."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import translation

from implementation.selectors import activities_held_public
from implementation.services import reporting_pages
from measures import selectors as measure_selectors
from members.rules import acting_for, is_secretariat
from secretariat import selectors as secretariat_selectors
from secretariat import services as secretariat_services
from secretariat.models import Notification

from .search import search  # noqa: F401  (the search page lives with its rules)


def desk(request):
    """My state's desk: what waits for our answer, our initiatives, recent
    decisions and unread notifications, in a fixed number of queries. Nobody
    signed in gets the public landing page instead (issue 16 item 5)."""
    if not request.user.is_authenticated:
        return landing(request)
    if is_secretariat(request.user) and acting_for(request.user) is None:
        # Staff act for no state: their desk is the secretariat's dashboard
        # (issue 16 item 5), not an empty delegate's desk.
        return redirect("dashboard")
    context = secretariat_selectors.desk_for(request.user)
    # Unread notices as the notifications page shows them: in the reader's
    # language now, each linked to what it is about (issue 16 item 3).
    unread: list[Notification] = context["notifications"]  # type: ignore[assignment]
    context["notifications"] = secretariat_services.notifications_shown(
        unread, language=translation.get_language() or settings.LANGUAGE_CODE
    )
    # My state's returns due in the open cycles (issue 17 item 6): one query
    # when no cycle is open, a fixed few otherwise.
    participant = acting_for(request.user)
    if participant is not None and not context.get("observer"):
        owed = reporting_pages.owed_by(participant)
        context["returns_due"] = [c for c in owed if c.outstanding]
    return render(request, "cica/desk.html", context)


def landing(request):
    """What CICA's Catalogue is, its measures by priority area with their
    public status, the adopted decisions, and sign-in: the public's ``/``.
    Only what the anonymous API answers too; a fixed number of queries."""
    context = {
        "areas": measure_selectors.public_catalogue(),
        "decisions": list(secretariat_selectors.adopted_decisions()),
        "held": activities_held_public(),
    }
    return render(request, "cica/landing.html", context)
