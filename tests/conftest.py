import pytest
from django.core.management import call_command
from rest_framework.test import APIClient


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the seed's registers, loaded once per session."""
    with django_db_blocker.unblock():
        call_command("load_cica", verbosity=0)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """PBKDF2 is slow by design; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded papers go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


DEMO_PASSWORD = "demo-pass-4-cica"


@pytest.fixture
def people(db, settings):
    """The demo users: secretariat, chair, and delegate-<code> for every participant."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    settings.CICA_DEMO_PASSWORD = DEMO_PASSWORD
    call_command("create_demo_users", verbosity=0)
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
