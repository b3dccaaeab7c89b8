"""The rules a page checks before its confirmation step are the services'
own (one copy): a cancellation's reason and a report's text."""

import pytest

from implementation.models import Return, ReturnKind
from implementation.services.activities import activity_reason_refusal
from implementation.services.reporting import return_submit_refusal


@pytest.mark.parametrize("status", ["cancelled", "postponed"])
@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_cancelling_or_postponing_needs_a_reason(status, reason):
    refusal = activity_reason_refusal(status=status, reason=reason)
    assert refusal is not None
    assert refusal.status_code == 400
    assert "reason" in str(refusal.message)


def test_other_statuses_and_given_reasons_pass():
    assert activity_reason_refusal(status="confirmed", reason="") is None
    assert activity_reason_refusal(status="cancelled", reason="Venue flooded") is None


def test_a_report_needs_text_a_nil_return_does_not():
    report = Return(kind=ReturnKind.NATIONAL_REPORT, text="  ")
    refusal = return_submit_refusal(report)
    assert refusal is not None
    assert refusal.status_code == 400
    assert return_submit_refusal(Return(kind=ReturnKind.NIL_RETURN, text="")) is None
    assert return_submit_refusal(Return(kind=ReturnKind.NATIONAL_REPORT, text="Done.")) is None
