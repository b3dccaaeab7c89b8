"""The project's own checks: migrations, schema, docs, settings, Celery."""

import os
import subprocess
import sys

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command

from cica.celery import app
from cica.tasks import ping


@pytest.mark.django_db
def test_migrations_match_models():
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


def test_openapi_schema_is_valid_and_warning_free(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/participants/",
        "/api/v1/measures/{code}/",
        "/api/v1/areas/",
        "/api/v1/coordinator-offers/",
        "/api/v1/auth/token/",
    ):
        assert path in text


@pytest.mark.django_db
def test_docs_are_served_without_a_cdn(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert client.get("/api/schema/").status_code == 200


def test_secret_key_is_required_when_debug_is_off():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": ""}
    env.pop("SECRET_KEY")
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='cica.settings'; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_celery_runs_in_process_without_redis(settings):
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: tasks go to the broker")
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert ping.delay().get(timeout=1) == "pong"


@pytest.mark.redis
def test_a_real_worker_takes_tasks_from_redis(settings):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    assert not app.conf.task_always_eager
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        assert ping.delay().get(timeout=20) == "pong"
