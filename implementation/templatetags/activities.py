"""Template tags of the activities register: a measure's activities, as
the reader may see them (on the measure's page)."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from implementation.models import Activity
from implementation.selectors import activities_visible

register = template.Library()


@register.simple_tag(takes_context=True)
def visible_activities(context, measure) -> list[Activity]:
    """The measure's activities visible to the page's reader (two queries)."""
    request = context.get("request")
    user = getattr(request, "user", None) or AnonymousUser()
    return list(
        activities_visible(user)
        .filter(measure=measure)
        .select_related("measure", "host")
        .order_by("-starts_on", "pk")[:100]
    )
