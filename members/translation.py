"""Translated fields (modeltranslation), then audit history (simple-history).

History is registered here, after the translation registration, because a
``HistoricalRecords()`` field on a translated model breaks every save.
"""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as history

from .models import (
    Chairmanship,
    Delegate,
    Participant,
    ParticipantAlias,
    Participation,
)


@register(Participant)
class ParticipantTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en", "fr", "ru")


for model in (Participant, ParticipantAlias, Participation, Chairmanship, Delegate):
    history(model)
