"""Issue 16 clean-up: the rule "a comment, an objection or a reservation
comes with its text" lives in one service function, ``receipt_answer_check``,
which both the delegate's form (before the restatement) and ``receipt_answer``
(the only path that records a position) call. Each test below fails if its
path stops applying the rule, or applies its own copy instead of the service's."""

from unittest import mock

import pytest

from cica.errors import DomainError
from secretariat.models import Position
from secretariat.services import receipt_answer_check
from secretariat.services import receipts as receipts_module
from secretariat.views import AnswerForm
from tests.scenarios import eco4_circulated

NEEDS_TEXT = [Position.COMMENT, Position.OBJECTION, Position.RESERVATION]
NO_TEXT = [p for p in Position.values if p not in NEEDS_TEXT]


@pytest.mark.parametrize("position", NEEDS_TEXT)
@pytest.mark.parametrize("text", ["", "   \n"])
def test_the_rule_refuses_a_position_that_needs_text_without_it(position, text):
    with pytest.raises(DomainError, match=str(Position(position).label)):
        receipt_answer_check(position=position, text=text)


@pytest.mark.parametrize("position", Position.values)
def test_the_rule_accepts_every_position_with_text_and_the_others_without(position):
    receipt_answer_check(position=position, text="Our reasons.")
    if position in NO_TEXT:
        receipt_answer_check(position=position, text="")


@pytest.mark.parametrize("position", NEEDS_TEXT)
def test_the_form_refuses_through_the_service_rule(position):
    form = AnswerForm(data={"position": position, "text": ""})
    assert not form.is_valid()
    assert str(Position(position).label) in " ".join(str(e) for e in form.errors["text"])
    # The form asks the service, not a copy: without the rule it accepts.
    with mock.patch("secretariat.views.services.receipt_answer_check") as rule:
        assert AnswerForm(data={"position": position, "text": ""}).is_valid()
    rule.assert_called_once_with(position=position, text="")


@pytest.mark.django_db
def test_the_service_refuses_through_the_same_rule(drafting_circulation_for_kaz):
    circulation, delegate = drafting_circulation_for_kaz
    with pytest.raises(DomainError):
        receipts_module.receipt_answer(
            actor=delegate, circulation=circulation, position=Position.OBJECTION, text=""
        )
    with mock.patch.object(receipts_module, "receipt_answer_check") as rule:
        receipts_module.receipt_answer(
            actor=delegate, circulation=circulation, position=Position.OBJECTION, text=""
        )
    rule.assert_called_once_with(position=Position.OBJECTION, text="")


@pytest.fixture
def drafting_circulation_for_kaz(people):
    return eco4_circulated(people), people["delegate-kaz"]
