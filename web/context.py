"""What every page's header shows: the state the user acts for and the unread count."""

from functools import cache

from members.rules import acting_for
from secretariat.models import Notification


def header(request):
    """Read when a template shows them, not before: a template calls a
    callable it finds in the context, and the admin's pages, which show
    neither, then pay no query for them (issue 18: the dashboard)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread_count() -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"acting_for": lambda: acting_for(user), "unread_count": unread_count}
