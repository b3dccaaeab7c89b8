"""Template tags of action plans: the measure's page asks for the plan in
force without the measures app knowing of plans (issue 17, v1)."""

from django import template

from measures.models import Measure

from ..models import ActionPlan
from ..selectors import plan_in_force

register = template.Library()


@register.simple_tag
def measure_plan(measure: Measure) -> ActionPlan | None:
    """The plan the measure is being implemented under, or ``None``."""
    return plan_in_force(measure)
