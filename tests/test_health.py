"""/healthz: the database and the broker, for load balancers. Outages here are
real refused connections (an unused port, a file that cannot be opened), not
mocks of the answer."""

import socket

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler

from cica import health
from cica.celery import app as celery_app

pytestmark = pytest.mark.django_db


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down():
    """The Celery app points at a port where nothing listens."""
    before = celery_app.conf.broker_url
    celery_app.conf["broker_url"] = f"redis://127.0.0.1:{unused_port()}/0"
    yield
    celery_app.conf["broker_url"] = before


@pytest.fixture
def database_down(monkeypatch, tmp_path):
    """The health check's connections are a separate handler whose default
    database cannot be reached; the test's own connection is untouched."""
    broken = dict(settings.DATABASES["default"])
    if broken["ENGINE"].endswith("sqlite3"):
        broken["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        broken.update(HOST="127.0.0.1", PORT=str(unused_port()))
    handler = ConnectionHandler({"default": broken})
    monkeypatch.setattr(health, "connections", handler)
    yield
    handler.close_all()


def assert_nothing_sensitive(response):
    body = response.content.decode()
    for secret in ("redis://", "postgres", "127.0.0.1", "sqlite3", str(settings.BASE_DIR)):
        assert secret not in body


def test_all_well_is_200_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert report["database"]["ok"] is True
    assert isinstance(report["database"]["ms"], float)
    assert report["broker"]["ok"] is True
    if not settings.REDIS_URL:
        assert report["broker"] == {"ok": True, "mode": "in-process"}
    assert "no-cache" in response["Cache-Control"]
    assert_nothing_sensitive(response)


def test_broker_down_is_200_degraded(client, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["database"]["ok"] is True
    assert report["broker"]["ok"] is False
    assert report["broker"]["error"]
    assert report["broker"]["ms"] < 2500
    assert_nothing_sensitive(response)


def test_database_down_is_503(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "down"
    assert report["database"]["ok"] is False
    assert report["database"]["error"] == "OperationalError"
    assert_nothing_sensitive(response)


def test_healthz_needs_no_sign_in_and_takes_no_writes(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
