"""Issue 16 item 7: the form that designates coordinators (derived from
``DesignateInput``) shows who declared interest and who offered in the annex
next to the choices, sorts the states by their name in the reader's language
and puts "Reason" last."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from measures.actions import REGISTRY
from measures.forms import form_for_input
from measures.inputs import DesignateInput, name_sort_key
from measures.models import Initiative, InterestDeclaration, Measure
from members.models import Participant
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(people):
    """ECO-9 (information technology: Korea offered it in the annex) in
    consultation; Iran and Tajikistan declared interest."""
    measure = Measure.objects.get(code="ECO-9")
    Initiative.objects.filter(measure=measure).update(status="withdrawn")
    taken = Initiative.objects.filter(measure=measure).count()
    initiative = Initiative.objects.create(
        measure=measure, status="consultation", sequence=taken + 1
    )
    for code in ("IRN", "TJK"):
        InterestDeclaration.objects.create(
            initiative=initiative,
            participant=Participant.objects.get(code=code),
            declared_on=timezone.localdate(),
        )
    return initiative


def _form(initiative):
    return form_for_input(DesignateInput)(initiative=initiative)


def _labels(form, name="coordinators"):
    return [label for _value, label in form.fields[name].choices]


def test_reason_comes_last():
    assert list(form_for_input(DesignateInput).base_fields) == [
        "coordinators",
        "co_coordinators",
        "reason",
    ]
    assert list(DesignateInput().fields) == ["coordinators", "co_coordinators", "reason"]
    assert REGISTRY["designate_coordinators"].input is DesignateInput


def test_declared_and_offered_are_shown_next_to_the_choices(consultation):
    form = _form(consultation)
    labels = {label.split(" (")[0]: label for label in _labels(form)}
    assert "declared interest" in labels["Iran"]
    assert "declared interest" in labels["Tajikistan"]
    assert "offered in the annex" in labels["Republic of Korea"]
    # Russia offered one measure of the economic area, not yet named.
    assert "offered" in labels["Russian Federation"]
    assert "declared" not in labels["China"]
    assert "offered" not in labels["China"]
    help_text = str(form.fields["coordinators"].help_text)
    assert "Iran" in help_text
    assert "Republic of Korea" in help_text
    # The co-coordinators' choices say the same.
    assert _labels(form, "co_coordinators") == _labels(form)


@pytest.mark.parametrize("language", ["en", "ru", "fr"])
def test_states_are_sorted_by_their_name_in_the_readers_language(consultation, language):
    with translation.override(language):
        form = _form(consultation)
        names = [p.name for p in form.fields["coordinators"].queryset]
    assert names == sorted(names, key=name_sort_key)
    assert len(names) == Participant.objects.with_status_in("member").count()
    if language == "ru":
        assert all(not n.isascii() for n in names)  # Russian names, sorted in Russian
        # Азербайджан first; in English it would be Afghanistan / Azerbaijan...
        assert names[0].startswith("А")


def test_the_sort_key_sorts_russian_and_french_as_readers_expect():
    # Ё sorts with Е; Й is a letter of its own, after И.
    assert sorted(["Ель", "Ёлка", "Еж"], key=name_sort_key) == ["Еж", "Ёлка", "Ель"]
    assert sorted(["Йемен", "Иран", "Казахстан"], key=name_sort_key) == [
        "Иран",
        "Йемен",
        "Казахстан",
    ]
    assert sorted(["Égypte", "Emirats", "Chine"], key=name_sort_key) == [
        "Chine",
        "Égypte",
        "Emirats",
    ]


def test_the_admin_shows_the_form_in_russian_sorted_with_reason_last(client, consultation):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    url = reverse("admin:measures_initiative_act", args=[consultation.pk, "designate_coordinators"])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert html.index('name="coordinators"') < html.index('name="co_coordinators"')
    assert html.index('name="co_coordinators"') < html.index('name="reason"')
    assert '<option value="TJK">' in html
    # A designation still posts.
    response = client.post(url, {"coordinators": ["TJK"], "co_coordinators": ["IRN"]})
    assert response.status_code == 302
