import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone, translation
from rest_framework.test import APIClient

from cica.celery import app
from measures.models import CoordinatorDesignation, Initiative, Measure
from measures.services import initiative_submit_paper
from members.models import Participant
from tests.files import pdf

DEMO_PASSWORD = "demo-pass-4-cica"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load_registers_and_people():
    with override_settings(PASSWORD_HASHERS=FAST_HASHER, CICA_DEMO_PASSWORD=DEMO_PASSWORD):
        call_command("load_cica", verbosity=0)
        call_command("create_demo_users", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the seed's registers and the demo users, loaded
    once per session (tests run in transactions that roll back)."""
    with django_db_blocker.unblock():
        _load_registers_and_people()


@pytest.fixture(autouse=True)
def _registers_after_flush(request):
    """A transactional test empties the tables when it ends; the next test
    that uses the database loads the registers again."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("django_db_blocker")
    if not Participant.objects.exists():
        _load_registers_and_people()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def site_language():
    """Every test starts in the site's language. A request in Russian or French
    leaves its language active in the thread (LocaleMiddleware activates it and
    nothing resets it), so a later test's English messages would read French."""
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """PBKDF2 is slow by design; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_throttles(settings):
    """API throttles are off in tests (the suite signs in hundreds of times a
    minute from one address); tests/test_security.py turns them back on."""
    settings.CICA_THROTTLE_RATES = {"anon": None, "user": None, "signin": None}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded papers go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(db):
    """The demo users: secretariat, chair, and delegate-<code> for every participant."""
    users = {u.username: u for u in get_user_model().objects.all()}

    class People(dict):
        def __getattr__(self, name):
            return self[name.replace("_", "-")]

    return People(users)


@pytest.fixture
def as_user(people):
    """An API client signed in with a real token for the named demo user."""

    def client_for(username: str) -> APIClient:
        client = APIClient()
        if username:
            token = client.post(
                "/api/v1/auth/token/", {"username": username, "password": DEMO_PASSWORD}
            ).json()["token"]
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return client_for


@pytest.fixture
def eager_celery():
    """Run Celery tasks in-process for this test, as the embedded default does,
    even when REDIS_URL points at a real broker."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


# --- a paper ready to circulate (secretariat tests, fault tests) ---------------------


@pytest.fixture
def drafting(people):
    """HUM-5 at drafting, Mongolia coordinating, with a paper submitted."""
    initiative = Initiative.objects.create(
        measure=Measure.objects.get(code="HUM-5"), status="drafting"
    )
    CoordinatorDesignation.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="MNG"),
        role="coordinator",
        started_on=timezone.localdate(),
    )
    initiative_submit_paper(
        actor=people["delegate-mng"], initiative=initiative, file=pdf(), language="en"
    )
    return initiative


@pytest.fixture
def deadline():
    return timezone.localdate() + datetime.timedelta(days=10)
