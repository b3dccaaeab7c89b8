"""Translated fields, then audit history: history is registered after the
translation, because a ``HistoricalRecords()`` field on a translated model
breaks every save."""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as history

from .models import (
    AreaAlias,
    CoordinatorDesignation,
    CoordinatorOffer,
    Expert,
    Initiative,
    InitiativeEvent,
    InterestDeclaration,
    Measure,
    Paper,
    PriorityArea,
)


@register(PriorityArea)
class PriorityAreaTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en", "fr", "ru")


@register(Measure)
class MeasureTranslation(TranslationOptions):
    fields = ("title", "text")
    required_languages = ("en", "fr", "ru")


@register(CoordinatorOffer)
class CoordinatorOfferTranslation(TranslationOptions):
    fields = ("description",)
    required_languages = ("en",)


history(Measure, excluded_fields=["lead_initiative", "sort_key"])
for model in (
    PriorityArea,
    AreaAlias,
    CoordinatorOffer,
    InterestDeclaration,
    CoordinatorDesignation,
    Paper,
    InitiativeEvent,
):
    history(model)
history(Initiative, m2m_fields=["responsible_experts"])
# Expert moved here from members; its history keeps its first table.
history(Expert, table_name="members_historicalexpert")
