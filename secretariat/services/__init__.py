"""The secretariat's writes, one module per concern (see each module's
docstring). This package re-exports their public names, so callers keep
writing ``from secretariat.services import circulation_create`` or
``services.receipt_answer``. To replace a name in a test, patch it in the
module that uses it (``secretariat.services.outbox.notify``), not here.

* ``symbols``        document symbols (running numbers per prefix)
* ``meetings``       the calendar: meetings and who attended
* ``decisions``      decisions and the consensus rule
* ``initiative_actions``  the workflow's actions the secretariat carries out on an
                     initiative (charge experts, circulate, refer to the SWG, record a
                     decision) and their preconditions
* ``circulations``   circulating a paper, a draft decision or information
* ``receipts``       a state's receipt of a circulation: read, acknowledged, its position
* ``silence``        silence procedures on draft decisions
* ``reminders``      reminders of deadlines and the summaries after them
* ``information``    the information exchange: submit, disseminate, return
* ``co_submission``  co-submitting states confirm, decline, are removed
* ``outbox``         notifications (the outbox) and their hand-over, the notices of events,
                     the daily digest
* ``emails``         sending notifications' e-mails once: one at a time, and in batches
                     over one connection to the mail server
* ``notices``        what a notification says in its reader's language, and its link
* ``webhooks``       webhook deliveries for REST clients
"""

from .circulations import (
    circulation_all_answered,
    circulation_create,
)
from .co_submission import (
    information_confirm,
    information_decline,
    information_remove_co_submitter,
)
from .decisions import (
    DECISION_BODIES,
    decision_check,
    decision_create,
    decision_meeting_exists,
    notify_decision,
)
from .emails import (
    NOTIFICATION_MAX_ATTEMPTS,
    EmailBatch,
    EmailDeliveryError,
    email_backoff,
    email_failure_is_permanent,
    notification_give_up,
    notification_retry_at,
    notification_send_email,
    notifications_retry_at,
    notifications_send_batch,
)
from .information import (
    SEARCH_CONFIG,
    information_confirm_by,
    information_disseminate,
    information_return,
    information_submit,
    information_submit_refusal,
    information_submitters,
)
from .initiative_actions import (
    initiative_charge_experts,
    initiative_circulate,
    initiative_record_decision,
    initiative_refer_to_swg,
)
from .meetings import (
    MEETING_FIELDS,
    meeting_attendance_check,
    meeting_check,
    meeting_create,
    meeting_set_present,
    meeting_times_check,
    meeting_update,
)
from .notices import (
    notice_render,
    notification_links,
    notification_text,
    notifications_shown,
)
from .outbox import (
    EMAIL_BATCH_SIZE,
    OutboxClaimed,
    notification_mark_read,
    notifications_clear,
    notifications_enqueue,
    notifications_requeue,
    notifications_send_digests,
    notify,
    notify_designation,
    notify_paper_submitted,
)
from .receipts import (
    receipt_acknowledge,
    receipt_answer,
    receipt_answer_check,
    receipt_mark_read,
)
from .reminders import (
    circulation_remind_now,
    circulations_send_reminders,
    circulations_summarise_deadlines,
    information_send_co_submission_reminders,
)
from .silence import (
    silence_deadline_zone,
    silence_notice,
    silence_procedure_start,
    silence_procedures_close,
)
from .symbols import (
    symbol_next,
)
from .webhooks import (
    WEBHOOK_DISABLE_AFTER,
    WebhookDeliveryError,
    webhook_deliver,
    webhook_give_up,
    webhook_signature,
    webhooks_emit,
    webhooks_enqueue,
    webhooks_requeue,
)

__all__ = [
    "notice_render",
    "notification_links",
    "notification_text",
    "notifications_shown",
    "DECISION_BODIES",
    "EMAIL_BATCH_SIZE",
    "EmailBatch",
    "EmailDeliveryError",
    "MEETING_FIELDS",
    "NOTIFICATION_MAX_ATTEMPTS",
    "OutboxClaimed",
    "SEARCH_CONFIG",
    "WEBHOOK_DISABLE_AFTER",
    "WebhookDeliveryError",
    "circulation_all_answered",
    "circulation_create",
    "circulation_remind_now",
    "circulations_send_reminders",
    "circulations_summarise_deadlines",
    "decision_check",
    "decision_create",
    "decision_meeting_exists",
    "email_backoff",
    "email_failure_is_permanent",
    "initiative_charge_experts",
    "initiative_circulate",
    "initiative_record_decision",
    "initiative_refer_to_swg",
    "information_confirm",
    "information_confirm_by",
    "information_decline",
    "information_disseminate",
    "information_remove_co_submitter",
    "information_return",
    "information_send_co_submission_reminders",
    "information_submit",
    "information_submit_refusal",
    "information_submitters",
    "meeting_attendance_check",
    "meeting_check",
    "meeting_create",
    "meeting_set_present",
    "meeting_times_check",
    "meeting_update",
    "notification_give_up",
    "notification_mark_read",
    "notification_retry_at",
    "notification_send_email",
    "notifications_clear",
    "notifications_enqueue",
    "notifications_requeue",
    "notifications_retry_at",
    "notifications_send_batch",
    "notifications_send_digests",
    "notify",
    "notify_decision",
    "notify_designation",
    "notify_paper_submitted",
    "receipt_acknowledge",
    "receipt_answer",
    "receipt_answer_check",
    "receipt_mark_read",
    "silence_deadline_zone",
    "silence_notice",
    "silence_procedure_start",
    "silence_procedures_close",
    "symbol_next",
    "webhook_deliver",
    "webhook_give_up",
    "webhook_signature",
    "webhooks_emit",
    "webhooks_enqueue",
    "webhooks_requeue",
]
