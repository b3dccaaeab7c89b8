"""Issue 13 item 19: after PostgreSQL drops a worker's persistent connection
(a restart, a fail-over, an idle timeout), that worker's next request must
not answer 503: Django checks a reused connection before the request uses it
(``CONN_HEALTH_CHECKS``, on by default)."""

import http.client
import json

import pytest
from django.conf import settings
from django.db import connection, connections


def test_item19_health_checks_are_on_by_default():
    """issue 13 item 19: persistent connections are checked before reuse."""
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def _server_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _terminate(pids: list[int]) -> None:
    with connection.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.parametrize("health_checks", [None, False], ids=["default", "checks-off"])
@pytest.mark.django_db(transaction=True)
def test_item19_a_request_after_the_backend_was_killed_is_answered(
    live_server, health_checks
):
    """issue 13 item 19: kill the server-side backend of a live-server thread's
    persistent connection between two requests on one keep-alive connection
    (one server thread): with the default settings the second request is a
    200; the checks-off run shows what it was before (the 503)."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend: PostgreSQL only")
    server_settings = connections.settings["default"]
    before = (server_settings["CONN_MAX_AGE"], server_settings["CONN_HEALTH_CHECKS"])
    server_settings["CONN_MAX_AGE"] = 60
    if health_checks is not None:
        server_settings["CONN_HEALTH_CHECKS"] = health_checks
    host, port = live_server.url.removeprefix("http://").split(":")
    client = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        client.request("GET", "/api/v1/areas/")
        first = client.getresponse()
        assert first.status == 200
        assert json.loads(first.read())["count"] > 0
        assert first.getheader("Connection") != "close"
        backends = _server_backends()
        assert backends, "the server thread keeps its connection between requests"
        _terminate(backends)

        client.request("GET", "/api/v1/areas/")
        second = client.getresponse()
        body = second.read()
    finally:
        client.close()
        server_settings["CONN_MAX_AGE"], server_settings["CONN_HEALTH_CHECKS"] = before
    if health_checks is None:
        assert second.status == 200, body[:300]
        assert json.loads(body)["count"] > 0
    else:
        assert second.status == 503
        assert json.loads(body)["code"] == "unavailable"
