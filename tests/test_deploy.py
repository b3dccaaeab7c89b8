"""Running on several machines (docs/deploy.md): the Procfile's processes and
a cache every process shares when Redis is there."""

import re

from django.conf import settings
from django.core.cache import cache


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
