"""Security settings and authentication (issue 9): production settings pass
`check --deploy`, tokens expire and can be revoked, the API is throttled, and
repeated failed sign-ins lock the account out."""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from members.models import ApiToken
from members.services import api_token_issue, api_tokens_revoke_all
from tests.conftest import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-and-random-5c1f9e2b7d",
    "ALLOWED_HOSTS": "cica.example.org",
}


def manage(*args, env=None):
    # Not what the test session set for itself (the browser tests allow
    # async-unsafe calls, which check --deploy rightly refuses).
    dropped = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- production settings -----------------------------------------------------


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("key", [None, "dev-only-insecure-key-change-me"])
def test_start_up_refuses_a_missing_or_default_secret_key(key):
    env = {**PRODUCTION_ENV}
    env.pop("SECRET_KEY")
    if key:
        env["SECRET_KEY"] = key
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get("/catalogue/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_only_the_api_docs_relax_the_style_policy(client):
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "style-src 'self' 'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "<script>" not in docs.content.decode()  # the split view: no inline script


@pytest.mark.django_db
def test_session_cookie_is_http_only(client):
    response = client.post(
        "/accounts/login/", {"username": "delegate-kaz", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


# --- tokens --------------------------------------------------------------------


def sign_in(client, username="delegate-kaz", password=DEMO_PASSWORD, address=None, **data):
    meta = {"REMOTE_ADDR": address} if address else {}
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password, **data}, **meta
    )


@pytest.mark.django_db
def test_a_token_is_stored_as_a_digest_and_expires(people):
    client = APIClient()
    answer = sign_in(client, name="status poller", days=7)
    assert answer.status_code == 200, answer.json()
    secret = answer.json()["token"]
    token = ApiToken.objects.get(pk=answer.json()["id"])
    assert secret not in (token.digest, token.prefix)
    assert secret.startswith(token.prefix)
    assert token.name == "status poller"
    assert token.state == "active"
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=7))).seconds < 60

    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/notifications/").status_code == 200
    with time_machine.travel(token.expires_at + datetime.timedelta(seconds=1)):
        refused = client.get("/api/v1/notifications/")
        assert refused.status_code == 401
        assert "expired" in refused.json()["detail"]
        # Even an anonymous read is refused: a bad token is never ignored.
        assert client.get("/api/v1/measures/").status_code == 401


@pytest.mark.django_db
def test_a_token_cannot_outlive_the_site_limit(people):
    answer = sign_in(APIClient(), days=settings.CICA_TOKEN_TTL_DAYS + 1)
    assert answer.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_sign_out_revokes_the_token_used(people):
    client = APIClient()
    secret = sign_in(client).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.delete("/api/v1/auth/token/").status_code == 204
    refused = client.get("/api/v1/notifications/")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert ApiToken.objects.get().revoked_by == people["delegate-kaz"]


@pytest.mark.django_db
def test_owner_and_secretariat_may_revoke_others_may_not_see(people):
    owner, other, staff = APIClient(), APIClient(), APIClient()
    issued = sign_in(owner).json()
    owner.credentials(HTTP_AUTHORIZATION=f"Token {issued['token']}")
    other.force_authenticate(people["delegate-rus"])
    staff.force_authenticate(people["secretariat"])
    url = f"/api/v1/auth/tokens/{issued['id']}/"

    mine = owner.get("/api/v1/auth/tokens/").json()["results"]
    assert [t["id"] for t in mine] == [issued["id"]]
    assert "token" not in mine[0]
    assert other.get("/api/v1/auth/tokens/").json()["count"] == 0
    assert other.get(url).status_code == 404
    assert other.delete(url).status_code == 404
    assert owner.get("/api/v1/notifications/").status_code == 200

    assert staff.get("/api/v1/auth/tokens/").json()["count"] == 1
    assert staff.delete(url).status_code == 204
    assert staff.delete(url).status_code == 204  # a retry is harmless
    assert owner.get("/api/v1/notifications/").status_code == 401
    token = ApiToken.objects.get()
    assert token.state == "revoked"
    assert token.revoked_by == people["secretariat"]


@pytest.mark.django_db
def test_revoke_all_of_a_user(people):
    for _ in range(3):
        api_token_issue(user=people["delegate-kaz"])
    api_token_issue(user=people["delegate-rus"])
    assert api_tokens_revoke_all(actor=people["secretariat"], user=people["delegate-kaz"]) == 3
    assert ApiToken.objects.usable().get().user == people["delegate-rus"]


# --- throttles and lock-out ---------------------------------------------------


def fresh_address():
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


@pytest.mark.django_db
def test_anonymous_reads_are_throttled_per_address(settings):
    settings.CICA_THROTTLE_RATES = {"anon": "3/min", "user": None, "signin": None}
    client, address = APIClient(), fresh_address()
    answers = [client.get("/api/v1/areas/", REMOTE_ADDR=address) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    # Another address is counted on its own.
    assert client.get("/api/v1/areas/", REMOTE_ADDR=fresh_address()).status_code == 200


@pytest.mark.django_db
def test_signed_in_clients_are_throttled_per_user(settings, people):
    settings.CICA_THROTTLE_RATES = {"anon": None, "user": "2/min", "signin": None}
    # The counters may live in a shared Redis: start this test's from zero.
    cache.delete_many([f"throttle_user_{people[u].pk}" for u in ("delegate-kaz", "delegate-rus")])
    kaz, rus = APIClient(), APIClient()
    kaz.force_authenticate(people["delegate-kaz"])
    rus.force_authenticate(people["delegate-rus"])
    assert [kaz.get("/api/v1/areas/").status_code for _ in range(3)] == [200, 200, 429]
    assert rus.get("/api/v1/areas/").status_code == 200


@pytest.mark.django_db
def test_sign_in_has_its_own_tight_throttle(settings, people):
    settings.CICA_THROTTLE_RATES = {"anon": None, "user": None, "signin": "2/min"}
    client, address = APIClient(), fresh_address()
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"username": "delegate-kaz", "password": DEMO_PASSWORD},
            REMOTE_ADDR=address,
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    assert ApiToken.objects.count() == 2


@pytest.mark.django_db
def test_repeated_failures_lock_out_the_api_sign_in(settings, people):
    settings.AXES_FAILURE_LIMIT = 3
    client, address = APIClient(), fresh_address()
    for _ in range(3):
        wrong = sign_in(client, password="wrong", address=address)
    assert wrong.status_code == 429
    # Now even the right password is refused, with a clear message.
    locked = sign_in(client, address=address)
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert "locked" in locked.json()["detail"]
    assert int(locked["Retry-After"]) > 0
    assert not ApiToken.objects.exists()
    # The same account from another address is not locked (no denial of service).
    assert sign_in(client, address=fresh_address()).status_code == 200
    # After the cool-off the account signs in again.
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(1)):
        assert sign_in(client, address=address).status_code == 200


@pytest.mark.django_db
def test_repeated_failures_lock_out_the_login_page(settings, client, people):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        page = client.post("/accounts/login/", {"username": "delegate-kaz", "password": "x"})
    assert page.status_code == 429
    assert "Too many failed sign-in attempts" in page.content.decode()
    right = client.post("/accounts/login/", {"username": "delegate-kaz", "password": DEMO_PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
