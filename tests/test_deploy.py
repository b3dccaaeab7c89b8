"""Running on several machines (docs/deploy.md): the Procfile's processes and
a cache every process shares when Redis is there."""

import gc
import re
import runpy

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def test_procfile_names_web_worker_and_one_beat():
    lines = (settings.BASE_DIR / "Procfile").read_text().splitlines()
    processes = dict(line.split(":", 1) for line in lines if line.strip())
    assert set(processes) == {"web", "worker", "beat"}
    web = processes["web"]
    assert "gunicorn cica.wsgi" in web
    assert "$PORT" in web
    workers = re.search(r"--workers \$\{WEB_CONCURRENCY:-(\d+)\}", web)
    assert workers is not None
    assert int(workers.group(1)) >= 2
    assert "--beat" not in processes["worker"], "beat runs once, in its own process"
    assert "DatabaseScheduler" in processes["beat"]


def test_the_cache_is_redis_when_redis_is_configured():
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.REDIS_URL:
        assert backend == "django.core.cache.backends.redis.RedisCache"
        cache.set("deploy-test", "shared", 5)
        assert cache.get("deploy-test") == "shared"
        cache.delete("deploy-test")
    else:
        assert backend == "django.core.cache.backends.locmem.LocMemCache"


def _gunicorn_conf() -> dict:
    return runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))


def test_gunicorn_loads_django_before_it_listens():
    """issue 18 target 3: without preload the master listened at once and each
    worker then loaded Django (1.3 s of CPU): the first requests waited in the
    listen queue for the boot (the measures row's p99 under wrk). Preloaded,
    the master loads the app before it binds, and a worker (at start or after
    a crash) is serving as soon as it is forked."""
    assert _gunicorn_conf()["preload_app"] is True


def test_the_master_freezes_the_loaded_app_without_a_connection_to_share(django_db_blocker):
    """when_ready runs in the master after the preload, before any fork: every
    view imported, nothing left for the workers' collections to scan, and no
    database connection a forked worker would share with its siblings."""
    conf = _gunicorn_conf()
    with django_db_blocker.unblock():
        connection.ensure_connection()
    assert connection.connection is not None
    try:
        conf["when_ready"](None)
        assert gc.get_freeze_count() > 0
        # Django never closes an in-memory SQLite test database (it would
        # lose it); every other connection is closed.
        in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]  # SQLite's wrapper only
        assert connection.connection is None or in_memory
    finally:
        gc.unfreeze()
