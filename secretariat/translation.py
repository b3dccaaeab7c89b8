"""Audit history of the secretariat's records (nothing here is translated)."""

from simple_history import register as history

from .models import (
    Circulation,
    CoSubmitter,
    Decision,
    InformationAttachment,
    InformationSubmission,
    Meeting,
    Receipt,
    SymbolSequence,
    WebhookSubscription,
)

history(Meeting, m2m_fields=["present", "experts"])
history(Decision, m2m_fields=["objecting"])
history(Circulation)
history(Receipt)
history(SymbolSequence)
history(InformationSubmission, m2m_fields=["measures"], excluded_fields=["search_vector"])
history(CoSubmitter)
history(InformationAttachment)
history(WebhookSubscription, excluded_fields=["secret"])
