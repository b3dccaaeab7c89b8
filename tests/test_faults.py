"""Fault tests (issue 9, must show 4): the database goes away, the broker goes
away, a worker dies in the middle of a task. Nothing is lost, nothing is
doubled, and the app says clearly what is wrong while it lasts."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from cica.celery import app
from secretariat import services
from secretariat.models import EmailStatus, Notification
from secretariat.services import initiative_circulate
from tests.faults import SmtpServer, TcpProxy, free_port, wait_for_port
from tests.openapi import assert_raw_conforms

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def on_postgresql():
    return connection.vendor == "postgresql"


def server_env(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    return {
        **env,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CICA_THROTTLE_ANON": "off",
        **extra,
    }


def database_url(port: int) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}"


def fetch(url: str, *, method: str = "GET", data: bytes | None = None):
    """(status, headers, body) of a request (a GET by default; a body is sent
    as JSON with a token), 4xx/5xx included."""
    request = Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", "Token cica_not-checked-the-database-is-down")
    try:
        with urlopen(request, timeout=20) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except HTTPError as refused:
        return refused.code, refused.headers, refused.read().decode()


# --- PostgreSQL unreachable -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_unreachable_answers_503_then_recovers(tmp_path):
    if not on_postgresql():
        pytest.skip("the database server is cut on PostgreSQL (DATABASE_URL)")
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    proxy.restore()
    port = free_port()
    # The server keeps its own copy of the log's descriptor.
    with open(tmp_path / "gunicorn.log", "wb") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "cica.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"],
            cwd=ROOT,
            env=server_env(database_url(proxy.port), CONN_MAX_AGE="60"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port)
        assert fetch(f"{base}/api/v1/measures/")[0] == 200
        assert fetch(f"{base}/catalogue/")[0] == 200

        proxy.cut()
        status, headers, body = fetch(f"{base}/api/v1/measures/")
        assert status == 503, body
        assert '"code":"unavailable"' in body.replace(" ", "")
        assert "database" in body
        assert headers["Retry-After"] == "30"
        # The documented 503 (every operation's): the schema's problem, as served.
        assert_raw_conforms(
            path="/api/v1/measures/",
            method="get",
            url_path="/api/v1/measures/",
            status=status,
            headers=dict(headers),
            body=body.encode(),
        )
        status, headers, body = fetch(
            f"{base}/api/v1/initiatives/", method="POST", data=b'{"measure": "ECO-4"}'
        )
        assert status == 503, body
        assert_raw_conforms(
            path="/api/v1/initiatives/",
            method="post",
            url_path="/api/v1/initiatives/",
            status=status,
            headers=dict(headers),
            body=body.encode(),
        )
        status, _headers, body = fetch(f"{base}/healthz")
        assert status == 503
        assert '"database":{"ok":false' in body.replace(" ", "")
        status, _headers, page = fetch(f"{base}/catalogue/ECO-4/")
        assert status == 503
        assert "database does not answer" in page

        proxy.restore()
        status, _headers, body = fetch(f"{base}/api/v1/measures/")
        assert status == 200
        assert '"count":26' in body.replace(" ", "")
        assert fetch(f"{base}/catalogue/ECO-4/")[0] == 200
        assert fetch(f"{base}/healthz")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
        proxy.cut()


# --- Redis unreachable --------------------------------------------------------------


@pytest.fixture
def broker_unreachable():
    """The Celery app publishing to a Redis port where nothing listens (and
    the cache on that port too), as when Redis is down."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    before = app.conf.broker_url, app.conf.task_always_eager

    def repoint(url, eager):
        app.conf["broker_url"], app.conf.task_always_eager = url, eager
        # Celery's private pools (not in its stubs), dropped so the new URL is used.
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    repoint(dead, False)
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}
    }
    with override_settings(CACHES=caches):
        yield
    repoint(*before)


