import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from members.models import Delegate, Participant

pytestmark = pytest.mark.django_db


def test_demo_users_are_created_once_with_the_given_password(settings, tmp_path):
    settings.CICA_DEMO_PASSWORD = "demo-pass-4-cica"
    call_command("create_demo_users", verbosity=0)
    User = get_user_model()
    n_users = User.objects.count()
    call_command("create_demo_users", verbosity=0)
    assert User.objects.count() == n_users
    assert Delegate.objects.count() == Participant.objects.count() == 27
    kaz = User.objects.get(username="delegate-kaz")
    assert kaz.check_password("demo-pass-4-cica")
    assert kaz.delegate.participant.code == "KAZ"
    assert kaz.delegate.role == "head"
    assert User.objects.get(username="delegate-osce").delegate.participant.code == "OSCE"
    secretariat = User.objects.get(username="secretariat")
    assert secretariat.is_staff
    assert not secretariat.is_superuser
    assert secretariat.has_perm("measures.change_measure")
    assert secretariat.has_perm("members.add_participant")
    chair = User.objects.get(username="chair")
    assert chair.is_staff
    assert chair.has_perm("measures.view_measure")
    assert not chair.has_perm("measures.change_measure")
    assert not kaz.is_staff


def test_generated_password_is_kept_and_printed(settings, tmp_path, capsys):
    settings.CICA_DEMO_PASSWORD = ""
    settings.CICA_DEMO_PASSWORD_FILE = tmp_path / "pw"
    call_command("create_demo_users")
    first = settings.CICA_DEMO_PASSWORD_FILE.read_text().strip()
    assert len(first) >= 12
    assert first in capsys.readouterr().out
    call_command("create_demo_users")
    assert first in capsys.readouterr().out
    assert get_user_model().objects.get(username="chair").check_password(first)


def test_a_new_demo_password_is_applied_to_every_demo_user(settings):
    settings.CICA_DEMO_PASSWORD = "first-pass-4-cica"
    call_command("create_demo_users", verbosity=0)
    settings.CICA_DEMO_PASSWORD = "second-pass-4-cica"
    call_command("create_demo_users", verbosity=0)
    for name in ("secretariat", "chair", "delegate-irn", "delegate-las"):
        assert get_user_model().objects.get(username=name).check_password("second-pass-4-cica")
