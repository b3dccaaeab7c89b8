"""Issue 16 item 13, the admin: titles with the register's name in the
accusative, events not codes, the technical registers out of the
secretariat's way."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone, translation
from django.utils.functional import lazy

from measures.admin import InitiativeAdmin
from measures.models import Initiative, InitiativeEvent, Measure

pytestmark = pytest.mark.django_db

TECHNICAL = [
    "/admin/axes/accessattempt/",
    "/admin/django_celery_beat/periodictask/",
    "/admin/django_celery_beat/solarschedule/",
    "/admin/django_celery_beat/crontabschedule/",
    "/admin/django_celery_beat/intervalschedule/",
    "/admin/django_celery_beat/clockedschedule/",
]


@pytest.fixture
def secretariat(people):
    client = Client()
    client.force_login(people.secretariat)
    return client


def test_the_secretariats_index_lists_the_registers_it_works_with(secretariat):
    index = secretariat.get("/admin/").content.decode()
    assert "/admin/measures/initiative/" in index
    assert "/admin/secretariat/circulation/" in index
    for path in TECHNICAL:
        assert path not in index
        assert secretariat.get(path).status_code == 403
    assert "Solar" not in index
    assert "Periodic" not in index


def test_a_superuser_still_has_the_technical_registers():
    root = get_user_model().objects.create_superuser("root-13", "r@example.org", "x")
    client = Client()
    client.force_login(root)
    index = client.get("/admin/").content.decode()
    for path in TECHNICAL:
        assert path in index
        assert client.get(path).status_code == 200


def test_titles_take_the_registers_name_in_the_accusative(secretariat, monkeypatch):
    initiative = Initiative.objects.create(measure=Measure.objects.get(code="ENV-5"))
    page = secretariat.get(f"/admin/measures/initiative/{initiative.pk}/change/")
    assert "<h1>Change initiative</h1>" in page.content.decode()
    # Russian: the verb governs the accusative. The catalogue is the
    # integrator's; the form the catalogue gives is the one the page uses.
    in_russian = {"ru": "инициативу"}
    monkeypatch.setattr(
        InitiativeAdmin,
        "accusative",
        lazy(lambda: in_russian.get(translation.get_language(), "initiative"), str)(),
    )
    secretariat.cookies["django_language"] = "ru"
    page = secretariat.get(
        f"/admin/measures/initiative/{initiative.pk}/change/", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert "Изменить инициативу" in page.content.decode()
    listing = secretariat.get("/admin/measures/initiative/", HTTP_ACCEPT_LANGUAGE="ru")
    assert "Выберите инициативу для изменения" in listing.content.decode()


def test_the_timeline_in_the_admin_shows_events_not_codes(secretariat, people):
    initiative = Initiative.objects.create(measure=Measure.objects.get(code="ENV-5"))
    InitiativeEvent.objects.create(
        initiative=initiative,
        action="declare_interest",
        from_status="",
        to_status="interest_declared",
        actor=people["delegate-kaz"],
        created_at=timezone.now(),
    )
    for path in (
        f"/admin/measures/initiative/{initiative.pk}/change/",
        "/admin/measures/initiativeevent/",
        f"/admin/measures/initiativeevent/{initiative.events.get().pk}/change/",
    ):
        text = re.sub(r"<[^>]+>", " ", secretariat.get(path).content.decode())
        assert "declare_interest" not in text, path
        assert "interest_declared" not in text, path


def test_the_secretariat_lifts_a_lock_out_from_the_users_list(secretariat, people):
    """The lock-out register is for superusers now; the secretariat still
    lifts a delegate's lock-out, from the users' list."""
    kaz = people["delegate-kaz"]
    AccessAttempt.objects.create(
        username=kaz.username, ip_address="192.0.2.1", user_agent="x", failures_since_start=5
    )
    page = secretariat.post(
        "/admin/auth/user/",
        {"action": "lift_lockouts", "_selected_action": [kaz.pk]},
        follow=True,
    )
    assert page.status_code == 200
    assert not AccessAttempt.objects.filter(username=kaz.username).exists()
    assert "1 failed sign-in record(s) cleared." in page.content.decode()