@pytest.mark.django_db
def test_redis_unreachable_pages_and_api_work_and_mail_waits(
    people,
    drafting,
    deadline,
    broker_unreachable,
    settings,
    client,
    django_capture_on_commit_callbacks,
):
    # Throttles on: their counters live in the (unreachable) cache.
    settings.CICA_THROTTLE_RATES = {"anon": "100/min", "user": "100/min", "signin": None}
    assert APIClient().get("/api/v1/measures/").status_code == 200
    assert client.get("/catalogue/ECO-4/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["broker"]["ok"] is False

    staff = APIClient()
    staff.force_authenticate(people["secretariat"])
    started = time.monotonic()
    # The hand-over to Celery runs after commit: here, when the block ends.
    with django_capture_on_commit_callbacks(execute=True) as handed_over:
        answer = staff.post(
            f"/api/v1/initiatives/{drafting.pk}/circulate/",
            {"deadline": deadline.isoformat(), "audience": "members"},
            format="json",
        )
    assert answer.status_code == 200, answer.json()
    assert handed_over, "the e-mails were handed over after commit"
    rows = Notification.objects.filter(kind="circulation")
    assert rows.count() == 18
    assert time.monotonic() - started < 20, "a dead broker does not hold the request"
    # Nothing was sent and nothing lost: every e-mail waits in the outbox.
    assert rows.filter(email_status=EmailStatus.PENDING).count() == 18
    client.force_login(people["delegate-kaz"])
    assert client.get("/").status_code == 200
    assert client.get("/notifications/").status_code == 200


# --- a worker killed in the middle of a task ---------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_delivers_once_after_restart(people, drafting, deadline, tmp_path):
    if not (settings.REDIS_URL and on_postgresql()):
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    smtp = SmtpServer()
    smtp.hang_next = True
    db = connection.settings_dict
    env = server_env(
        database_url(int(db["PORT"] or 5432)),
        REDIS_URL=settings.REDIS_URL,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        CELERY_VISIBILITY_TIMEOUT="5",
        # Issue 14 item 5: the killed worker's claim on the e-mail it was
        # sending lapses after this, and the e-mail is sent again (once).
        CICA_OUTBOX_CLAIM_SECONDS="8",
    )
    command = [
        str(BIN / "celery"),
        "-A",
        "cica",
        "worker",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]

    def start_worker(name):
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=open(tmp_path / f"{name}.log", "wb"),
            stderr=subprocess.STDOUT,
        )

    first = start_worker("first")
    second = None
    try:
        initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
        rows = Notification.objects.filter(kind="circulation")
        assert rows.count() == 18
        assert smtp.hanging.wait(60), (tmp_path / "first.log").read_text()
        first.send_signal(signal.SIGKILL)  # mid-send: message written, never acknowledged
        first.wait(timeout=10)
        assert smtp.received == []
        stuck = rows.filter(email_status=EmailStatus.PENDING).count()
        assert stuck == 18

        second = start_worker("second")
        deadline_at = time.monotonic() + 90
        while rows.exclude(email_status=EmailStatus.SENT).exists():
            assert time.monotonic() < deadline_at, (tmp_path / "second.log").read_text()
            time.sleep(0.3)
        # The killed task's own message comes back from the broker after the
        # visibility timeout, and the outbox re-queue sends its copy too: both
        # must find the e-mail already sent.
        # Issue 14 item 5: the killed worker's claim lapses before the
        # re-queue hands its e-mail over again.
        time.sleep(9)
        with override_settings(CICA_OUTBOX_CLAIM_SECONDS=8):
            services.notifications_requeue(older_than=datetime.timedelta(0))
        time.sleep(15)
    finally:
        for worker in (first, second):
            if worker and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
        smtp.close()
    # Every e-mail of the outbox (the 18 circulation notices and the paper's
    # notice to the secretariat) reached the server exactly once.
    received = sorted(smtp.received)
    assert len(received) == len(set(received)), "an e-mail was delivered twice"
    expected = sorted(
        Notification.objects.filter(email_status=EmailStatus.SENT).values_list(
            "recipient__email", flat=True
        )
    )
    assert sorted(recipient for recipient, _body in received) == expected
    assert rows.filter(email_status=EmailStatus.SENT, attempts=1).count() == 18
    assert not Notification.objects.filter(email_status=EmailStatus.PENDING).exists()
