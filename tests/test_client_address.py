"""Issue 13 item 14: throttles and lock-out count the address the request came
from (the socket), not what the client writes in ``X-Forwarded-For``; behind
``CICA_TRUSTED_PROXIES`` proxies, the address the nearest proxy saw."""

import uuid
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from rest_framework.test import APIClient

from cica.client import client_address
from members.models import ApiToken
from tests.conftest import DEMO_PASSWORD


def fresh_address():
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def forged():
    """A new, made-up X-Forwarded-For for every request."""
    return f"203.0.113.{uuid.uuid4().int % 250}, 198.51.100.{uuid.uuid4().int % 250}"


def sign_in(client, *, password=DEMO_PASSWORD, **meta):
    return client.post(
        "/api/v1/auth/token/", {"username": "delegate-kaz", "password": password}, **meta
    )


@pytest.mark.django_db
def test_item14_forged_forwarded_for_does_not_escape_the_anonymous_throttle(settings):
    """issue 13 item 14: a new X-Forwarded-For per request is still one client."""
    settings.CICA_THROTTLE_RATES = {"anon": "3/min", "user": None, "signin": None}
    client, address = APIClient(), fresh_address()
    answers = [
        client.get("/api/v1/areas/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forged())
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert "throttled" in answers[-1].json()["detail"].lower()


@pytest.mark.django_db
def test_item14_forged_forwarded_for_does_not_escape_the_sign_in_throttle(settings, people):
    """issue 13 item 14: password guessing with a forged header per try is throttled."""
    settings.CICA_THROTTLE_RATES = {"anon": None, "user": None, "signin": "2/min"}
    client, address = APIClient(), fresh_address()
    codes = [
        sign_in(client, REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forged()).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    assert ApiToken.objects.count() == 2


@pytest.mark.django_db
def test_item14_lock_out_ignores_a_forged_forwarded_for(settings, people):
    """issue 13 item 14: axes locks the account out from the socket's address,
    whatever X-Forwarded-For says."""
    settings.AXES_FAILURE_LIMIT = 3
    client, address = APIClient(), fresh_address()
    for _ in range(3):
        wrong = sign_in(
            client, password="wrong", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forged()
        )
    assert wrong.status_code == 429
    locked = sign_in(client, REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forged())
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert not ApiToken.objects.exists()
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {address}


@pytest.mark.django_db
def test_item14_behind_one_trusted_proxy_the_right_most_address_counts(settings, people):
    """issue 13 item 14: with CICA_TRUSTED_PROXIES=1 the address the proxy saw
    (right-most in X-Forwarded-For) is the client's, for throttles and lock-out."""
    settings.CICA_TRUSTED_PROXIES = 1
    settings.CICA_THROTTLE_RATES = {"anon": "2/min", "user": None, "signin": None}
    settings.AXES_FAILURE_LIMIT = 3
    proxy, alice, bob = fresh_address(), fresh_address(), fresh_address()
    client = APIClient()

    def read(client_address, forged_part="198.51.100.7"):
        return client.get(
            "/api/v1/areas/",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"{forged_part}, {client_address}",
        ).status_code

    # What the client itself wrote (left) changes nothing; the proxy's entry counts.
    assert [read(alice, f"192.0.2.{i}") for i in range(3)] == [200, 200, 429]
    # Another client behind the same proxy has its own counter.
    assert read(bob) == 200

    settings.CICA_THROTTLE_RATES = {"anon": None, "user": None, "signin": None}
    for i in range(3):
        wrong = sign_in(
            client,
            password="wrong",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, {alice}",
        )
    assert wrong.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {alice}
    # Bob, behind the same proxy, is not locked out by Alice's failures.
    assert sign_in(client, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=bob).status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.1"),
        (0, "", "10.0.0.1"),
        (1, "1.2.3.4, 5.6.7.8", "5.6.7.8"),
        (2, "1.2.3.4, 5.6.7.8, 9.9.9.9", "5.6.7.8"),
        (2, "5.6.7.8", "5.6.7.8"),  # fewer entries than proxies: the left-most
        (1, "", "10.0.0.1"),  # no header: the socket
        (1, "not-an-address", "10.0.0.1"),  # garbage: the socket
        (1, "1.2.3.4,2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_item14_client_address_takes_the_nth_from_the_right(settings, proxies, forwarded, expected):
    """issue 13 item 14: one function gives the client address."""
    settings.CICA_TRUSTED_PROXIES = proxies
    meta: dict[str, Any] = {"REMOTE_ADDR": "10.0.0.1"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **meta)) == expected
