"""What every page's header shows: the state the user acts for and the unread count."""

from members.rules import acting_for
from secretariat.models import Notification


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "acting_for": acting_for(user),
        "unread_count": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    }
